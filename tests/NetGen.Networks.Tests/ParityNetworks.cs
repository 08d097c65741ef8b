using NetGen;

// The networks of the PyTorch parity fixtures (tests/fixtures/net_*.json, written by
// tests/fixtures/make_fixtures.py). Layer names match the torch module names (fc1, fc2, ...), so
// ParameterLayout must list exactly the fixture's state_dict keys and shapes.
namespace NetGen.Networks.Tests
{
    /// <summary>net_ce_relu_softmax: 6 → 8 ReLU → 5 Softmax, cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(6)]
    [Dense(8, Activation.ReLU, Name = "fc1")]
    [Dense(5, Activation.Softmax, Name = "fc2")]
    public partial class ParityCeReluSoftmax;

    /// <summary>net_ce_tanh_sigmoid_softmax: 5 → 7 Tanh → 6 Sigmoid → 4 Softmax, cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(5)]
    [Dense(7, Activation.Tanh, Name = "fc1")]
    [Dense(6, Activation.Sigmoid, Name = "fc2")]
    [Dense(4, Activation.Softmax, Name = "fc3")]
    public partial class ParityCeTanhSigmoidSoftmax;

    /// <summary>net_bce_leakyrelu_sigmoid: 4 → 6 LeakyReLU → 3 Sigmoid, binary cross-entropy.</summary>
    [Network(Loss.BinaryCrossEntropy)]
    [Input(4)]
    [Dense(6, Activation.LeakyReLU, Name = "fc1")]
    [Dense(3, Activation.Sigmoid, Name = "fc2")]
    public partial class ParityBceLeakyReluSigmoid;

    /// <summary>net_mse_gelu_linear: 5 → 7 Gelu → 4 linear, mean squared error.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(5)]
    [Dense(7, Activation.Gelu, Name = "fc1")]
    [Dense(4, Name = "fc2")]
    public partial class ParityMseGeluLinear;

    /// <summary>net_mse_sigmoid_tanh: 4 → 6 Sigmoid → 3 Tanh, mean squared error.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(4)]
    [Dense(6, Activation.Sigmoid, Name = "fc1")]
    [Dense(3, Activation.Tanh, Name = "fc2")]
    public partial class ParityMseSigmoidTanh;

    /// <summary>net_mse_relu_softmax: 5 → 6 ReLU → 4 Softmax, mean squared error over the probabilities.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(5)]
    [Dense(6, Activation.ReLU, Name = "fc1")]
    [Dense(4, Activation.Softmax, Name = "fc2")]
    public partial class ParityMseReluSoftmax;

#pragma warning disable NG0020 // Softmax on a hidden layer: deliberate, to check its backward against PyTorch.
    /// <summary>net_ce_hidden_softmax: 4 → 5 Softmax → 3 Softmax, cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(4)]
    [Dense(5, Activation.Softmax, Name = "fc1")]
    [Dense(3, Activation.Softmax, Name = "fc2")]
    public partial class ParityCeHiddenSoftmax;
#pragma warning restore NG0020

    /// <summary>net_bce_logistic: logistic regression 3 → 1 Sigmoid, binary cross-entropy.</summary>
    [Network(Loss.BinaryCrossEntropy)]
    [Input(3)]
    [Dense(1, Activation.Sigmoid, Name = "fc1")]
    public partial class ParityLogistic;

    /// <summary>net_mnist_sigmoid_softmax: [28, 28] → flatten → 16 Sigmoid → 10 Softmax, cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(28, 28)]
    [Flatten]
    [Dense(16, Activation.Sigmoid, Name = "fc1")]
    [Dense(10, Activation.Softmax, Name = "fc2")]
    public partial class ParityMnist;
}

using NetGen;

// The networks of the convolutional PyTorch parity fixtures (tests/fixtures/cnn_*.json, written by
// tests/fixtures/make_cnn_fixtures.py). Layer names match the torch module names (conv1, bn1, fc, ...),
// so ParameterLayout and BufferLayout must list exactly the fixture's state_dict keys and shapes.
//
// No Dense here that shares a network with a BatchNorm has 16 weights or fewer: such a layer is
// unrolled and the generated code does not compile (see CnnGradientCheckNetworks.cs). No bias feeds
// a BatchNorm through a purely linear map either: its true gradient is 0 and Adam would amplify the
// rounding noise (see make_cnn_fixtures.py).
namespace NetGen.Networks.Tests.Cnn
{
    /// <summary>cnn_conv_stride_dilation: strides 2, 1, 3; explicit padding 1, 2, 0; dilation 2; no bias; RGB input.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(3, 9, 9)]
    [Conv2D(4, 3, Stride = 2, Pad = 1, Activation = Activation.ReLU, Name = "conv1")]
    [Conv2D(3, 3, Pad = 2, Dilation = 2, Activation = Activation.Tanh, Name = "conv2")]
    [Conv2D(2, 2, Stride = 3, Bias = false, Activation = Activation.LeakyReLU, Name = "conv3")]
    [Flatten]
    [Dense(3, Activation.Softmax, Name = "fc")]
    public partial class CnnParityConvStrideDilation;

    /// <summary>cnn_conv_same: Same padding with dilation 2 and with an even kernel (1 before, 2 after); stride 3 with padding 1; global pooling.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(2, 8, 8)]
    [Conv2D(3, 3, Padding = Padding.Same, Dilation = 2, Activation = Activation.Gelu, Name = "conv1")]
    [Conv2D(2, 4, Padding = Padding.Same, Bias = false, Activation = Activation.Sigmoid, Name = "conv2")]
    [Conv2D(3, 5, Stride = 3, Pad = 1, Name = "conv3")]
    [GlobalAveragePool2D]
    [Dense(2, Name = "fc")]
    public partial class CnnParityConvSame;

    /// <summary>cnn_pooling: max and average pooling, padded and overlapping, after a linear conv (negative values meet the padding).</summary>
    [Network(Loss.BinaryCrossEntropy)]
    [Input(2, 9, 9)]
    [Conv2D(3, 2, Name = "conv")]
    [MaxPool2D(3, Stride = 2, Pad = 1)]
    [AvgPool2D(3, Stride = 1, Pad = 1)]
    [MaxPool2D(2, Stride = 1, Pad = 1)]
    [AvgPool2D(2)]
    [Flatten]
    [Dense(3, Activation.Sigmoid, Name = "fc")]
    public partial class CnnParityPooling;

    /// <summary>cnn_batchnorm_conv: BatchNorm2d with ReLU after a bias-free conv, and with momentum 0.2, ε 1e-3 and no activation after a Gelu conv.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(3, 6, 6)]
    [Conv2D(4, 3, Pad = 1, Bias = false, Name = "conv1")]
    [BatchNorm(Activation = Activation.ReLU, Name = "bn1")]
    [MaxPool2D(2)]
    [Conv2D(5, 2, Activation = Activation.Gelu, Name = "conv2")]
    [BatchNorm(Momentum = 0.2f, Epsilon = 1e-3f, Name = "bn2")]
    [Flatten]
    [Dense(3, Activation.Softmax, Name = "fc")]
    public partial class CnnParityBatchNormConv;

    /// <summary>cnn_batchnorm_dense: BatchNorm1d over features, with ReLU and without activation.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(6)]
    [Dense(8, Activation.Tanh, Name = "fc1")]
    [BatchNorm(Activation = Activation.ReLU, Name = "bn1")]
    [Dense(5, Activation.Gelu, Name = "fc2")]
    [BatchNorm(Name = "bn2")]
    [Dense(4, Name = "fc3")]
    public partial class CnnParityBatchNormDense;

    /// <summary>cnn_small_cnn: Conv→ReLU→MaxPool→Conv→ReLU→MaxPool→Flatten→Dense→Softmax on RGB 14×14, cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(3, 14, 14)]
    [Conv2D(4, 3, Activation = Activation.ReLU, Name = "conv1")]
    [MaxPool2D(2)]
    [Conv2D(8, 3, Activation = Activation.ReLU, Name = "conv2")]
    [MaxPool2D(2)]
    [Flatten]
    [Dense(5, Activation.Softmax, Name = "fc")]
    public partial class CnnParitySmallCnn;
}

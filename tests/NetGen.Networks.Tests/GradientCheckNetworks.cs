using NetGen;

// Small networks covering every activation and every loss, one to three layers, for the
// finite-difference checks. Each has a matching description in GradientCheckTests.

namespace NetGen.Networks.Tests
{
    [Network(Loss.MeanSquaredError)]
    [Input(5)]
    [Dense(3)]
    public partial class FdLinear;

    [Network(Loss.MeanSquaredError)]
    [Input(4)]
    [Dense(6, Activation.Gelu)]
    [Dense(3, Activation.Tanh)]
    public partial class FdGeluTanh;

    [Network(Loss.MeanSquaredError)]
    [Input(3)]
    [Dense(5, Activation.LeakyReLU)]
    [Dense(4, Activation.Sigmoid)]
    [Dense(3, Activation.Softmax)]
    public partial class FdLeakySigmoidSoftmax;

    [Network(Loss.MeanSquaredError)]
    [Input(3)]
    [Dense(6, Activation.ReLU)]
    [Dense(2)]
    public partial class FdRelu;

    [Network(Loss.CrossEntropy)]
    [Input(6)]
    [Dense(4, Activation.Softmax)]
    public partial class FdSoftmaxRegression;

    [Network(Loss.CrossEntropy)]
    [Input(5)]
    [Dense(7, Activation.ReLU)]
    [Dense(6, Activation.Tanh)]
    [Dense(4, Activation.Softmax)]
    public partial class FdClassifier;

    [Network(Loss.BinaryCrossEntropy)]
    [Input(4)]
    [Dense(5, Activation.Gelu)]
    [Dense(2, Activation.Sigmoid)]
    public partial class FdBinary;

    [Network(Loss.CrossEntropy)]
    [Input(2, 3)]
    [Flatten]
    [Dense(4, Activation.Sigmoid)]
    [Dense(3, Activation.Softmax)]
    public partial class FdFlatten;

    // A Softmax on a hidden layer is legal but suspicious (NG0020); here it is on purpose, to check
    // the Jacobian product, and the pragma shows that NetGen's warnings are suppressible.
#pragma warning disable NG0020
    [Network(Loss.MeanSquaredError)]
    [Input(2)]
    [Dense(3, Activation.Tanh)]
    [Dense(2, Activation.Softmax)]
    [Dense(2, Activation.LeakyReLU)]
    public partial class FdSoftmaxHidden;
#pragma warning restore NG0020
}

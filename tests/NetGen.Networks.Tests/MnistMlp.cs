using NetGen;

namespace NetGen.Networks.Tests
{
    /// <summary>The classic 784-500-10 sigmoid MLP, declared exactly as the foundation issue shows.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(784)]
    [Dense(500, Activation.Sigmoid)]
    [Dense(10, Activation.Softmax)]
    public partial class MnistMlp;

    /// <summary>The Quickstart's network: 784 → 128 ReLU → 10 Softmax.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU, Name = "hidden")]
    [Dense(10, Activation.Softmax)]
    public partial class DigitClassifier;

    /// <summary>Regression with float targets.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(8)]
    [Dense(16, Activation.Tanh, Init = Initializer.GlorotUniform)]
    [Dense(3)]
    public partial class Regressor;
}

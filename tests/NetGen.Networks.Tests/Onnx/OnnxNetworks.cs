using NetGen;

// Networks for the ONNX export tests that the parity and gradient-check declarations do not already cover:
// the samples' architectures (full size) and a few combinations — causal
// attention with padding, an image flattened at the end, GRU with BatchNorm.
namespace NetGen.Networks.Tests.Onnx
{
    /// <summary>samples/Quickstart: 784 → 128 ReLU → 10 Softmax.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(784)]
    [Dense(128, Activation.ReLU, Name = "hidden")]
    [Dense(10, Activation.Softmax, Name = "output")]
    public partial class OnnxQuickstart;

    /// <summary>The W1 benchmark MLP: 784 → 500 Sigmoid → 10 Softmax.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(784)]
    [Dense(500, Activation.Sigmoid)]
    [Dense(10, Activation.Softmax)]
    public partial class OnnxW1Mlp;

    /// <summary>samples/FashionMnist: 28×28 → Flatten → 128 ReLU → 10 Softmax.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(28, 28)]
    [Flatten]
    [Dense(128, Activation.ReLU, Name = "hidden")]
    [Dense(10, Activation.Softmax, Name = "output")]
    public partial class OnnxFashionMlp;

    /// <summary>samples/FashionCnn, full size.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(1, 28, 28)]
    [Conv2D(32, kernel: 3, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Conv2D(64, kernel: 3, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Flatten]
    [Dropout(0.25f)]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class OnnxFashionCnn;

    /// <summary>samples/TextGeneration's CharModel.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(64, vocabularySize: 256)]
    [Embedding(64)]
    [Lstm(128, ReturnSequences = true)]
    [Lstm(128, ReturnSequences = true)]
    [Dense(256, Activation.Softmax)]
    public partial class OnnxCharModel;

    /// <summary>samples/SpamClassifier.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(128, vocabularySize: 8000)]
    [Embedding(64, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(heads: 4, feedForward: 256, Dropout = 0.1f)]
    [TransformerEncoder(heads: 4, feedForward: 256, Dropout = 0.1f)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class OnnxSpamClassifier;

    /// <summary>samples/TinyGpt.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(64, vocabularySize: 256)]
    [Embedding(128)]
    [PositionalEmbedding]
    [TransformerEncoder(heads: 4, feedForward: 512, Dropout = 0f, NormFirst = true, Activation = Activation.ReLU, Causal = true)]
    [TransformerEncoder(heads: 4, feedForward: 512, Dropout = 0f, NormFirst = true, Activation = Activation.ReLU, Causal = true)]
    [LayerNorm]
    [Dense(256, Activation.Softmax)]
    public partial class OnnxTinyGpt;

    /// <summary>Causal attention over padded sequences: rows that start with padding have queries that see no key.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(7, vocabularySize: 9)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding(Sinusoidal = true)]
    [MultiHeadAttention(2, Causal = true)]
    [TransformerEncoder(2, 12, Dropout = 0f, Causal = true, Activation = Activation.Gelu)]
    [Dense(9, Activation.Softmax)]
    public partial class OnnxCausalPadded;

    /// <summary>
    /// Conv2D → BatchNorm → AvgPool2D → Conv2D: an image output of three channels, [B, 3, H, W] as NCHW.
    /// </summary>
    [Network(Loss.MeanSquaredError)]
    [Input(2, 7, 7)]
    [Conv2D(4, 3, Pad = 1, Activation = Activation.Sigmoid)]
    [BatchNorm(Epsilon = 1e-3f, Activation = Activation.LeakyReLU)]
    [AvgPool2D(2, Pad = 1)]
    [Conv2D(3, 2, Bias = false)]
    public partial class OnnxImageOut;

    /// <summary>GRU (last step) → Dense → BatchNorm of features → Dropout → Dense Softmax, with padding tokens.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 10)]
    [Embedding(5, PaddingIndex = 0)]
    [Gru(8, Layers = 2)]
    [Dense(12, Activation.Gelu)]
    [BatchNorm(Activation = Activation.Tanh)]
    [Dropout(0.5f)]
    [Dense(3, Activation.Softmax)]
    public partial class OnnxGruBatchNorm;
}

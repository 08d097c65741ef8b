using NetGen;

// Networks shaped like the samples (smaller, so the export tests stay fast) and ones that put the remaining
// layer settings together (dropout in attention, causal attention over right-padded tokens, float sequences).
// The parity networks of the other folders cover the rest of the layer kinds.
namespace NetGen.Networks.Tests.Export
{
    /// <summary>samples/Quickstart: 784 → 128 ReLU → 10 Softmax.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(784)]
    [Dense(128, Activation.ReLU, Name = "hidden")]
    [Dense(10, Activation.Softmax, Name = "output")]
    public partial class ExportQuickstart;

    /// <summary>samples/FashionCnn on 12×12 images: Conv→MaxPool→Conv→MaxPool→Flatten→Dropout→Dense→Softmax.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(1, 12, 12)]
    [Conv2D(4, kernel: 3, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Conv2D(6, kernel: 3, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Flatten]
    [Dropout(0.25f)]
    [Dense(16, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class ExportFashionCnn;

    /// <summary>samples/TextGeneration (CharModel): two LSTMs over every step, a distribution per step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(10, vocabularySize: 20)]
    [Embedding(8)]
    [Lstm(12, ReturnSequences = true)]
    [Lstm(12, ReturnSequences = true)]
    [Dense(20, Activation.Softmax)]
    public partial class ExportCharModel;

    /// <summary>samples/SpamClassifier: padded tokens, learned positions, two encoders with dropout, masked pooling.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(12, vocabularySize: 30)]
    [Embedding(16, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(heads: 4, feedForward: 32, Dropout = 0.1f)]
    [TransformerEncoder(heads: 4, feedForward: 32, Dropout = 0.1f)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class ExportSpamClassifier;

    /// <summary>samples/TinyGpt: pre-norm causal encoders, a final LayerNorm, next-token distributions.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(10, vocabularySize: 20)]
    [Embedding(16)]
    [PositionalEmbedding]
    [TransformerEncoder(heads: 4, feedForward: 32, Dropout = 0f, NormFirst = true, Activation = Activation.ReLU, Causal = true)]
    [TransformerEncoder(heads: 4, feedForward: 32, Dropout = 0f, NormFirst = true, Activation = Activation.ReLU, Causal = true)]
    [LayerNorm]
    [Dense(20, Activation.Softmax)]
    public partial class ExportTinyGpt;

    /// <summary>Causal attention and a causal GELU encoder over right-padded tokens, sinusoidal positions, dropout in attention.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(8, vocabularySize: 15)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding(Sinusoidal = true)]
    [MultiHeadAttention(2, Dropout = 0.1f, Causal = true)]
    [TransformerEncoder(2, 16, Dropout = 0.1f, Activation = Activation.Gelu, Epsilon = 1e-3f, Causal = true)]
    [Dense(15, Activation.Softmax)]
    public partial class ExportCausalPadded;

    /// <summary>A 2-layer GRU over every step, Dense per step, then the sequence flattened to a sigmoid output (binary cross-entropy).</summary>
    [Network(Loss.BinaryCrossEntropy)]
    [TokenInput(6, vocabularySize: 9)]
    [Embedding(4)]
    [Gru(5, Layers = 2, ReturnSequences = true)]
    [Dense(3, Activation.Tanh)]
    [Flatten]
    [Dense(2, Activation.Sigmoid)]
    public partial class ExportGruFlatten;

    /// <summary>The distributed-training network: a padded Transformer classifier with a BatchNorm (buffers) and Dropout in its head.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(10, vocabularySize: 16)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 16, Dropout = 0.1f)]
    [GlobalAveragePool1D]
    [Dense(12, Activation.ReLU)]
    [BatchNorm(Activation = Activation.ReLU)]
    [Dropout(0.2f)]
    [Dense(3, Activation.Softmax)]
    public partial class ExportDdpClassifier;

    /// <summary>A layer named like nn.Module's forward: the export refuses it.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(4)]
    [Dense(2, Activation.Softmax, Name = "forward")]
    public partial class BadlyNamedForExport;
}

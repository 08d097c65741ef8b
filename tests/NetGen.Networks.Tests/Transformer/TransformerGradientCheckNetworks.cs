using NetGen;

// Small Transformer networks for the finite-difference checks: LayerNorm alone, attention with a
// padding mask and with a causal mask, learned and sinusoidal position tables, pooling over padded
// sequences, the encoder block post-norm/pre-norm × ReLU/GELU (stacked, causal, custom epsilon), and
// dropout with fixed masks. Each has a matching reference in TransformerGradientCheckTests.
namespace NetGen.Networks.Tests.Transformer
{
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(4)]
    [LayerNorm(Epsilon = 0.01f)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class FdTfLayerNorm;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(4, PaddingIndex = 0)]
    [MultiHeadAttention(2)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class FdTfMhaPadding;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(4)]
    [PositionalEmbedding]
    [MultiHeadAttention(2, Causal = true)]
    [Dense(7, Activation.Softmax)]
    public partial class FdTfMhaCausal;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(6, PaddingIndex = 3)]
    [PositionalEmbedding(Sinusoidal = true)]
    [MultiHeadAttention(3)]
    [LayerNorm]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class FdTfSinusoidal;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(4, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 6, Dropout = 0f)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class FdTfEncoderPostRelu;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(4, PaddingIndex = 1)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 6, Dropout = 0f, Activation = Activation.Gelu, NormFirst = true, Epsilon = 1e-3f)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class FdTfEncoderPreGelu;

    [Network(Loss.CrossEntropy)]
    [TokenInput(4, vocabularySize: 6)]
    [Embedding(4)]
    [PositionalEmbedding(Sinusoidal = true)]
    [TransformerEncoder(2, 5, Dropout = 0f, Activation = Activation.Gelu)]
    [TransformerEncoder(1, 5, Dropout = 0f, NormFirst = true)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class FdTfEncoderPostGeluPreRelu;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 6)]
    [Embedding(4)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 6, Dropout = 0f, Causal = true)]
    [TransformerEncoder(2, 6, Dropout = 0f, Causal = true, NormFirst = true, Activation = Activation.Gelu)]
    [Dense(6, Activation.Softmax)]
    public partial class FdTfCausalStack;

    /// <summary>Dropout at every site: attention weights (a standalone MultiHeadAttention and an encoder), the encoder's attention output, hidden layer and output.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(4, PaddingIndex = 0)]
    [PositionalEmbedding]
    [MultiHeadAttention(2, Dropout = 0.25f)]
    [TransformerEncoder(2, 6, Dropout = 0.3f, Activation = Activation.Gelu)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class FdTfDropout;

    /// <summary>Causal dropout: a pre-norm causal encoder with dropout, per-step outputs.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 6)]
    [Embedding(4)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 6, Dropout = 0.2f, Causal = true, NormFirst = true)]
    [Dense(6, Activation.Softmax)]
    public partial class FdTfCausalDropout;
}

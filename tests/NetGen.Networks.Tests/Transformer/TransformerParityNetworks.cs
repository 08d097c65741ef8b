using NetGen;

// The networks of the Transformer PyTorch fixtures (tests/fixtures/tf_*.json, written by
// tests/fixtures/make_transformer_fixtures.py), declared exactly as each fixture's "declaration" lists.
// Layer names are NetGen's defaults, which are the fixtures' torch module names, so ParameterLayout
// must list exactly the fixture's state_dict keys and shapes.
namespace NetGen.Networks.Tests.Transformer
{
    /// <summary>tf_layernorm: 5 tokens of 11 → Embedding(8) → LayerNorm → GlobalAveragePool1D → Dense(3, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 11)]
    [Embedding(8)]
    [LayerNorm]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class TfParityLayerNorm;

    /// <summary>tf_layernorm_eps: as tf_layernorm with LayerNorm(Epsilon = 0.1).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 11)]
    [Embedding(8)]
    [LayerNorm(Epsilon = 0.1f)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class TfParityLayerNormEps;

    /// <summary>tf_mha: 6 tokens of 11 → Embedding(8, padding 0) → MultiHeadAttention(2) → GlobalAveragePool1D → Dense(3, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 11)]
    [Embedding(8, PaddingIndex = 0)]
    [MultiHeadAttention(2, Dropout = 0f)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class TfParityMha;

    /// <summary>tf_mha_causal: 6 tokens of 11 → Embedding(8) → MultiHeadAttention(2, causal) → Dense(11, Softmax) per step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 11)]
    [Embedding(8)]
    [MultiHeadAttention(2, Dropout = 0f, Causal = true)]
    [Dense(11, Activation.Softmax)]
    public partial class TfParityMhaCausal;

    /// <summary>tf_sinusoidal: 5 tokens of 11 → Embedding(8) → sinusoidal positions → TransformerEncoder(2, 16) → pool → Dense(3, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 11)]
    [Embedding(8)]
    [PositionalEmbedding(Sinusoidal = true)]
    [TransformerEncoder(2, 16, Dropout = 0f)]
    [GlobalAveragePool1D]
    [Dense(3, Activation.Softmax)]
    public partial class TfParitySinusoidal;

    /// <summary>tf_encoder_post_relu: 6 tokens of 11 → Embedding(8, padding 0) → learned positions → TransformerEncoder(2, 16) → pool → Dense(2, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 11)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 16, Dropout = 0f)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class TfParityEncoderPostRelu;

    /// <summary>tf_encoder_pre_gelu: as tf_encoder_post_relu with a pre-norm GELU encoder.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 11)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 16, Dropout = 0f, Activation = Activation.Gelu, NormFirst = true)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class TfParityEncoderPreGelu;

    /// <summary>tf_causal_stack: 6 tokens of 11 → Embedding(8) → learned positions → two causal TransformerEncoder(2, 16) → Dense(11, Softmax) per step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 11)]
    [Embedding(8)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 16, Dropout = 0f, Causal = true)]
    [TransformerEncoder(2, 16, Dropout = 0f, Causal = true)]
    [Dense(11, Activation.Softmax)]
    public partial class TfParityCausalStack;

    /// <summary>tf_spam: 8 tokens of 13 → Embedding(8, padding 0) → learned positions → two TransformerEncoder(2, 16) → pool → Dense(2, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(8, vocabularySize: 13)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 16, Dropout = 0f)]
    [TransformerEncoder(2, 16, Dropout = 0f)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class TfParitySpam;
}

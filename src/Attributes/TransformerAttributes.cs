using System;

namespace NetGen
{
    /// <summary>
    /// One Transformer encoder block, exactly <c>torch.nn.TransformerEncoderLayer(batch_first=True)</c> on a
    /// sequence [B, T, D]: self-attention with heads heads and a feed-forward network
    /// of feedForward units, each wrapped in a residual connection and a LayerNorm —
    /// post-norm <c>x = norm1(x + SA(x)); x = norm2(x + FF(x))</c>, or pre-norm with <see cref="NormFirst"/>.
    /// Parameters under its name: <c>self_attn.in_proj_weight [3D, D]</c>, <c>self_attn.in_proj_bias</c>,
    /// <c>self_attn.out_proj.weight [D, D]</c>, <c>self_attn.out_proj.bias</c>, <c>linear1.weight [F, D]</c>,
    /// <c>linear1.bias</c>, <c>linear2.weight [D, F]</c>, <c>linear2.bias</c>, <c>norm1.weight</c>, <c>norm1.bias</c>,
    /// <c>norm2.weight</c>, <c>norm2.bias</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class TransformerEncoderAttribute : Attribute
    {
        /// <summary>Declares an encoder block of <paramref name="heads"/> attention heads and a feed-forward width of <paramref name="feedForward"/>.</summary>
        public TransformerEncoderAttribute(int heads, int feedForward)
        {
            Heads = heads;
            FeedForward = feedForward;
        }

        /// <summary>Attention heads; the model width D must be a multiple of it.</summary>
        public int Heads { get; }

        /// <summary>Units of the feed-forward network's hidden layer.</summary>
        public int FeedForward { get; }

        /// <summary>Dropout rate on the attention weights, after attention, inside and after the feed-forward network (training only). 0.1 unless set.</summary>
        public float Dropout { get; set; } = 0.1f;

        /// <summary>The feed-forward activation: <see cref="Activation.ReLU"/> (default) or <see cref="Activation.Gelu"/>.</summary>
        public Activation Activation { get; set; } = Activation.ReLU;

        /// <summary>Pre-norm (<c>x = x + SA(norm1(x)); x = x + FF(norm2(x))</c>) instead of post-norm.</summary>
        public bool NormFirst { get; set; }

        /// <summary>The LayerNorms' epsilon: 1e-5 unless set.</summary>
        public float Epsilon { get; set; } = 1e-5f;

        /// <summary>Masks the future: position t attends to positions 0..t (a decoder-only language model).</summary>
        public bool Causal { get; set; }

        /// <summary>The block's name. Defaults to <c>transformer_encoder</c>, <c>transformer_encoder_1</c>, ….</summary>
        public string? Name { get; set; }
    }

    /// <summary>
    /// Multi-head self-attention, exactly <c>torch.nn.MultiheadAttention(D, heads, batch_first=True)</c> applied as
    /// <c>attn(x, x, x)</c>: [B, T, D] → [B, T, D]. Parameters <c>{Name}.in_proj_weight [3D, D]</c>, <c>in_proj_bias</c>,
    /// <c>out_proj.weight [D, D]</c>, <c>out_proj.bias</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MultiHeadAttentionAttribute : Attribute
    {
        /// <summary>Declares self-attention with <paramref name="heads"/> heads.</summary>
        public MultiHeadAttentionAttribute(int heads) => Heads = heads;

        /// <summary>Attention heads; the model width D must be a multiple of it.</summary>
        public int Heads { get; }

        /// <summary>Dropout rate on the attention weights (training only); 0 unless set.</summary>
        public float Dropout { get; set; }

        /// <summary>Masks the future: position t attends to positions 0..t.</summary>
        public bool Causal { get; set; }

        /// <summary>The layer's name. Defaults to <c>multi_head_attention</c>, ….</summary>
        public string? Name { get; set; }
    }

    /// <summary>Layer normalization over the features of each position, exactly <c>torch.nn.LayerNorm(D)</c>: <c>{Name}.weight</c>, <c>{Name}.bias</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LayerNormAttribute : Attribute
    {
        /// <summary>Added to the variance before the square root: 1e-5 unless set.</summary>
        public float Epsilon { get; set; } = 1e-5f;

        /// <summary>The layer's name. Defaults to <c>layer_normalization</c>, ….</summary>
        public string? Name { get; set; }
    }

    /// <summary>
    /// Adds a position's vector to each step of a sequence [B, T, D]: a learned table <c>{Name}.weight [T, D]</c>
    /// initialized N(0, 1), like BERT's; or with <see cref="Sinusoidal"/>, the fixed sine/cosine table of the
    /// original Transformer (no parameters).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class PositionalEmbeddingAttribute : Attribute
    {
        /// <summary>The fixed table <c>PE[t, 2i] = sin(t / 10000^(2i/D))</c>, <c>PE[t, 2i+1] = cos(…)</c> instead of a learned one.</summary>
        public bool Sinusoidal { get; set; }

        /// <summary>The layer's name. Defaults to <c>positional_embedding</c>, ….</summary>
        public string? Name { get; set; }
    }

    /// <summary>The mean over time, [B, T, D] → [B, D]; with a padding index on the Embedding, over the non-padding positions only.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAveragePool1DAttribute : Attribute
    {
        /// <summary>The layer's name. Defaults to <c>global_average_pooling1d</c>, ….</summary>
        public string? Name { get; set; }
    }
}

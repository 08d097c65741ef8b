namespace NetGen.Generator.Model
{
    /// <summary>Layer normalization of each position's <c>Features</c> values (the last axis).</summary>
    internal sealed record LayerNormSpec(string Name, string Identifier, TensorType Input, TensorType Output, int Features, float Epsilon)
        : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "LayerNorm";

        public int Rows => Input.Steps;

        public override long ParameterCount => 2L * Features;
    }

    /// <summary>Multi-head self-attention over a sequence [T, D]: fused QKV projection, attention per head, output projection.</summary>
    internal sealed record AttentionSpec(string Name, string Identifier, TensorType Input, TensorType Output, int Steps, int Features, int Heads,
        float Dropout, bool Causal) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "MultiHeadAttention";

        public int HeadDim => Features / Heads;

        public override long ParameterCount => 4L * Features * Features + 4L * Features;

        public override long ForwardFlopsPerSample => 2L * Steps * 4 * Features * Features + 4L * Steps * Steps * Features;

        public override bool ModeDependent => Dropout > 0;

        public override bool UsesDropoutStream => Dropout > 0;

        public override string? Detail => $"{Heads} heads" + (Causal ? ", causal" : "");
    }

    /// <summary>A learned [T, D] table added to a sequence, or the fixed sine/cosine one.</summary>
    internal sealed record PositionalEmbeddingSpec(string Name, string Identifier, TensorType Input, TensorType Output, int Steps, int Features,
        bool Sinusoidal) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "PositionalEmbedding";

        public override long ParameterCount => Sinusoidal ? 0 : (long)Steps * Features;

        public override string? Detail => Sinusoidal ? "sinusoidal" : null;
    }

    /// <summary>The mean over time of [T, D] → [D] (over non-padding positions when the network masks padding).</summary>
    internal sealed record SequencePoolSpec(string Name, string Identifier, TensorType Input, TensorType Output, int Steps, int Features)
        : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "GlobalAveragePool1D";
    }

    /// <summary>
    /// A Transformer encoder block over [T, D]: self-attention and a feed-forward network of
    /// <c>FeedForward</c> units, each with a residual connection and a LayerNorm (after, or before with NormFirst).
    /// </summary>
    internal sealed record TransformerEncoderSpec(string Name, string Identifier, TensorType Input, TensorType Output, int Steps, int Features,
        int Heads, int FeedForward, float Dropout, ActivationKind Activation, bool NormFirst, float Epsilon, bool Causal)
        : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "TransformerEncoder";

        public int HeadDim => Features / Heads;

        public override long ParameterCount =>
            4L * Features * Features + 4L * Features + 2L * Features * FeedForward + FeedForward + Features + 4L * Features;

        public override long ForwardFlopsPerSample =>
            2L * Steps * (4L * Features * Features + 2L * Features * FeedForward) + 4L * Steps * Steps * Features;

        public override bool ModeDependent => Dropout > 0;

        public override bool UsesDropoutStream => Dropout > 0;

        public override string? Detail =>
            $"{Heads} heads, ff {FeedForward}" + (Activation == ActivationKind.Gelu ? ", GELU" : "") + (NormFirst ? ", pre-norm" : "") + (Causal ? ", causal" : "");
    }
}

namespace NetGen.Generator.Model
{
    /// <summary>A table of <c>Dimensions</c> values per token id: <c>[T]</c> ids → <c>[T, D]</c>; weight <c>[Vocabulary, Dimensions]</c>.</summary>
    /// <param name="PaddingIndex">The id whose row starts at zero and gets no gradient, or −1.</param>
    internal sealed record EmbeddingSpec(
        string Name,
        string Identifier,
        TensorType Input,
        TensorType Output,
        int Vocabulary,
        int Dimensions,
        int PaddingIndex) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "Embedding";

        public int Steps => Input.Dims[0];

        public override long ParameterCount => (long)Vocabulary * Dimensions;

        public override string? Detail => PaddingIndex >= 0 ? $"padding {PaddingIndex}" : null;
    }

    internal enum RecurrentCell
    {
        Lstm,
        Gru,
    }

    /// <summary>
    /// An LSTM or GRU of <c>Units</c> hidden units, <c>Layers</c> of them stacked, over a sequence
    /// <c>[T, InFeatures]</c>: <c>[T, Units]</c> with <c>ReturnSequences</c>, else the last step's <c>[Units]</c>.
    /// </summary>
    internal sealed record RecurrentSpec(
        string Name,
        string Identifier,
        TensorType Input,
        TensorType Output,
        RecurrentCell Cell,
        int InFeatures,
        int Units,
        int Layers,
        bool ReturnSequences) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => Cell == RecurrentCell.Lstm ? "Lstm" : "Gru";

        public int Steps => Input.Dims[0];

        /// <summary>Gate rows per unit: 4 (i, f, g, o) or 3 (r, z, n).</summary>
        public int Gates => Cell == RecurrentCell.Lstm ? 4 : 3;

        /// <summary>The input width of stacked layer <paramref name="k"/>.</summary>
        public int InputOf(int k) => k == 0 ? InFeatures : Units;

        public override long ParameterCount
        {
            get
            {
                long count = 0;
                for (int k = 0; k < Layers; k++)
                {
                    count += (long)Gates * Units * (InputOf(k) + Units + 2);
                }
                return count;
            }
        }

        public override long ForwardFlopsPerSample
        {
            get
            {
                long flops = 0;
                for (int k = 0; k < Layers; k++)
                {
                    flops += 2L * Steps * Gates * Units * (InputOf(k) + Units);
                }
                return flops;
            }
        }

        public override string? Detail =>
            (Layers > 1 ? $"{Layers} layers, " : "") + (ReturnSequences ? "sequences" : "last step");
    }
}

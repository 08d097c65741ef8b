namespace NetGen.Generator.Model
{
    /// <param name="Namespace">As C# needs it (keywords escaped with @), or null for the global namespace.</param>
    /// <param name="ClassName">As C# needs it (<c>@class</c>).</param>
    /// <param name="PaddingIndex">The Embedding's padding id, masked as a key in attention and left out of sequence pooling; −1 for none.</param>
    /// <param name="Vocabulary">The token-id range of a [TokenInput] network, 0 for float inputs.</param>
    /// <param name="DisplayName">As people read it, for the summary and comments (<c>class</c>).</param>
    /// <summary>
    /// Everything the emitter needs to write one network, and nothing else. This record is the value
    /// the incremental pipeline caches, so it must stay cacheable: records, strings, numbers and
    /// <see cref="EquatableArray{T}"/> only — no ISymbol, SyntaxNode, Location or Compilation.
    /// </summary>
    internal sealed record NetworkSpec(
        string? Namespace,
        string ClassName,
        string DisplayName,
        string HintName,
        LossKind Loss,
        TensorType Input,
        int Vocabulary,
        int PaddingIndex,
        EquatableArray<LayerSpec> Layers,
        EquatableArray<ParameterSpec> Parameters,
        int ParameterCount,
        EquatableArray<ParameterSpec> Buffers,
        int BufferCount)
    {
        /// <summary>Whether some layer behaves differently in training and inference, so the forward pass takes a mode.</summary>
        public bool HasModes => System.Linq.Enumerable.Any(Layers, l => l.ModeDependent);

        public TensorType Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;

        /// <summary>Whether the inputs are token ids ([TokenInput]): <c>ReadOnlySpan&lt;int&gt;</c> everywhere.</summary>
        public bool TokenInputs => Input.IsTokens;

        /// <summary>Whether a cross-entropy output is a class per time step ([B, T, V] against [B, T] labels).</summary>
        public bool PerStepTargets => Output.IsSequence;

        /// <summary>Classes of a cross-entropy output: its last axis.</summary>
        public int Classes => Output.Features;

        /// <summary>Targets per sample: a label per step, one label, or one value per output.</summary>
        public long TargetSize => Loss == LossKind.CrossEntropy ? (PerStepTargets ? Output.Dims[0] : 1) : Output.Size;

        /// <summary>For comments: <c>Demo.MnistMlp</c>.</summary>
        public string FullName => HintName.Substring(0, HintName.Length - ".g.cs".Length);
    }

    /// <summary>One tensor in the flat parameter buffer: <c>hidden.weight [128, 784]</c> at <c>Offset</c>.</summary>
    /// <param name="OffsetConstant">The name of the generated constant that holds <see cref="Offset"/>.</param>
    internal sealed record ParameterSpec(string Name, EquatableArray<int> Shape, int Offset, int Length, string OffsetConstant);
}

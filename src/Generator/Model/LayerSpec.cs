namespace NetGen.Generator.Model
{
    /// <summary>
    /// One checked layer: its name, the C# identifier stem derived from it, and the shapes it maps
    /// between. Each layer kind is a derived record with its own emitter.
    /// </summary>
    internal abstract record LayerSpec(string Name, string Identifier, TensorType Input, TensorType Output)
    {
        /// <summary>The attribute's name without "Attribute", as the summary prints it.</summary>
        public abstract string Kind { get; }

        /// <summary>Trainable parameters this layer owns.</summary>
        public virtual long ParameterCount => 0;

        /// <summary>Multiply-adds count twice: forward floating-point operations for one sample.</summary>
        public virtual long ForwardFlopsPerSample => 0;

        /// <summary>What the summary prints after the kind, e.g. the activation.</summary>
        public virtual string? Detail => null;

        /// <summary>Non-trainable values this layer keeps with its parameters (running statistics).</summary>
        public virtual long BufferCount => 0;

        /// <summary>Whether the layer behaves differently in training and in inference (dropout, batch-norm).</summary>
        public virtual bool ModeDependent => false;

        /// <summary>Whether training draws dropout masks for it from the network's dropout stream.</summary>
        public virtual bool UsesDropoutStream => false;
    }

    /// <summary><c>y = activation(x·Wᵀ + b)</c> with <c>W</c> stored <c>[Units, InFeatures]</c>.</summary>
    internal sealed record DenseSpec(
        string Name,
        string Identifier,
        TensorType Input,
        TensorType Output,
        int InFeatures,
        int Units,
        ActivationKind Activation,
        InitializerKind Init) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "Dense";

        /// <summary>Time steps it applies at: 1 on a vector, T on a sequence [T, InFeatures].</summary>
        public int Steps => Input.IsSequence ? Input.Dims[0] : 1;

        public override long ParameterCount => (long)Units * InFeatures + Units;

        public override long ForwardFlopsPerSample => 2L * Steps * Units * InFeatures;

        public override string? Detail => Activation == ActivationKind.None ? null : Activation.ToString();
    }

    /// <summary>Reinterprets each sample as one dimension; no data moves.</summary>
    internal sealed record FlattenSpec(string Name, string Identifier, TensorType Input, TensorType Output)
        : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "Flatten";
    }
}

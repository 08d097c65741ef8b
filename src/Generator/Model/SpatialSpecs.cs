using NetGen.Generator.Emit;

namespace NetGen.Generator.Model
{
    /// <summary>
    /// A 2-D convolution of <c>[C, H, W]</c> into <c>[Filters, OH, OW]</c>; weights <c>[Filters, C, k, k]</c>.
    /// Padding is split top/left and bottom/right (they differ when Same padding needs an odd total).
    /// </summary>
    internal sealed record Conv2DSpec(
        string Name,
        string Identifier,
        TensorType Input,
        TensorType Output,
        int InChannels,
        int Filters,
        int Kernel,
        int Stride,
        int PadTop,
        int PadLeft,
        int PadBottom,
        int PadRight,
        int Dilation,
        ActivationKind Activation,
        bool HasBias,
        InitializerKind Init) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "Conv2D";

        public int PatchSize => InChannels * Kernel * Kernel;

        public override long ParameterCount => (long)Filters * PatchSize + (HasBias ? Filters : 0);

        public override long ForwardFlopsPerSample => 2L * Filters * PatchSize * Output.Dims[1] * Output.Dims[2];

        public override string? Detail =>
            $"{Kernel}×{Kernel}" + (Stride != 1 ? $"/{Stride}" : "") + (Activation == ActivationKind.None ? "" : ", " + Activation);
    }

    /// <summary>Max or average pooling of each channel over <c>Size×Size</c> windows.</summary>
    internal sealed record Pool2DSpec(
        string Name,
        string Identifier,
        TensorType Input,
        TensorType Output,
        PoolKind Pool,
        int Size,
        int Stride,
        int Pad) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => Pool == PoolKind.Max ? "MaxPool2D" : "AvgPool2D";

        public override string? Detail => $"{Size}×{Size}" + (Stride != Size ? $"/{Stride}" : "");
    }

    /// <summary>The mean of each channel: <c>[C, H, W]</c> → <c>[C]</c>.</summary>
    internal sealed record GlobalAveragePoolSpec(string Name, string Identifier, TensorType Input, TensorType Output)
        : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "GlobalAveragePool2D";
    }

    /// <summary>Batch normalization of <c>Channels</c> features ([F]) or channels ([C, H, W]).</summary>
    internal sealed record BatchNormSpec(
        string Name,
        string Identifier,
        TensorType Input,
        TensorType Output,
        int Channels,
        float Momentum,
        float Epsilon,
        ActivationKind Activation) : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "BatchNorm";

        /// <summary>Whether it normalizes channels of a [C, H, W] tensor (else features of [F]).</summary>
        public bool Spatial => Input.IsImage;

        public override long ParameterCount => 2L * Channels;

        /// <summary>running_mean, running_var and num_batches_tracked.</summary>
        public override long BufferCount => 2L * Channels + 1;

        public override bool ModeDependent => true;

        public override string? Detail => Activation == ActivationKind.None ? null : Activation.ToString();
    }

    /// <summary>Inverted dropout of <c>Rate</c>.</summary>
    internal sealed record DropoutSpec(string Name, string Identifier, TensorType Input, TensorType Output, float Rate)
        : LayerSpec(Name, Identifier, Input, Output)
    {
        public override string Kind => "Dropout";

        public override bool ModeDependent => true;

        public override bool UsesDropoutStream => true;

        public override string? Detail => Format.Float(Rate);
    }
}

using System;

namespace NetGen
{
    /// <summary>
    /// A 2-D convolution over a <c>[C, H, W]</c> input: <c>filters</c> kernels of <c>kernel×kernel</c>,
    /// weights stored <c>[filters, C, kernel, kernel]</c> like <c>torch.nn.Conv2d</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv2DAttribute : Attribute
    {
        /// <summary>Declares a convolution with <paramref name="filters"/> output channels and a square <paramref name="kernel"/>.</summary>
        public Conv2DAttribute(int filters, int kernel)
        {
            Filters = filters;
            Kernel = kernel;
        }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Kernel side.</summary>
        public int Kernel { get; }

        /// <summary>Step between windows; 1 unless set.</summary>
        public int Stride { get; set; } = 1;

        /// <summary><see cref="NetGen.Padding.Valid"/> (default) or <see cref="NetGen.Padding.Same"/>.</summary>
        public Padding Padding { get; set; }

        /// <summary>Explicit zero padding on every side, instead of <see cref="Padding"/>.</summary>
        public int Pad { get; set; }

        /// <summary>Spacing between kernel taps; 1 unless set.</summary>
        public int Dilation { get; set; } = 1;

        /// <summary>The function applied to the outputs.</summary>
        public Activation Activation { get; set; }

        /// <summary>Whether the layer has a bias (true unless set; turn it off before a BatchNorm).</summary>
        public bool Bias { get; set; } = true;

        /// <summary>The layer's name (parameters <c>{Name}.weight</c>, <c>{Name}.bias</c>); <c>conv2d</c>, <c>conv2d_1</c>, … unless set.</summary>
        public string? Name { get; set; }

        /// <summary>How the weights are initialized; N(0, 1/fan_in) with fan_in = C·kernel² unless set.</summary>
        public Initializer Init { get; set; }
    }

    /// <summary>Max pooling over <c>size×size</c> windows of each channel.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool2DAttribute : Attribute
    {
        /// <summary>Declares max pooling with a square window of <paramref name="size"/>.</summary>
        public MaxPool2DAttribute(int size) => Size = size;

        /// <summary>Window side.</summary>
        public int Size { get; }

        /// <summary>Step between windows; the window size unless set.</summary>
        public int Stride { get; set; }

        /// <summary>Padding on every side (never the maximum); at most half the window.</summary>
        public int Pad { get; set; }

        /// <summary>The layer's name in the summary.</summary>
        public string? Name { get; set; }
    }

    /// <summary>Average pooling over <c>size×size</c> windows of each channel (padding counts as zeros, as PyTorch's default).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool2DAttribute : Attribute
    {
        /// <summary>Declares average pooling with a square window of <paramref name="size"/>.</summary>
        public AvgPool2DAttribute(int size) => Size = size;

        /// <summary>Window side.</summary>
        public int Size { get; }

        /// <summary>Step between windows; the window size unless set.</summary>
        public int Stride { get; set; }

        /// <summary>Zero padding on every side; at most half the window.</summary>
        public int Pad { get; set; }

        /// <summary>The layer's name in the summary.</summary>
        public string? Name { get; set; }
    }

    /// <summary>The mean of each channel: <c>[C, H, W]</c> becomes <c>[C]</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAveragePool2DAttribute : Attribute
    {
        /// <summary>The layer's name in the summary.</summary>
        public string? Name { get; set; }
    }

    /// <summary>
    /// Batch normalization of features (<c>[F]</c>, after Dense) or channels (<c>[C, H, W]</c>, after
    /// Conv2D), like PyTorch's BatchNorm1d/2d: batch statistics in training, running statistics in
    /// inference. Parameters <c>weight</c>, <c>bias</c>; buffers <c>running_mean</c>, <c>running_var</c>,
    /// <c>num_batches_tracked</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNormAttribute : Attribute
    {
        /// <summary>How far the running statistics move towards each batch's; 0.1 unless set (PyTorch's default).</summary>
        public float Momentum { get; set; } = 0.1f;

        /// <summary>Added to the variance; 1e-5 unless set.</summary>
        public float Epsilon { get; set; } = 1e-5f;

        /// <summary>The function applied after normalizing (e.g. ReLU for Conv → BatchNorm → ReLU).</summary>
        public Activation Activation { get; set; }

        /// <summary>The layer's name; <c>batch_normalization</c>, … unless set.</summary>
        public string? Name { get; set; }
    }

    /// <summary>Inverted dropout: in training each value is zeroed with probability <c>rate</c> and the rest scaled by 1/(1 − rate); identity in inference.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DropoutAttribute : Attribute
    {
        /// <summary>Declares dropout of <paramref name="rate"/> in [0, 1).</summary>
        public DropoutAttribute(float rate) => Rate = rate;

        /// <summary>The probability of dropping a value.</summary>
        public float Rate { get; }

        /// <summary>The layer's name in the summary.</summary>
        public string? Name { get; set; }
    }
}

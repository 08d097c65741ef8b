using System;

namespace NetGen.Kernels
{
    /// <summary>
    /// The shape of one 2-D convolution, computed by the generator: input [C, H, W], <c>F</c> filters of
    /// <c>k×k</c>, stride, zero padding (top/left; bottom/right follow from the output size) and dilation.
    /// </summary>
    public readonly struct ConvGeometry
    {
        /// <summary>Describes a convolution; throws if the output size does not follow from the rest.</summary>
        public ConvGeometry(int channels, int height, int width, int filters, int kernel, int stride, int padTop, int padLeft,
            int dilation, int outHeight, int outWidth)
        {
            if (channels < 1 || height < 1 || width < 1 || filters < 1 || kernel < 1 || stride < 1 || dilation < 1 || padTop < 0 || padLeft < 0
                || outHeight < 1 || outWidth < 1
                || (outHeight - 1) * stride - padTop + (kernel - 1) * dilation < 0 || (outWidth - 1) * stride - padLeft + (kernel - 1) * dilation < 0)
            {
                throw new ArgumentException(
                    $"Inconsistent convolution: input [{channels}, {height}, {width}], {filters} filters {kernel}×{kernel}, stride {stride}, " +
                    $"padding {padTop}/{padLeft}, dilation {dilation}, output [{outHeight}, {outWidth}].");
            }
            Channels = channels;
            Height = height;
            Width = width;
            Filters = filters;
            Kernel = kernel;
            Stride = stride;
            PadTop = padTop;
            PadLeft = padLeft;
            Dilation = dilation;
            OutHeight = outHeight;
            OutWidth = outWidth;
        }

        /// <summary>Input channels.</summary>
        public int Channels { get; }

        /// <summary>Input height.</summary>
        public int Height { get; }

        /// <summary>Input width.</summary>
        public int Width { get; }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Kernel side.</summary>
        public int Kernel { get; }

        /// <summary>Step between windows.</summary>
        public int Stride { get; }

        /// <summary>Zero rows above the input.</summary>
        public int PadTop { get; }

        /// <summary>Zero columns left of the input.</summary>
        public int PadLeft { get; }

        /// <summary>Spacing between kernel taps.</summary>
        public int Dilation { get; }

        /// <summary>Output height.</summary>
        public int OutHeight { get; }

        /// <summary>Output width.</summary>
        public int OutWidth { get; }

        /// <summary>Values in one patch: C·k·k, the length of a filter.</summary>
        public int PatchSize => Channels * Kernel * Kernel;

        /// <summary>Output positions per sample: OH·OW.</summary>
        public int OutPositions => OutHeight * OutWidth;
    }
}

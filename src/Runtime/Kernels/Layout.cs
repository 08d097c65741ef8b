using System;

namespace NetGen.Kernels
{
    /// <summary>
    /// Moves between the batch-major layout users see (<c>[B, C, H, W]</c>, NCHW) and the channel-major
    /// layout spatial layers work in (<c>[C, B, H, W]</c>). Planes of H·W values move whole; with one
    /// channel the two layouts are the same bytes and no copy is needed.
    /// </summary>
    public static class Layout
    {
        /// <summary>[B, C, S] → [C, B, S].</summary>
        public static void ToChannelMajor(ReadOnlySpan<float> batchMajor, Span<float> channelMajor, int batch, int channels, int planeSize)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int c = 0; c < channels; c++)
                {
                    batchMajor.Slice((b * channels + c) * planeSize, planeSize).CopyTo(channelMajor.Slice((c * batch + b) * planeSize, planeSize));
                }
            }
        }

        /// <summary>[C, B, S] → [B, C, S].</summary>
        public static void ToBatchMajor(ReadOnlySpan<float> channelMajor, Span<float> batchMajor, int batch, int channels, int planeSize)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int b = 0; b < batch; b++)
                {
                    channelMajor.Slice((c * batch + b) * planeSize, planeSize).CopyTo(batchMajor.Slice((b * channels + c) * planeSize, planeSize));
                }
            }
        }
    }
}

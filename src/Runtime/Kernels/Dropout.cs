using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// Inverted dropout: in training each value is kept with probability 1 − rate and scaled by
    /// 1/(1 − rate), so inference is the identity. The mask comes from a seeded <see cref="Rng"/>, one
    /// draw per value in order, so a network's seed fixes every mask of its training run.
    /// </summary>
    public static class Dropout
    {
        /// <summary>Draws <paramref name="mask"/> (0 or 1/(1 − rate)) and writes y = x·mask.</summary>
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(rng);
            if (!(rate >= 0 && rate < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
            }
            int n = x.Length;
            float keep = 1f / (1 - rate);
            // 24-bit uniforms, two per 64-bit draw: u < rate drops.
            uint threshold = (uint)Math.Round(rate * (1 << 24));
            int i = 0;
            for (; i + 1 < n; i += 2)
            {
                ulong bits = rng.NextUInt64();
                mask[i] = (uint)(bits >> 40) < threshold ? 0f : keep;
                mask[i + 1] = (uint)((bits >> 8) & 0xFFFFFF) < threshold ? 0f : keep;
            }
            if (i < n)
            {
                mask[i] = (uint)(rng.NextUInt64() >> 40) < threshold ? 0f : keep;
            }
            TensorPrimitives.Multiply(x, mask.Slice(0, n), y.Slice(0, n));
        }

        /// <summary>dx = dy·mask; <paramref name="dy"/> and <paramref name="dx"/> may be the same span.</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx) =>
            TensorPrimitives.Multiply(dy, mask.Slice(0, dy.Length), dx.Slice(0, dy.Length));
    }
}

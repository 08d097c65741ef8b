using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// Inverted dropout: in training each value is kept with probability 1 − rate and scaled by
    /// 1/(1 − rate), so inference is the identity. The mask comes from a seeded <see cref="Rng"/>, four
    /// 16-bit draws per 64-bit number, values in order, so a network's seed fixes every mask of its training run.
    /// </summary>
    public static class Dropout
    {
        /// <summary>Draws <paramref name="mask"/> (0 or 1/(1 − rate)) and writes y = x·mask.</summary>
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
        {
            int n = x.Length;
            Mask(mask.Slice(0, n), rate, rng);
            TensorPrimitives.Multiply(x, mask.Slice(0, n), y.Slice(0, n));
        }

        /// <summary>Draws a mask of 0 or 1/(1 − rate) per value, each value dropped with probability <paramref name="rate"/>.</summary>
        public static void Mask(Span<float> mask, float rate, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(rng);
            if (!(rate >= 0 && rate < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
            }
            int n = mask.Length;
            float keep = 1f / (1 - rate);
            // 16-bit uniforms, four per 64-bit draw (rates resolve to 1/65536): u < rate drops. Branch-free:
            // (u − threshold) is negative exactly when the value drops.
            int threshold = (int)Math.Round(rate * 65536);
            int i = 0;
            for (; i + 3 < n; i += 4)
            {
                ulong bits = rng.NextUInt64();
                mask[i] = keep * (1 - (int)(((uint)((int)(bits & 0xFFFF) - threshold)) >> 31));
                mask[i + 1] = keep * (1 - (int)(((uint)((int)((bits >> 16) & 0xFFFF) - threshold)) >> 31));
                mask[i + 2] = keep * (1 - (int)(((uint)((int)((bits >> 32) & 0xFFFF) - threshold)) >> 31));
                mask[i + 3] = keep * (1 - (int)(((uint)((int)(bits >> 48) - threshold)) >> 31));
            }
            if (i < n)
            {
                ulong bits = rng.NextUInt64();
                for (; i < n; i++, bits >>= 16)
                {
                    mask[i] = keep * (1 - (int)(((uint)((int)(bits & 0xFFFF) - threshold)) >> 31));
                }
            }
        }

        /// <summary>dx = dy·mask; <paramref name="dy"/> and <paramref name="dx"/> may be the same span.</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx) =>
            TensorPrimitives.Multiply(dy, mask.Slice(0, dy.Length), dx.Slice(0, dy.Length));
    }
}

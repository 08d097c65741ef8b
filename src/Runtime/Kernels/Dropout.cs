using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
            if (y.Length < n)
            {
                throw new ArgumentException($"y has {y.Length} values; dropout writes {n}.", nameof(y));
            }
            Elementwise.Multiply(x, mask.Slice(0, n), y.Slice(0, n));
        }

        /// <summary>Draws a mask of 0 or 1/(1 − rate) per value, each value dropped with probability <paramref name="rate"/>.</summary>
        public static void Mask(Span<float> mask, float rate, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(rng);
            if (!(rate >= 0 && rate < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
            }
            float keep = 1f / (1 - rate);
            // 16-bit uniforms, four per 64-bit draw (rates resolve to 1/65536): u < rate drops. The draws come a batch at a
            // time with the generator's state in registers, and their 16-bit parts are compared a vector at a time.
            int threshold = (int)Math.Round(rate * 65536);
            Span<ulong> draws = stackalloc ulong[DrawsPerBatch];
            for (int i = 0; i < mask.Length; i += 4 * DrawsPerBatch)
            {
                int values = Math.Min(mask.Length - i, 4 * DrawsPerBatch);
                Span<ulong> batch = draws.Slice(0, (values + 3) / 4);
                rng.Fill(batch);
                Keep(batch, mask.Slice(i, values), threshold, keep);
            }
        }

        private const int DrawsPerBatch = 256;

        /// <summary>
        /// <c>mask[j] = u_j &lt; threshold ? 0 : keep</c>, where <c>u_j</c> is bits <c>16·(j mod 4)</c> and up of draw <c>j / 4</c>:
        /// on a little-endian machine, the draws' 16-bit words in memory order.
        /// </summary>
        private static void Keep(ReadOnlySpan<ulong> draws, Span<float> mask, int threshold, float keep)
        {
            int j = 0;
            if (BitConverter.IsLittleEndian && Vector256.IsHardwareAccelerated)
            {
                ReadOnlySpan<ushort> words = MemoryMarshal.Cast<ulong, ushort>(draws);
                Vector256<int> limit = Vector256.Create(threshold);
                Vector256<float> kept = Vector256.Create(keep);
                for (; j + 16 <= mask.Length; j += 16)
                {
                    (Vector256<uint> low, Vector256<uint> high) = Vector256.Widen(Vector256.Create(words.Slice(j, 16)));
                    Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(low.AsInt32(), limit).AsSingle(), kept, Vector256<float>.Zero)
                        .CopyTo(mask.Slice(j, 8));
                    Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(high.AsInt32(), limit).AsSingle(), kept, Vector256<float>.Zero)
                        .CopyTo(mask.Slice(j + 8, 8));
                }
            }
            for (; j < mask.Length; j++)
            {
                int u = (int)((draws[j / 4] >> (16 * (j % 4))) & 0xFFFF);
                mask[j] = keep * (1 - (int)((uint)(u - threshold) >> 31));
            }
        }

        /// <summary>dx = dy·mask; <paramref name="dy"/> and <paramref name="dx"/> may be the same span.</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx) =>
            Elementwise.Multiply(dy, mask.Slice(0, dy.Length), dx.Slice(0, dy.Length));
    }
}

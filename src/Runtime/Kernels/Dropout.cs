using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// Inverted dropout: in training each value is kept with probability 1 − rate and scaled by
    /// 1/(1 − rate), so inference is the identity. The mask comes from a seeded <see cref="Rng"/>: each mask takes one
    /// 64-bit draw <c>s</c> of it, and its block <c>b</c> of <see cref="BlockValues"/> values draws from eight streams stepped
    /// side by side, lane <c>l</c> being <c>new Rng(s, stream: 8b + l)</c>: the block's i-th 64-bit number is lane (i mod 8)'s
    /// (i / 8)-th, and each number gives four 16-bit draws, values in order. So a network's seed fixes every
    /// mask of its training run, a mask moves the network's generator by one draw whatever its size (a resumed run
    /// continues exactly), and the blocks are drawn on all cores (a Transformer step draws millions of values) with the
    /// same results on any number of threads.
    /// </summary>
    public static unsafe class Dropout
    {
        /// <summary>Values per block of a mask, each from its own stream (fixed: the masks never depend on the thread count).</summary>
        public const int BlockValues = 16 * 1024;

        private const int DrawsPerBatch = 256;

        private struct Job
        {
            public float* X, Y, Mask;
            public int Length, Threshold;
            public float Keep;
            public long Seed;
        }

        /// <summary>Draws <paramref name="mask"/> (0 or 1/(1 − rate)) and writes y = x·mask, a block at a time.</summary>
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
        {
            int n = x.Length;
            if (y.Length < n || mask.Length < n)
            {
                throw new ArgumentException($"Dropout over {n} values needs as many in y (has {y.Length}) and in the mask (has {mask.Length}).");
            }
            fixed (float* px = x, py = y, pm = mask)
            {
                Draw(px, py, pm, n, rate, rng);
            }
        }

        /// <summary>Draws a mask of 0 or 1/(1 − rate) per value, each value dropped with probability <paramref name="rate"/>.</summary>
        public static void Mask(Span<float> mask, float rate, Rng rng)
        {
            fixed (float* pm = mask)
            {
                Draw(null, null, pm, mask.Length, rate, rng);
            }
        }

        /// <summary>dx = dy·mask; <paramref name="dy"/> and <paramref name="dx"/> may be the same span.</summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx)
        {
            if (mask.Length < dy.Length || dx.Length < dy.Length)
            {
                throw new ArgumentException($"Dropout's gradient over {dy.Length} values needs as many in the mask (has {mask.Length}) and in dx (has {dx.Length}).");
            }
            Elementwise.Multiply(dy, mask.Slice(0, dy.Length), dx.Slice(0, dy.Length));
        }

        private static void Draw(float* x, float* y, float* mask, int n, float rate, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(rng);
            if (!(rate >= 0 && rate < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
            }
            // 16-bit uniforms (rates resolve to 1/65536): u < rate·65536 drops.
            var job = new Job
            {
                X = x,
                Y = y,
                Mask = mask,
                Length = n,
                Threshold = (int)Math.Round(rate * 65536),
                Keep = 1f / (1 - rate),
                Seed = unchecked((long)rng.NextUInt64()),
            };
            WorkerPool.Run((n + BlockValues - 1) / BlockValues, Parallelism.ThreadsForPass(n), &RunBlock, &job);
        }

        // A thin dispatcher (see WorkerPool): the loops are in DrawBlock.
        private static void RunBlock(void* state, int block) => DrawBlock(ref *(Job*)state, block);

        /// <summary>Block <paramref name="block"/> of the mask from its stream, a batch of draws at a time, and its share of y = x·mask.</summary>
        private static void DrawBlock(ref Job job, int block)
        {
            int first = block * BlockValues, count = Math.Min(BlockValues, job.Length - first);
            var stream = new Rng.Lanes(job.Seed, (long)block * Rng.Lanes.Count);
            Span<ulong> draws = stackalloc ulong[DrawsPerBatch];
            for (int i = 0; i < count; i += 4 * DrawsPerBatch)
            {
                int values = Math.Min(count - i, 4 * DrawsPerBatch);
                Span<ulong> batch = draws.Slice(0, ((values + 3) / 4 + Rng.Lanes.Count - 1) / Rng.Lanes.Count * Rng.Lanes.Count);
                stream.Fill(batch);
                var mask = new Span<float>(job.Mask + first + i, values);
                Keep(batch, mask, job.Threshold, job.Keep);
                if (job.X is not null)
                {
                    TensorPrimitives.Multiply(new ReadOnlySpan<float>(job.X + first + i, values), mask, new Span<float>(job.Y + first + i, values));
                }
            }
        }

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
    }
}

using System;

namespace NetGen.Kernels
{
    /// <summary>
    /// What <see cref="Lstm"/> and <see cref="Gru"/> share: the split of the batch into blocks that
    /// run through the whole sequence, the per-block recurrent products, the shifted copy of the
    /// outputs the recurrent weight gradient needs, and the shape checks.
    /// </summary>
    internal static unsafe class Recurrent
    {
        /// <summary>
        /// Rows of the batch per block of a sequence job. The samples of a batch never meet in a
        /// recurrent layer, so a block carries its rows through every step on its own: one fork per
        /// layer and pass instead of one per step, and its rows' state stays in this core's cache.
        /// A fixed size, so the products' tiles (and so the bits) never depend on the thread count.
        /// </summary>
        public const int RowsPerBlock = 8;

        /// <summary>Below this many floating-point operations per thread, a job stays on one thread.</summary>
        private const long MinFlopsPerThread = 2_000_000;

        /// <summary>Refuses weights and biases shorter than <paramref name="gates"/>·H rows need (4 for an LSTM, 3 for a GRU).</summary>
        public static void CheckParameters(int gates, int wIh, int wHh, int bIh, int bHh, int input, int hidden, string bIhName, string bHhName)
        {
            long gateWidth = (long)gates * hidden;
            Require(wIh, gateWidth * input, "wIh");
            Require(wHh, gateWidth * hidden, "wHh");
            Require(bIh, gateWidth, bIhName);
            Require(bHh, gateWidth, bHhName);
        }

        /// <summary>Runs <c>body(state, block)</c> for every block of <see cref="RowsPerBlock"/> rows, on as many threads as <paramref name="flops"/> of work deserve.</summary>
        public static void RunBlocks(int batch, long flops, delegate*<void*, int, void> body, void* state)
        {
            int blocks = (batch + RowsPerBlock - 1) / RowsPerBlock;
            int threads = Parallelism.ThreadsFor(flops, MinFlopsPerThread);
            WorkerPool.Run(blocks, threads, body, state);
        }

        /// <summary>The rows of the batch that block <paramref name="block"/> owns.</summary>
        public static (int First, int Count) BlockRows(int block, int batch)
        {
            int first = block * RowsPerBlock;
            return (first, Math.Min(RowsPerBlock, batch - first));
        }

        /// <summary>
        /// <c>recurrent[rows, G] = b_hh + h[rows, H]·W_hhᵀ</c> for one block's rows, on this thread (or
        /// just <c>b_hh</c> from a zero state). <paramref name="h"/> and <paramref name="recurrent"/> point at the block's first row.
        /// </summary>
        public static void Project(float* h, float* wHh, float* wHhTransposed, float* bHh, float* recurrent, int rows, int hidden, int gateWidth,
            bool zeroState)
        {
            var bias = new ReadOnlySpan<float>(bHh, gateWidth);
            for (int r = 0; r < rows; r++)
            {
                bias.CopyTo(new Span<float>(recurrent + (nint)r * gateWidth, gateWidth));
            }
            if (zeroState)
            {
                return;
            }
            if (wHhTransposed is not null)
            {
                // Broadcast tiles over W_hhᵀ [H, G·H]: no horizontal sums at the end of each output's dot product.
                Gemm.SerialNN(rows, gateWidth, hidden, h, hidden, wHhTransposed, TransposedStride(gateWidth), recurrent, gateWidth, accumulate: true,
                    Epilogue.None, null);
            }
            else
            {
                Gemm.SerialNT(rows, gateWidth, hidden, h, hidden, wHh, hidden, recurrent, gateWidth, accumulate: true);
            }
        }

        /// <summary>
        /// The row stride of W_hhᵀ: a cache line more than a row, so that the rows a tile walks down (2 KB apart at
        /// H = 128) do not all fall into the same few L1 sets.
        /// </summary>
        private static int TransposedStride(int gateWidth) => gateWidth + 16;

        [ThreadStatic]
        private static AlignedBuffer? t_transposedRecurrent;

        /// <summary>
        /// <c>W_hh [gateWidth, hidden]</c> transposed into this thread's scratch (grown once, then reused): <c>[hidden, gateWidth]</c>
        /// with rows <see cref="TransposedStride"/> apart, for the recurrent product of a whole sequence, where the copy costs one
        /// pass over W_hh and saves a horizontal sum per output of every step (measured at H = 128 on Zen 4: the copy 10 µs; a step
        /// of one row 2.4 µs instead of 3.9 as dot products, a block of 8 rows 21% faster). Valid until this thread's next call; workers only
        /// read it during the caller's job.
        /// </summary>
        public static float* Transposed(ReadOnlySpan<float> wHh, int gateWidth, int hidden) =>
            Transpose(wHh, gateWidth, hidden, TransposedStride(gateWidth), ref t_transposedRecurrent);

        private static float* Transpose(ReadOnlySpan<float> w, int rows, int columns, int stride, ref AlignedBuffer? scratch)
        {
            fixed (float* pinned = AlignedBuffer.Grown(ref scratch, (long)stride * columns).Span, source = w)
            {
                Kernels.Transpose.Copy(source, rows, columns, columns, pinned, stride);
                return pinned; // the pinned object heap: the address outlives the fixed block
            }
        }

        public static void ProjectBack(float* dRecurrent, float* wHh, float* dh, int rows, int hidden, int gateWidth, bool accumulate) =>
            Gemm.SerialNN(rows, hidden, gateWidth, dRecurrent, gateWidth, wHh, hidden, dh, hidden, accumulate, Epilogue.None, null);

        /// <summary>
        /// <c>hPrev[b, t] = y[b, t − 1]</c> and <c>hPrev[b, 0] = 0</c> (the zero initial state): the right
        /// operand of <c>dW_hh = dGatesᵀ·hPrev</c> over all <c>B·T</c> rows at once. Both <c>[B, T, H]</c>.
        /// </summary>
        public static void ShiftOneStep(ReadOnlySpan<float> y, Span<float> hPrev, int batch, int steps, int hidden)
        {
            int stride = steps * hidden;
            for (int b = 0; b < batch; b++)
            {
                hPrev.Slice(b * stride, hidden).Clear();
                y.Slice(b * stride, stride - hidden).CopyTo(hPrev.Slice(b * stride + hidden, stride - hidden));
            }
        }

        /// <summary>The next <paramref name="length"/> values of a buffer being carved into arrays; <paramref name="rest"/> moves past them.</summary>
        public static Span<float> Take(ref Span<float> rest, int length)
        {
            Span<float> part = rest.Slice(0, length);
            rest = rest.Slice(length);
            return part;
        }

        /// <inheritdoc cref="Take(ref Span{float}, int)"/>
        public static ReadOnlySpan<float> Take(ref ReadOnlySpan<float> rest, int length)
        {
            ReadOnlySpan<float> part = rest.Slice(0, length);
            rest = rest.Slice(length);
            return part;
        }

        /// <summary>Throws unless the sizes are usable: batch ≥ 0, steps ≥ 1, input ≥ 0, hidden ≥ 1.</summary>
        public static void CheckSizes(int batch, int steps, int input, int hidden)
        {
            if (batch < 0 || steps < 1 || input < 0 || hidden < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(steps),
                    $"Need batch ≥ 0, steps ≥ 1, input ≥ 0, hidden ≥ 1: batch={batch}, steps={steps}, input={input}, hidden={hidden}.");
            }
        }

        /// <summary>Throws unless a span holds at least <paramref name="needed"/> values.</summary>
        public static void Require(int length, long needed, string name)
        {
            if (length < needed)
            {
                throw new ArgumentException($"{name} has {length} values; {needed} are needed.", name);
            }
        }
    }
}

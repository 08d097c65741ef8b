using System;

namespace NetGen.Kernels
{
    /// <summary>
    /// What <see cref="Lstm"/> and <see cref="Gru"/> share: the per-step pass over the rows of the
    /// batch (one row's gate math never reads another's, so any split gives the same bits), the
    /// shifted copy of the outputs the recurrent weight gradient needs, and the shape checks.
    /// </summary>
    internal static unsafe class Recurrent
    {
        /// <summary>Below this many hidden values per step (batch × hidden), the gate math stays on the caller's thread.</summary>
        private const int MinValuesForThreads = 2048;

        /// <summary>Runs <c>body(state, b)</c> for every row <c>b</c> of the batch, on several threads when the step is large enough.</summary>
        public static void ForEachRow(int batch, int hidden, delegate*<void*, int, void> body, void* state)
        {
            int threads = (long)batch * hidden >= MinValuesForThreads ? Parallelism.MaxThreads : 1;
            WorkerPool.Run(batch, threads, body, state);
        }

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

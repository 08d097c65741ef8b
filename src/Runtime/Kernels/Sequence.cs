using System;

namespace NetGen.Kernels
{
    /// <summary>Reshaping helpers between a batch-first sequence <c>[B, T, F]</c> and per-sample vectors <c>[B, F]</c>.</summary>
    public static class Sequence
    {
        /// <summary><c>last[b, :] = seq[b, steps − 1, :]</c>: the final step of each sequence (a many-to-one model's summary).</summary>
        public static void LastStep(ReadOnlySpan<float> seq, Span<float> last, int batch, int steps, int features)
        {
            Check(seq.Length, last.Length, batch, steps, features, nameof(seq), nameof(last));
            int stride = steps * features;
            for (int b = 0; b < batch; b++)
            {
                seq.Slice(b * stride + (steps - 1) * features, features).CopyTo(last.Slice(b * features, features));
            }
        }

        /// <summary><c>dSeq = 0</c> everywhere, then <c>dSeq[b, steps − 1, :] = dLast[b, :]</c>.</summary>
        public static void LastStepBackward(ReadOnlySpan<float> dLast, Span<float> dSeq, int batch, int steps, int features)
        {
            Check(dSeq.Length, dLast.Length, batch, steps, features, nameof(dSeq), nameof(dLast));
            int stride = steps * features;
            dSeq.Slice(0, batch * stride).Clear();
            for (int b = 0; b < batch; b++)
            {
                dLast.Slice(b * features, features).CopyTo(dSeq.Slice(b * stride + (steps - 1) * features, features));
            }
        }

        private static void Check(int seqLength, int lastLength, int batch, int steps, int features, string seqName, string lastName)
        {
            if (batch < 0 || steps < 1 || features < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(steps), $"Need batch ≥ 0, steps ≥ 1, features ≥ 0: batch={batch}, steps={steps}, features={features}.");
            }
            if (seqLength < (long)batch * steps * features)
            {
                throw new ArgumentException($"{seqName} has {seqLength} values; [{batch}, {steps}, {features}] needs {(long)batch * steps * features}.", seqName);
            }
            if (lastLength < (long)batch * features)
            {
                throw new ArgumentException($"{lastName} has {lastLength} values; [{batch}, {features}] needs {(long)batch * features}.", lastName);
            }
        }
    }
}

using System;

namespace NetGen.Kernels
{
    /// <summary>Masks that tell attention and pooling which positions of a padded batch of token sequences to ignore.</summary>
    public static class Masks
    {
        /// <summary>
        /// <c>keyPadding[b, t] = 1</c> where <c>tokens[b, t] == paddingIndex</c>, else 0 (both <c>[B, T]</c>).
        /// Throws <see cref="ArgumentException"/> naming the sample when a whole sequence is padding:
        /// attention would have no key to look at, and a mean over no steps is undefined.
        /// </summary>
        public static void Padding(ReadOnlySpan<int> tokens, int paddingIndex, Span<float> keyPadding, int batch, int steps)
        {
            if (batch < 0 || steps < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(steps), $"Need batch ≥ 0 and steps ≥ 1: batch={batch}, steps={steps}.");
            }
            long values = (long)batch * steps;
            Recurrent.Require(tokens.Length, values, nameof(tokens));
            Recurrent.Require(keyPadding.Length, values, nameof(keyPadding));
            for (int b = 0; b < batch; b++)
            {
                int padded = 0;
                for (int t = b * steps; t < (b + 1) * steps; t++)
                {
                    bool isPadding = tokens[t] == paddingIndex;
                    keyPadding[t] = isPadding ? 1f : 0f;
                    padded += isPadding ? 1 : 0;
                }
                if (padded == steps)
                {
                    throw new ArgumentException(
                        $"Sample {b} of the batch is all padding (every one of its {steps} tokens is the padding index {paddingIndex}): " +
                        "attention needs at least one real token per sequence.", nameof(tokens));
                }
            }
        }
    }
}

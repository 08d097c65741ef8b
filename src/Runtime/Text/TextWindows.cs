using System;

namespace NetGen.Text
{
    /// <summary>
    /// Cuts a token stream into next-token training samples: windows of <c>T</c> input tokens, each with the
    /// <c>T</c> tokens that follow them one step later as targets.
    /// </summary>
    /// <remarks>
    /// To hold text out, <see cref="Split"/> the stream by position first and cut each part separately:
    /// no window then reads tokens from both sides of the cut.
    /// </remarks>
    public static class TextWindows
    {
        /// <summary>
        /// The samples of <paramref name="tokens"/>: sample <c>i</c> starts at <c>s = i × stride</c>, its inputs
        /// are <c>tokens[s .. s+T)</c> and its targets <c>tokens[s+1 .. s+T+1)</c>, with <c>T</c> =
        /// <paramref name="sequenceLength"/>. Every start with a full window is used, so
        /// <c>Count = (tokens.Length − T − 1) / stride + 1</c>; tokens after the last full window are left out.
        /// Inputs and Targets are <c>[Count × T]</c> row-major.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">sequenceLength or stride is not positive.</exception>
        /// <exception cref="ArgumentException">tokens is shorter than one window (T + 1 tokens), or the samples would not fit in one array.</exception>
        public static (int[] Inputs, int[] Targets, int Count) Make(ReadOnlySpan<int> tokens, int sequenceLength, int stride)
        {
            int count = CountWindows(tokens.Length, sequenceLength, stride);
            if (count == 0)
            {
                throw new ArgumentException(
                    $"tokens has {tokens.Length} tokens; one window of sequenceLength {sequenceLength} needs {(long)sequenceLength + 1} (its inputs and the next token).",
                    nameof(tokens));
            }
            long length = (long)count * sequenceLength;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException(
                    $"{count} windows of {sequenceLength} tokens need {length} values per array; at most {Array.MaxLength} fit. Use a larger stride.",
                    nameof(stride));
            }
            int[] inputs = new int[length];
            int[] targets = new int[length];
            for (int i = 0; i < count; i++)
            {
                int start = i * stride;
                tokens.Slice(start, sequenceLength).CopyTo(inputs.AsSpan(i * sequenceLength, sequenceLength));
                tokens.Slice(start + 1, sequenceLength).CopyTo(targets.AsSpan(i * sequenceLength, sequenceLength));
            }
            return (inputs, targets, count);
        }

        /// <summary>
        /// How many samples <see cref="Make"/> cuts from <paramref name="tokenCount"/> tokens: 0 when they are
        /// fewer than <c>sequenceLength + 1</c>.
        /// </summary>
        public static int CountWindows(int tokenCount, int sequenceLength, int stride)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(tokenCount);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
            long spare = (long)tokenCount - sequenceLength - 1;
            return spare < 0 ? 0 : (int)(spare / stride + 1);
        }

        /// <summary>
        /// Splits <paramref name="tokens"/> by position into a training part and, after it, a held-out part
        /// of <c>round(tokens.Length × heldOutFraction)</c> tokens (e.g. 0.1: the last 10%). Both parts are
        /// copies; cut windows from each with <see cref="Make"/>, so none straddles the split.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">heldOutFraction is not strictly between 0 and 1.</exception>
        /// <exception cref="ArgumentException">either part would be empty.</exception>
        public static (int[] Train, int[] HeldOut) Split(ReadOnlySpan<int> tokens, double heldOutFraction)
        {
            if (!(heldOutFraction > 0 && heldOutFraction < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction,
                    $"heldOutFraction must be strictly between 0 and 1; got {heldOutFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }
            int heldOut = (int)Math.Round(tokens.Length * heldOutFraction, MidpointRounding.AwayFromZero);
            int train = tokens.Length - heldOut;
            if (heldOut == 0 || train == 0)
            {
                throw new ArgumentException(
                    $"tokens has {tokens.Length} tokens; holding out {heldOutFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)} of them leaves {train} to train on and {heldOut} held out, and both must be non-empty.",
                    nameof(tokens));
            }
            return (tokens[..train].ToArray(), tokens[train..].ToArray());
        }
    }
}

using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen
{
    /// <summary>
    /// Argument checks the generated code runs before it touches any buffer. Every message says what
    /// was expected and what came.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Guard
    {
        /// <summary>Throws unless <paramref name="batchSize"/> is positive.</summary>
        public static void BatchSize(int batchSize)
        {
            if (batchSize <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                    $"batchSize must be at least 1; got {batchSize}.");
            }
        }

        /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="batchSize"/> × <paramref name="perSample"/>.</summary>
        public static void Length(int actual, int batchSize, int perSample, string paramName, string perSampleName)
        {
            long expected = (long)batchSize * perSample;
            if (actual != expected)
            {
                throw new ArgumentException(
                    $"{paramName} has {actual} values; expected batchSize × {perSampleName} = {batchSize} × {perSample} = {expected}.",
                    paramName);
            }
        }

        /// <summary>Throws unless every label is a class index in [0, <paramref name="classes"/>).</summary>
        public static void Labels(ReadOnlySpan<int> labels, int classes, string paramName)
        {
            for (int i = 0; i < labels.Length; i++)
            {
                if ((uint)labels[i] >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(paramName, labels[i],
                        $"{paramName}[{i}] is {labels[i]}; a class label must be in [0, {classes}).");
                }
            }
        }

        /// <summary>
        /// Throws unless every token id is in [0, <paramref name="vocabularySize"/>). <paramref name="tokens"/> is
        /// <c>[batch × sequenceLength]</c>; the message names the sample, the position in its sequence, the value
        /// and the valid range. The check is one vectorized pass (an unsigned compare catches negatives too).
        /// </summary>
        public static void Tokens(ReadOnlySpan<int> tokens, int vocabularySize, int sequenceLength, string paramName)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
            if (!AllBelow(MemoryMarshal.Cast<int, uint>(tokens), (uint)vocabularySize))
            {
                ThrowToken(tokens, vocabularySize, sequenceLength, paramName);
            }
        }

        // Whether every value is < limit: one OR-accumulated vector compare per Vector<uint>.Count values, then a scalar tail.
        private static bool AllBelow(ReadOnlySpan<uint> values, uint limit)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated && values.Length >= Vector<uint>.Count)
            {
                var bound = new Vector<uint>(limit);
                Vector<uint> outside = Vector<uint>.Zero;
                for (; i <= values.Length - Vector<uint>.Count; i += Vector<uint>.Count)
                {
                    outside |= Vector.GreaterThanOrEqual(new Vector<uint>(values.Slice(i)), bound);
                }
                if (outside != Vector<uint>.Zero)
                {
                    return false;
                }
            }
            for (; i < values.Length; i++)
            {
                if (values[i] >= limit)
                {
                    return false;
                }
            }
            return true;
        }

        private static void ThrowToken(ReadOnlySpan<int> tokens, int vocabularySize, int sequenceLength, string paramName)
        {
            for (int i = 0; i < tokens.Length; i++)
            {
                if ((uint)tokens[i] >= (uint)vocabularySize)
                {
                    throw new ArgumentException(
                        $"{paramName}: sample {i / sequenceLength}, position {i % sequenceLength} holds token {tokens[i]}; a token id must be in [0, {vocabularySize}).",
                        paramName);
                }
            }
        }

        /// <summary>
        /// Throws unless every value is finite (no NaN, no ±∞). <paramref name="values"/> is <c>[batch × perSample]</c>; the
        /// message names the sample, the index in it and the value. One vectorized pass: x·0 is 0 exactly when x is finite.
        /// </summary>
        public static void Finite(ReadOnlySpan<float> values, int perSample, string paramName)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSample);
            if (!AllFinite(values))
            {
                for (int i = 0; i < values.Length; i++)
                {
                    if (!float.IsFinite(values[i]))
                    {
                        throw new ArgumentException(
                            $"{paramName}: sample {i / perSample}, value {i % perSample} is {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; every input must be a finite number.",
                            paramName);
                    }
                }
            }
        }

        private static bool AllFinite(ReadOnlySpan<float> values)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
            {
                Vector<float> product = Vector<float>.Zero;
                for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    // NaN propagates through the sum: one NaN or ∞ anywhere leaves a NaN lane.
                    product += new Vector<float>(values.Slice(i)) * Vector<float>.Zero;
                }
                if (!Vector.EqualsAll(product, Vector<float>.Zero))
                {
                    return false;
                }
            }
            for (; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>The length of a workspace buffer for <paramref name="batchSize"/> samples, or a clear error if it cannot exist.</summary>
        public static int WorkspaceLength(int batchSize, int perSample)
        {
            long length = (long)batchSize * perSample;
            if (length > Array.MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                    $"A batch of {batchSize} samples needs {length} floats in one workspace buffer ({perSample} per sample); at most {Array.MaxLength} fit. Use smaller batches.");
            }
            return (int)length;
        }

        /// <summary>Throws if <paramref name="optimizer"/> is null.</summary>
        public static void Optimizer(Optimizer optimizer) => ArgumentNullException.ThrowIfNull(optimizer);
    }
}

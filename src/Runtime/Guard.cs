using System;
using System.ComponentModel;

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

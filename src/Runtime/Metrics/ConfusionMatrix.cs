using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen
{
    /// <summary>Counts of (actual class, predicted class) pairs: row = actual, column = predicted, as scikit-learn's.</summary>
    public sealed class ConfusionMatrix
    {
        private readonly long[] _counts;

        private ConfusionMatrix(int classCount)
        {
            ClassCount = classCount;
            _counts = new long[(long)classCount * classCount];
        }

        /// <summary>Number of classes (rows and columns).</summary>
        public int ClassCount { get; }

        /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
        public long this[int actual, int predicted]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)actual, (uint)ClassCount, nameof(actual));
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)predicted, (uint)ClassCount, nameof(predicted));
                return _counts[actual * ClassCount + predicted];
            }
        }

        /// <summary>Total samples counted.</summary>
        public long Total
        {
            get
            {
                long sum = 0;
                foreach (long c in _counts)
                {
                    sum += c;
                }
                return sum;
            }
        }

        /// <summary>Counts <paramref name="actual"/> against <paramref name="predicted"/> labels in [0, <paramref name="classCount"/>).</summary>
        public static ConfusionMatrix From(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
            if (actual.Length != predicted.Length)
            {
                throw new ArgumentException($"{actual.Length} actual labels but {predicted.Length} predictions.", nameof(predicted));
            }
            var matrix = new ConfusionMatrix(classCount);
            for (int i = 0; i < actual.Length; i++)
            {
                if ((uint)actual[i] >= (uint)classCount || (uint)predicted[i] >= (uint)classCount)
                {
                    throw new ArgumentOutOfRangeException(nameof(actual), $"Sample {i}: labels {actual[i]} → {predicted[i]} must be in [0, {classCount}).");
                }
                matrix._counts[actual[i] * classCount + predicted[i]]++;
            }
            return matrix;
        }

        /// <summary>Samples of class <paramref name="c"/> (row sum).</summary>
        public long ActualCount(int c)
        {
            long sum = 0;
            for (int p = 0; p < ClassCount; p++)
            {
                sum += this[c, p];
            }
            return sum;
        }

        /// <summary>Samples predicted as class <paramref name="c"/> (column sum).</summary>
        public long PredictedCount(int c)
        {
            long sum = 0;
            for (int a = 0; a < ClassCount; a++)
            {
                sum += this[a, c];
            }
            return sum;
        }

        /// <inheritdoc/>
        public override string ToString() => ToString(null);

        /// <summary>A table, rows actual and columns predicted; column headers are class indices, rows carry names if given.</summary>
        public string ToString(IReadOnlyList<string>? classNames)
        {
            var text = new StringBuilder();
            const string Corner = "actual \\ predicted";
            int nameWidth = Corner.Length;
            for (int c = 0; c < ClassCount; c++)
            {
                nameWidth = Math.Max(nameWidth, Label(c, classNames).Length);
            }
            int cell = Math.Max(5, Total.ToString(CultureInfo.InvariantCulture).Length + 1);
            text.Append(Corner.PadRight(nameWidth + 1));
            for (int c = 0; c < ClassCount; c++)
            {
                text.Append(c.ToString(CultureInfo.InvariantCulture).PadLeft(cell));
            }
            text.AppendLine();
            for (int a = 0; a < ClassCount; a++)
            {
                text.Append(Label(a, classNames).PadRight(nameWidth)).Append(' ');
                for (int p = 0; p < ClassCount; p++)
                {
                    text.Append(this[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(cell));
                }
                text.AppendLine();
            }
            return text.ToString();
        }

        private static string Label(int c, IReadOnlyList<string>? names) =>
            names is not null && c < names.Count ? $"{c} {names[c]}" : c.ToString(CultureInfo.InvariantCulture);
    }
}

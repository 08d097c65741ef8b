using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen
{
    /// <summary>
    /// Counts of (actual class, predicted class) pairs: row = actual, column = predicted, as scikit-learn's.
    /// Up to <see cref="DenseLimit"/> classes the counts are a dense table; beyond (a per-token classifier over a
    /// vocabulary), only the pairs that occur are stored, so memory grows with the predictions, not classes².
    /// </summary>
    public sealed class ConfusionMatrix
    {
        /// <summary>The most classes whose counts are held as a dense classes × classes table.</summary>
        public const int DenseLimit = 1024;

        private readonly long[]? _dense;
        private readonly Dictionary<long, long>? _sparse;
        private readonly long[] _actual;
        private readonly long[] _predicted;

        private ConfusionMatrix(int classCount)
        {
            ClassCount = classCount;
            if (classCount <= DenseLimit)
            {
                _dense = new long[classCount * classCount];
            }
            else
            {
                _sparse = new Dictionary<long, long>();
            }
            _actual = new long[classCount];
            _predicted = new long[classCount];
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
                long cell = (long)actual * ClassCount + predicted;
                return _dense is not null ? _dense[cell] : _sparse!.GetValueOrDefault(cell);
            }
        }

        /// <summary>Total samples counted.</summary>
        public long Total { get; private set; }

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
                matrix.Count(actual[i], predicted[i]);
            }
            return matrix;
        }

        private void Count(int actual, int predicted)
        {
            long cell = (long)actual * ClassCount + predicted;
            if (_dense is not null)
            {
                _dense[cell]++;
            }
            else
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_sparse!, cell, out _)++;
            }
            _actual[actual]++;
            _predicted[predicted]++;
            Total++;
        }

        /// <summary>Samples of class <paramref name="c"/> (row sum).</summary>
        public long ActualCount(int c)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)c, (uint)ClassCount, nameof(c));
            return _actual[c];
        }

        /// <summary>Samples predicted as class <paramref name="c"/> (column sum).</summary>
        public long PredictedCount(int c)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)c, (uint)ClassCount, nameof(c));
            return _predicted[c];
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

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NetGen.Data
{
    /// <summary>How <see cref="CsvDataset"/> reads a file.</summary>
    public sealed class CsvOptions
    {
        /// <summary>Whether the first non-empty line names the columns (default true).</summary>
        public bool HasHeader { get; init; } = true;

        /// <summary>The field separator (default comma).</summary>
        public char Separator { get; init; } = ',';

        /// <summary>
        /// The label (or regression target) column, from 0; negative counts from the end, so the default
        /// −1 is the last column. Ignored when <see cref="LabelColumnName"/> is set.
        /// </summary>
        public int LabelColumn { get; init; } = -1;

        /// <summary>The label column by its header name (needs <see cref="HasHeader"/>).</summary>
        public string? LabelColumnName { get; init; }

        /// <summary>
        /// For regression with several outputs: the target columns (indices as in <see cref="LabelColumn"/>),
        /// overriding the single label column.
        /// </summary>
        public IReadOnlyList<int>? TargetColumns { get; init; }

        /// <summary>
        /// Classification only: labels are class names (e.g. "setosa") rather than integers. Names are
        /// numbered in ordinal order and kept as <see cref="Dataset.ClassNames"/>.
        /// </summary>
        public bool LabelsAreNames { get; init; }
    }

    /// <summary>
    /// Reads numeric CSV files into datasets: every column but the label column is a feature, parsed in
    /// the invariant culture (a dot for decimals, whatever the machine's locale). Fields may be quoted.
    /// Malformed content raises <see cref="InvalidDataException"/> giving the line and column, e.g.
    /// <c>iris.csv: line 7, column 3 ("petal_length"): "abc" is not a number.</c>; a missing file raises
    /// <see cref="FileNotFoundException"/>.
    /// </summary>
    public static class CsvDataset
    {
        /// <summary>A classification dataset: one integer label (or class name) per row.</summary>
        public static Dataset<int> LoadClassification(string path, CsvOptions? options = null)
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return LoadClassification(reader, options, Path.GetFileName(path));
        }

        /// <summary>A classification dataset from <paramref name="reader"/>; <paramref name="source"/> names it in messages.</summary>
        public static Dataset<int> LoadClassification(TextReader reader, CsvOptions? options = null, string source = "CSV")
        {
            options ??= new CsvOptions();
            if (options.TargetColumns is not null)
            {
                throw new ArgumentException("TargetColumns is for regression; a classification dataset has one label column.", nameof(options));
            }
            Table table = Read(reader, options, source);
            int[] labels = new int[table.Rows];
            IReadOnlyList<string>? classNames = null;
            if (options.LabelsAreNames)
            {
                var names = new SortedSet<string>(table.Targets, StringComparer.Ordinal);
                var index = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (string name in names)
                {
                    index[name] = index.Count;
                }
                for (int r = 0; r < labels.Length; r++)
                {
                    labels[r] = index[table.Targets[r]];
                }
                classNames = [.. names];
            }
            else
            {
                for (int r = 0; r < labels.Length; r++)
                {
                    string cell = table.Targets[r];
                    if (!int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) || label < 0)
                    {
                        throw new InvalidDataException(
                            $"{source}: {table.Where(r, table.TargetIndices[0])}: label \"{Clip(cell)}\" is not a non-negative integer (set LabelsAreNames for class names).");
                    }
                    labels[r] = label;
                }
            }
            return new Dataset<int>(table.Features, labels, table.FeatureCount) { ClassNames = classNames };
        }

        /// <summary>A regression dataset: the target column(s) as floats.</summary>
        public static Dataset<float> LoadRegression(string path, CsvOptions? options = null)
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return LoadRegression(reader, options, Path.GetFileName(path));
        }

        /// <summary>A regression dataset from <paramref name="reader"/>; <paramref name="source"/> names it in messages.</summary>
        public static Dataset<float> LoadRegression(TextReader reader, CsvOptions? options = null, string source = "CSV")
        {
            options ??= new CsvOptions();
            if (options.LabelsAreNames)
            {
                throw new ArgumentException("LabelsAreNames is for classification.", nameof(options));
            }
            Table table = Read(reader, options, source);
            int perRow = table.TargetIndices.Length;
            float[] targets = new float[table.Targets.Count];
            for (int i = 0; i < targets.Length; i++)
            {
                int row = i / perRow;
                targets[i] = ParseNumber(table.Targets[i], source, table, row, table.TargetIndices[i % perRow]);
            }
            return new Dataset<float>(table.Features, targets, table.FeatureCount, perRow);
        }

        private static Table Read(TextReader reader, CsvOptions options, string source)
        {
            ArgumentNullException.ThrowIfNull(reader);
            var fields = new List<string>();
            string[]? header = null;
            Table? table = null;
            int lineNumber = 0;
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                Split(line, options.Separator, fields, source, lineNumber);
                if (options.HasHeader && header is null)
                {
                    header = [.. fields];
                    table = new Table(header, ResolveTargets(options, header, header.Length, source, lineNumber), header.Length);
                    continue;
                }
                table ??= new Table(null, ResolveTargets(options, null, fields.Count, source, lineNumber), fields.Count);
                if (fields.Count != table.Columns)
                {
                    throw new InvalidDataException(
                        $"{source}: line {lineNumber} has {fields.Count} fields; expected {table.Columns}, as {(header is null ? "on the first line" : "in the header")}.");
                }
                table.AddRow(fields, lineNumber, source);
            }
            if (table is null || table.Rows == 0)
            {
                throw new InvalidDataException($"{source}: no data rows.");
            }
            return table;
        }

        private static int[] ResolveTargets(CsvOptions options, string[]? header, int columns, string source, int line)
        {
            if (options.LabelColumnName is string name)
            {
                if (header is null)
                {
                    throw new ArgumentException("LabelColumnName needs HasHeader = true.", nameof(options));
                }
                int found = Array.IndexOf(header, name);
                if (found < 0)
                {
                    throw new InvalidDataException($"{source}: line {line}: the header has no column \"{name}\"; it has {string.Join(", ", header)}.");
                }
                return [found];
            }
            IReadOnlyList<int> wanted = options.TargetColumns ?? [options.LabelColumn];
            if (wanted.Count == 0)
            {
                throw new ArgumentException("TargetColumns is empty.", nameof(options));
            }
            var resolved = new int[wanted.Count];
            for (int i = 0; i < resolved.Length; i++)
            {
                int c = wanted[i] < 0 ? columns + wanted[i] : wanted[i];
                if (c < 0 || c >= columns)
                {
                    throw new InvalidDataException($"{source}: line {line}: label column {wanted[i]} does not exist; the file has {columns} columns.");
                }
                if (Array.IndexOf(resolved, c, 0, i) >= 0)
                {
                    throw new ArgumentException($"Column {c} is listed twice as a target.", nameof(options));
                }
                resolved[i] = c;
            }
            if (resolved.Length >= columns)
            {
                throw new InvalidDataException($"{source}: line {line}: {columns} columns leave no feature once the target columns are taken.");
            }
            return resolved;
        }

        // Fields separated by `separator`; a field may be quoted ("a, b" and "" for a quote inside). Whitespace around fields is dropped.
        private static void Split(string line, char separator, List<string> fields, string source, int lineNumber)
        {
            fields.Clear();
            var current = new StringBuilder();
            int i = 0;
            while (true)
            {
                current.Clear();
                while (i < line.Length && line[i] != separator && char.IsWhiteSpace(line[i]))
                {
                    i++;
                }
                if (i < line.Length && line[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= line.Length)
                        {
                            throw new InvalidDataException($"{source}: line {lineNumber}, column {fields.Count + 1}: unterminated quoted field.");
                        }
                        if (line[i] == '"')
                        {
                            if (i + 1 < line.Length && line[i + 1] == '"')
                            {
                                current.Append('"');
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        current.Append(line[i++]);
                    }
                    while (i < line.Length && line[i] != separator && char.IsWhiteSpace(line[i]))
                    {
                        i++;
                    }
                    if (i < line.Length && line[i] != separator)
                    {
                        throw new InvalidDataException($"{source}: line {lineNumber}, column {fields.Count + 1}: text after the closing quote.");
                    }
                    fields.Add(current.ToString());
                }
                else
                {
                    int start = i;
                    while (i < line.Length && line[i] != separator)
                    {
                        i++;
                    }
                    fields.Add(line.AsSpan(start, i - start).Trim().ToString());
                }
                if (i >= line.Length)
                {
                    return;
                }
                i++; // the separator
            }
        }

        private static float ParseNumber(string cell, string source, Table table, int row, int column)
        {
            if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            {
                throw new InvalidDataException($"{source}: {table.Where(row, column)}: \"{Clip(cell)}\" is not a number.");
            }
            if (!float.IsFinite(value))
            {
                throw new InvalidDataException($"{source}: {table.Where(row, column)}: \"{Clip(cell)}\" is not a finite number.");
            }
            return value;
        }

        private static string Clip(string cell) => cell.Length <= 40 ? cell : string.Concat(cell.AsSpan(0, 40), "…");

        private sealed class Table(string[]? header, int[] targetIndices, int columns)
        {
            private readonly List<int> _lines = new();
            private float[] _features = new float[256];
            private int _featureCount;

            public int[] TargetIndices { get; } = targetIndices;
            public int Columns { get; } = columns;
            public int FeatureCount => Columns - TargetIndices.Length;
            public List<string> Targets { get; } = new();
            public int Rows => _lines.Count;
            public float[] Features => _features.AsSpan(0, _featureCount).ToArray();

            public void AddRow(List<string> fields, int line, string source)
            {
                _lines.Add(line);
                if (_featureCount + FeatureCount > _features.Length)
                {
                    Array.Resize(ref _features, (int)Math.Min(Array.MaxLength, Math.Max(2L * _features.Length, _featureCount + FeatureCount)));
                }
                for (int c = 0; c < fields.Count; c++)
                {
                    if (Array.IndexOf(TargetIndices, c) >= 0)
                    {
                        continue;
                    }
                    _features[_featureCount++] = ParseNumber(fields[c], source, this, Rows - 1, c);
                }
                foreach (int t in TargetIndices)
                {
                    Targets.Add(fields[t]);
                }
            }

            public string Where(int row, int column)
            {
                string name = header is not null && column < header.Length ? $" (\"{Clip(header[column])}\")" : "";
                return $"line {_lines[row]}, column {column + 1}{name}";
            }
        }
    }
}

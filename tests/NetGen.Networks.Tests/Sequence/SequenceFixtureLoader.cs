using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Networks.Tests.Sequence
{
    /// <summary>
    /// A network case written by tests/fixtures/make_sequence_fixtures.py (file seq_{Name}.json,
    /// "kind": "network"); the schema is in the script's docstring.
    /// </summary>
    internal sealed class SequenceFixture
    {
        public required string Name { get; init; }
        public required string Description { get; init; }
        public required string[] Declaration { get; init; }
        public required int SequenceLength { get; init; }
        public required int VocabularySize { get; init; }
        public required int? PaddingIndex { get; init; }
        public required FixtureTensor[] Layout { get; init; }
        public required int ParameterCount { get; init; }
        public required int BatchSize { get; init; }
        public required int[] Inputs { get; init; }
        public required int[] TargetShape { get; init; }
        public required int[] Labels { get; init; }
        public required int[] OutputShape { get; init; }
        public required float[] Outputs { get; init; }
        public required float LossValue { get; init; }
        public required float[] InitialParameters { get; init; }
        public required float[] Gradients { get; init; }
        public required FixtureOptimizer[] Optimizers { get; init; }

        /// <summary>Labels per sample: 1, or T for a network that classifies every time step.</summary>
        public int TargetSize => Labels.Length / BatchSize;

        /// <summary>Output floats per sample: C, or T·V.</summary>
        public int OutputSize => Outputs.Length / BatchSize;

        /// <summary>The parameter (e.g. <c>lstm.weight_hh_l0[27, 3]</c>) at flat index <paramref name="index"/>.</summary>
        public string ParameterName(int index) => FixtureTensor.NameAt(Layout, index);

        /// <summary>Output <paramref name="index"/> as [sample, class] or [sample, step, class].</summary>
        public string OutputName(int index) => SequenceFixtureLoader.OutputName(index, OutputShape);
    }

    /// <summary>
    /// seq_lstm_step.json ("kind": "stepping"): the character model run one time step at a time,
    /// carrying each LSTM's (h, c), for the window and then a continuation.
    /// </summary>
    internal sealed class SteppingFixture
    {
        public required string Description { get; init; }
        public required int SequenceLength { get; init; }
        public required int VocabularySize { get; init; }
        public required FixtureTensor[] Layout { get; init; }
        public required float[] Parameters { get; init; }
        public required int BatchSize { get; init; }
        public required int[] Tokens { get; init; }
        public required float[] Outputs { get; init; }
        public required int[] ContinuationTokens { get; init; }
        public required float[] ContinuationOutputs { get; init; }
    }

    /// <summary>Reads fixtures/seq_*.json next to the test assembly (array and optimizer helpers are FixtureLoader's).</summary>
    internal static class SequenceFixtureLoader
    {
        /// <summary>Names of the network cases (seq_{name}.json with "kind": "network"), the stepping fixture excluded.</summary>
        public static IEnumerable<string> NetworkCaseNames() =>
            Directory.Exists(FixtureLoader.Directory)
                ? Directory.EnumerateFiles(FixtureLoader.Directory, "seq_*.json")
                    .Where(f => Kind(f) == "network")
                    .Select(f => Path.GetFileNameWithoutExtension(f)["seq_".Length..])
                    .Order(StringComparer.Ordinal)
                : [];

        /// <summary>
        /// Reads {<paramref name="prefix"/>}{<paramref name="name"/>}.json: seq_ by default; the Transformer fixtures
        /// (tf_*.json) share the schema and are read with prefix "tf_".
        /// </summary>
        public static SequenceFixture LoadNetwork(string name, string prefix = "seq_")
        {
            using JsonDocument doc = Parse($"{prefix}{name}.json", "network");
            JsonElement root = doc.RootElement;
            JsonElement padding = root.GetProperty("padding_index");
            return new SequenceFixture
            {
                Name = root.GetProperty("name").GetString()!,
                Description = root.GetProperty("description").GetString()!,
                Declaration = root.GetProperty("declaration").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                SequenceLength = root.GetProperty("input_shape")[0].GetInt32(),
                VocabularySize = root.GetProperty("vocabulary_size").GetInt32(),
                PaddingIndex = padding.ValueKind == JsonValueKind.Null ? null : padding.GetInt32(),
                Layout = FixtureLoader.Tensors(root.GetProperty("parameter_layout")),
                ParameterCount = root.GetProperty("parameter_count").GetInt32(),
                BatchSize = root.GetProperty("batch_size").GetInt32(),
                Inputs = FixtureLoader.Ints(root.GetProperty("inputs")),
                TargetShape = FixtureLoader.Ints(root.GetProperty("target_shape")),
                Labels = FixtureLoader.Ints(root.GetProperty("targets")),
                OutputShape = FixtureLoader.Ints(root.GetProperty("output_shape")),
                Outputs = FixtureLoader.Floats(root.GetProperty("outputs")),
                LossValue = root.GetProperty("loss_value").GetSingle(),
                InitialParameters = FixtureLoader.Floats(root.GetProperty("initial_parameters")),
                Gradients = FixtureLoader.Floats(root.GetProperty("gradients")),
                Optimizers = root.GetProperty("optimizers").EnumerateArray()
                    .Select(o => new FixtureOptimizer(
                        o.GetProperty("name").GetString()!,
                        o.GetProperty("type").GetString()!,
                        o.Clone(),
                        FixtureLoader.Floats(o.GetProperty("losses")),
                        o.GetProperty("parameters").EnumerateArray().Select(FixtureLoader.Floats).ToArray()))
                    .ToArray(),
            };
        }

        public static SteppingFixture LoadStepping()
        {
            using JsonDocument doc = Parse("seq_lstm_step.json", "stepping");
            JsonElement root = doc.RootElement;
            return new SteppingFixture
            {
                Description = root.GetProperty("description").GetString()!,
                SequenceLength = root.GetProperty("input_shape")[0].GetInt32(),
                VocabularySize = root.GetProperty("vocabulary_size").GetInt32(),
                Layout = FixtureLoader.Tensors(root.GetProperty("parameter_layout")),
                Parameters = FixtureLoader.Floats(root.GetProperty("parameters")),
                BatchSize = root.GetProperty("batch_size").GetInt32(),
                Tokens = FixtureLoader.Ints(root.GetProperty("tokens")),
                Outputs = FixtureLoader.Floats(root.GetProperty("outputs")),
                ContinuationTokens = FixtureLoader.Ints(root.GetProperty("continuation_tokens")),
                ContinuationOutputs = FixtureLoader.Floats(root.GetProperty("continuation_outputs")),
            };
        }

        /// <summary>Flat output index <paramref name="index"/> as [sample, …per-sample coordinates].</summary>
        public static string OutputName(int index, int[] perSampleShape)
        {
            int perSample = perSampleShape.Aggregate(1, (a, b) => a * b);
            int local = index % perSample;
            var coords = new int[perSampleShape.Length];
            for (int d = perSampleShape.Length - 1; d >= 0; d--)
            {
                coords[d] = local % perSampleShape[d];
                local /= perSampleShape[d];
            }
            return $"outputs[{index / perSample}, {string.Join(", ", coords)}]";
        }

        internal static JsonDocument Parse(string file, string kind)
        {
            string path = Path.Combine(FixtureLoader.Directory, file);
            JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            string? actual = doc.RootElement.GetProperty("kind").GetString();
            if (actual != kind)
            {
                doc.Dispose();
                throw new InvalidDataException($"{path}: kind '{actual}', expected '{kind}'.");
            }
            return doc;
        }

        private static string? Kind(string path)
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.GetProperty("kind").GetString();
        }
    }
}

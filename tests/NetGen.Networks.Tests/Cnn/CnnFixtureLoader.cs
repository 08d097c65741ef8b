using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Networks.Tests.Cnn
{
    /// <summary>One optimizer run of a CNN fixture: two steps, with the parameters and buffers after each, then inference.</summary>
    internal sealed record CnnFixtureOptimizer(string Name, string Type, JsonElement Hyper, float[] Losses, float[][] Parameters,
        float[][] Buffers, float[] InferenceOutputs, float InferenceLoss)
    {
        public string Settings => FixtureLoader.Settings(Hyper);

        public override string ToString() => Name;
    }

    /// <summary>A case written by tests/fixtures/make_cnn_fixtures.py (file cnn_{Name}.json); the schema is in the script's docstring.</summary>
    internal sealed class CnnFixture
    {
        public required string Name { get; init; }
        public required string Description { get; init; }
        public required Loss Loss { get; init; }
        public required int[] InputShape { get; init; }
        public required FixtureTensor[] Layout { get; init; }
        public required int ParameterCount { get; init; }
        public required FixtureTensor[] BufferLayout { get; init; }
        public required int BufferCount { get; init; }
        public required int BatchSize { get; init; }
        public required float[] Inputs { get; init; }
        public int[]? Labels { get; init; }
        public float[]? Targets { get; init; }
        public required float[] InitialParameters { get; init; }
        public required float[] InitialBuffers { get; init; }
        public required float[] InferenceOutputs { get; init; }
        public required float InferenceLoss { get; init; }
        public required float[] TrainingOutputs { get; init; }
        public required float TrainingLoss { get; init; }
        public required float[] Gradients { get; init; }
        public required float[] TrainingBuffers { get; init; }
        public required CnnFixtureOptimizer[] Optimizers { get; init; }

        /// <summary>The parameter (e.g. <c>conv1.weight[3, 0, 2, 1]</c>) at flat index <paramref name="index"/>.</summary>
        public string ParameterName(int index) => FixtureTensor.NameAt(Layout, index);

        /// <summary>The buffer (e.g. <c>bn1.running_var[2]</c>) at flat index <paramref name="index"/>.</summary>
        public string BufferName(int index) => FixtureTensor.NameAt(BufferLayout, index);

        /// <summary>Output <paramref name="index"/> as [sample, feature].</summary>
        public string OutputName(int index)
        {
            int perSample = InferenceOutputs.Length / BatchSize;
            return $"outputs[{index / perSample}, {index % perSample}]";
        }
    }

    /// <summary>Reads fixtures/cnn_*.json next to the test assembly (the helpers for arrays and optimizers are FixtureLoader's).</summary>
    internal static class CnnFixtureLoader
    {
        public static IEnumerable<string> CaseNames() =>
            Directory.Exists(FixtureLoader.Directory)
                ? Directory.EnumerateFiles(FixtureLoader.Directory, "cnn_*.json")
                    .Select(f => Path.GetFileNameWithoutExtension(f)["cnn_".Length..])
                    .Order(StringComparer.Ordinal)
                : [];

        public static CnnFixture Load(string name)
        {
            string path = Path.Combine(FixtureLoader.Directory, $"cnn_{name}.json");
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            var loss = Enum.Parse<Loss>(root.GetProperty("loss").GetString()!);
            JsonElement targets = root.GetProperty("targets");
            JsonElement inference = root.GetProperty("inference");
            JsonElement training = root.GetProperty("training");
            return new CnnFixture
            {
                Name = root.GetProperty("name").GetString()!,
                Description = root.GetProperty("description").GetString()!,
                Loss = loss,
                InputShape = FixtureLoader.Ints(root.GetProperty("input_shape")),
                Layout = FixtureLoader.Tensors(root.GetProperty("parameter_layout")),
                ParameterCount = root.GetProperty("parameter_count").GetInt32(),
                BufferLayout = FixtureLoader.Tensors(root.GetProperty("buffer_layout")),
                BufferCount = root.GetProperty("buffer_count").GetInt32(),
                BatchSize = root.GetProperty("batch_size").GetInt32(),
                Inputs = FixtureLoader.Floats(root.GetProperty("inputs")),
                Labels = loss == Loss.CrossEntropy ? FixtureLoader.Ints(targets) : null,
                Targets = loss == Loss.CrossEntropy ? null : FixtureLoader.Floats(targets),
                InitialParameters = FixtureLoader.Floats(root.GetProperty("initial_parameters")),
                InitialBuffers = FixtureLoader.Floats(root.GetProperty("initial_buffers")),
                InferenceOutputs = FixtureLoader.Floats(inference.GetProperty("outputs")),
                InferenceLoss = inference.GetProperty("loss").GetSingle(),
                TrainingOutputs = FixtureLoader.Floats(training.GetProperty("outputs")),
                TrainingLoss = training.GetProperty("loss").GetSingle(),
                Gradients = FixtureLoader.Floats(training.GetProperty("gradients")),
                TrainingBuffers = FixtureLoader.Floats(training.GetProperty("buffers")),
                Optimizers = root.GetProperty("optimizers").EnumerateArray()
                    .Select(o => new CnnFixtureOptimizer(
                        o.GetProperty("name").GetString()!,
                        o.GetProperty("type").GetString()!,
                        o.Clone(),
                        FixtureLoader.Floats(o.GetProperty("losses")),
                        o.GetProperty("parameters").EnumerateArray().Select(FixtureLoader.Floats).ToArray(),
                        o.GetProperty("buffers").EnumerateArray().Select(FixtureLoader.Floats).ToArray(),
                        FixtureLoader.Floats(o.GetProperty("inference_outputs")),
                        o.GetProperty("inference_loss").GetSingle()))
                    .ToArray(),
            };
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Networks.Tests
{
    /// <summary>One tensor of a fixture's parameter layout (a PyTorch state_dict key).</summary>
    internal sealed record FixtureTensor(string Name, int[] Shape, int Offset)
    {
        public int Length => Shape.Aggregate(1, (a, b) => a * b);

        /// <summary>The element (e.g. <c>fc1.weight[3, 2]</c>) that flat index <paramref name="index"/> of <paramref name="layout"/> falls in.</summary>
        public static string NameAt(FixtureTensor[] layout, int index)
        {
            foreach (FixtureTensor t in layout)
            {
                if (index >= t.Offset && index < t.Offset + t.Length)
                {
                    int local = index - t.Offset;
                    var coords = new int[t.Shape.Length];
                    for (int d = t.Shape.Length - 1; d >= 0; d--)
                    {
                        coords[d] = local % t.Shape[d];
                        local /= t.Shape[d];
                    }
                    return t.Shape.Length == 0 ? t.Name : $"{t.Name}[{string.Join(", ", coords)}]";
                }
            }
            return "(outside the layout)";
        }
    }

    /// <summary>One optimizer of a network fixture: its hyper-parameters and the parameters after each step.</summary>
    internal sealed record FixtureOptimizer(string Name, string Type, JsonElement Hyper, float[] Losses, float[][] Steps)
    {
        /// <summary>The hyper-parameters as written in the fixture, e.g. <c>lr=0.1, momentum=0.9</c>.</summary>
        public string Settings => FixtureLoader.Settings(Hyper);

        public override string ToString() => Name;
    }

    /// <summary>A network case written by tests/fixtures/make_fixtures.py (file net_{Name}.json).</summary>
    internal sealed class NetworkFixture
    {
        public required string Name { get; init; }
        public required string Description { get; init; }
        public required Loss Loss { get; init; }
        public required int[] InputShape { get; init; }
        public required FixtureTensor[] Layout { get; init; }
        public required int ParameterCount { get; init; }
        public required int BatchSize { get; init; }
        public required float[] Inputs { get; init; }
        public int[]? Labels { get; init; }
        public float[]? Targets { get; init; }
        public required float[] Outputs { get; init; }
        public required float LossValue { get; init; }
        public required float[] InitialParameters { get; init; }
        public required float[] Gradients { get; init; }
        public required FixtureOptimizer[] Optimizers { get; init; }

        /// <summary>The name of the tensor (e.g. <c>fc1.weight[3, 2]</c>) that flat parameter <paramref name="index"/> falls in.</summary>
        public string ParameterName(int index) => FixtureTensor.NameAt(Layout, index);
    }

    /// <summary>Reads the JSON fixtures copied next to the test assembly (fixtures/*.json).</summary>
    internal static class FixtureLoader
    {
        public static string Directory => Path.Combine(AppContext.BaseDirectory, "fixtures");

        /// <summary>Case names (net_{name}.json) present in the fixture folder.</summary>
        public static IEnumerable<string> NetworkCaseNames() =>
            System.IO.Directory.Exists(Directory)
                ? System.IO.Directory.EnumerateFiles(Directory, "net_*.json")
                    .Select(f => Path.GetFileNameWithoutExtension(f)["net_".Length..])
                    .Order(StringComparer.Ordinal)
                : [];

        public static NetworkFixture LoadNetwork(string name)
        {
            string path = Path.Combine(Directory, $"net_{name}.json");
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            int parameterCount = root.GetProperty("parameter_count").GetInt32();
            float[] initial = Floats(root.GetProperty("initial_parameters"));
            int[]? sparse = root.TryGetProperty("sparse_indices", out JsonElement s) ? Ints(s) : null;

            // With sparse_indices, gradients are listed only there (zero elsewhere) and parameters after
            // a step only there (unchanged elsewhere).
            float[] Expand(JsonElement values, float[]? baseline)
            {
                float[] listed = Floats(values);
                if (sparse is null)
                {
                    return listed;
                }
                if (listed.Length != sparse.Length)
                {
                    throw new InvalidDataException($"{path}: {listed.Length} sparse values for {sparse.Length} indices.");
                }
                float[] full = baseline is null ? new float[parameterCount] : (float[])baseline.Clone();
                for (int i = 0; i < sparse.Length; i++)
                {
                    full[sparse[i]] = listed[i];
                }
                return full;
            }

            var loss = Enum.Parse<Loss>(root.GetProperty("loss").GetString()!);
            JsonElement targets = root.GetProperty("targets");
            return new NetworkFixture
            {
                Name = root.GetProperty("name").GetString()!,
                Description = root.GetProperty("description").GetString()!,
                Loss = loss,
                InputShape = Ints(root.GetProperty("input_shape")),
                Layout = Tensors(root.GetProperty("parameter_layout")),
                ParameterCount = parameterCount,
                BatchSize = root.GetProperty("batch_size").GetInt32(),
                Inputs = Floats(root.GetProperty("inputs")),
                Labels = loss == Loss.CrossEntropy ? Ints(targets) : null,
                Targets = loss == Loss.CrossEntropy ? null : Floats(targets),
                Outputs = Floats(root.GetProperty("outputs")),
                LossValue = root.GetProperty("loss_value").GetSingle(),
                InitialParameters = initial,
                Gradients = Expand(root.GetProperty("gradients"), null),
                Optimizers = root.GetProperty("optimizers").EnumerateArray()
                    .Select(o => new FixtureOptimizer(
                        o.GetProperty("name").GetString()!,
                        o.GetProperty("type").GetString()!,
                        o.Clone(),
                        Floats(o.GetProperty("losses")),
                        o.GetProperty("parameters").EnumerateArray().Select(p => Expand(p, initial)).ToArray()))
                    .ToArray(),
            };
        }

        /// <summary>The NetGen optimizer a fixture entry describes, with torch.optim's hyper-parameters.</summary>
        public static Optimizer CreateOptimizer(string type, JsonElement h)
        {
            float F(string key) => h.GetProperty(key).GetSingle();
            return type switch
            {
                "Sgd" => new Sgd(F("lr"), momentum: F("momentum"), nesterov: h.GetProperty("nesterov").GetBoolean(), weightDecay: F("weight_decay")),
                "Adam" => new Adam(F("lr"), beta1: F("beta1"), beta2: F("beta2"), epsilon: F("eps"), weightDecay: F("weight_decay")),
                "AdamW" => new AdamW(F("lr"), beta1: F("beta1"), beta2: F("beta2"), epsilon: F("eps"), weightDecay: F("weight_decay")),
                "RmsProp" => new RmsProp(F("lr"), alpha: F("alpha"), epsilon: F("eps"), momentum: F("momentum"), weightDecay: F("weight_decay")),
                _ => throw new InvalidDataException($"Unknown optimizer type '{type}'."),
            };
        }

        /// <summary>A fixture's tensor layout: name, shape and offset of each tensor.</summary>
        public static FixtureTensor[] Tensors(JsonElement layout) =>
            layout.EnumerateArray()
                .Select(t => new FixtureTensor(t.GetProperty("name").GetString()!, Ints(t.GetProperty("shape")), t.GetProperty("offset").GetInt32()))
                .ToArray();

        /// <summary>An optimizer's hyper-parameters as written in the fixture, e.g. <c>lr=0.1, momentum=0.9</c>.</summary>
        public static string Settings(JsonElement hyper) => string.Join(", ", hyper.EnumerateObject()
            .Where(p => p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            .Select(p => $"{p.Name}={p.Value.GetRawText()}"));

        public static float[] Floats(JsonElement array)
        {
            var values = new float[array.GetArrayLength()];
            int i = 0;
            foreach (JsonElement e in array.EnumerateArray())
            {
                values[i++] = e.GetSingle();
            }
            return values;
        }

        public static int[] Ints(JsonElement array)
        {
            var values = new int[array.GetArrayLength()];
            int i = 0;
            foreach (JsonElement e in array.EnumerateArray())
            {
                values[i++] = e.GetInt32();
            }
            return values;
        }
    }
}

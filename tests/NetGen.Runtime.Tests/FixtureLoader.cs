using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Runtime.Tests
{
    /// <summary>One optimizer of tests/fixtures/optimizers.json: its torch.optim settings and the parameters after each step.</summary>
    internal sealed record OptimizerCase(string Name, string Type, JsonElement Hyper, float[][] Steps)
    {
        /// <summary>The hyper-parameters as written in the fixture, e.g. <c>lr=0.1, momentum=0.9</c>.</summary>
        public string Settings => string.Join(", ", Hyper.EnumerateObject()
            .Where(p => p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            .Select(p => $"{p.Name}={p.Value.GetRawText()}"));

        /// <summary>A fresh NetGen optimizer with the same settings.</summary>
        public Optimizer Create()
        {
            JsonElement h = Hyper;
            float F(string key) => h.GetProperty(key).GetSingle();
            return Type switch
            {
                "Sgd" => new Sgd(F("lr"), momentum: F("momentum"), nesterov: h.GetProperty("nesterov").GetBoolean(), weightDecay: F("weight_decay")),
                "Adam" => new Adam(F("lr"), beta1: F("beta1"), beta2: F("beta2"), epsilon: F("eps"), weightDecay: F("weight_decay")),
                "AdamW" => new AdamW(F("lr"), beta1: F("beta1"), beta2: F("beta2"), epsilon: F("eps"), weightDecay: F("weight_decay")),
                "RmsProp" => new RmsProp(F("lr"), alpha: F("alpha"), epsilon: F("eps"), momentum: F("momentum"), weightDecay: F("weight_decay")),
                _ => throw new InvalidDataException($"Unknown optimizer type '{Type}'."),
            };
        }

        public override string ToString() => Name;
    }

    /// <summary>tests/fixtures/optimizers.json: one parameter vector, the gradients of 3 steps, each optimizer's results.</summary>
    internal sealed record OptimizerFixture(float[] Parameters, float[][] Gradients, OptimizerCase[] Optimizers);

    /// <summary>Reads the JSON fixtures written by tests/fixtures/make_fixtures.py and copied next to the test assembly.</summary>
    internal static class FixtureLoader
    {
        public static string Directory => Path.Combine(AppContext.BaseDirectory, "fixtures");

        private static readonly Lazy<OptimizerFixture> s_optimizers = new(LoadOptimizers);

        /// <summary>optimizers.json, read once.</summary>
        public static OptimizerFixture Optimizers => s_optimizers.Value;

        private static OptimizerFixture LoadOptimizers()
        {
            string path = Path.Combine(Directory, "optimizers.json");
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            return new OptimizerFixture(
                Floats(root.GetProperty("parameters")),
                root.GetProperty("gradients").EnumerateArray().Select(Floats).ToArray(),
                root.GetProperty("optimizers").EnumerateArray()
                    .Select(o => new OptimizerCase(
                        o.GetProperty("name").GetString()!,
                        o.GetProperty("type").GetString()!,
                        o.Clone(),
                        o.GetProperty("steps").EnumerateArray().Select(Floats).ToArray()))
                    .ToArray());
        }

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
    }
}

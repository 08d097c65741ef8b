using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Networks.Tests.Sequence;

namespace NetGen.Networks.Tests.Transformer
{
    /// <summary>A slice of a fixture's parameters (offsets into the fixture's flat layout) whose gradient is exactly 0: the key third of an in_proj_bias.</summary>
    internal sealed record KeyBiasRange(string Name, int Offset, int Length);

    /// <summary>
    /// A network case written by tests/fixtures/make_transformer_fixtures.py (file tf_{Name}.json): the
    /// seq_ schema (<see cref="SequenceFixture"/>) plus <c>causal</c>, <c>key_bias_ranges</c> and, for a
    /// sinusoidal position table, <c>sinusoidal_table</c>.
    /// </summary>
    internal sealed class TransformerFixture
    {
        public required SequenceFixture Network { get; init; }
        public required bool Causal { get; init; }
        public required KeyBiasRange[] KeyBiasRanges { get; init; }
        public required float[]? SinusoidalTable { get; init; }
    }

    /// <summary>Reads fixtures/tf_*.json next to the test assembly.</summary>
    internal static class TransformerFixtureLoader
    {
        public const string Prefix = "tf_";

        /// <summary>Case names (tf_{name}.json) present in the fixture folder.</summary>
        public static IEnumerable<string> CaseNames() =>
            Directory.Exists(FixtureLoader.Directory)
                ? Directory.EnumerateFiles(FixtureLoader.Directory, Prefix + "*.json")
                    .Select(f => Path.GetFileNameWithoutExtension(f)[Prefix.Length..])
                    .Order(StringComparer.Ordinal)
                : [];

        public static TransformerFixture Load(string name)
        {
            SequenceFixture network = SequenceFixtureLoader.LoadNetwork(name, Prefix);
            using JsonDocument doc = SequenceFixtureLoader.Parse($"{Prefix}{name}.json", "network");
            JsonElement root = doc.RootElement;
            return new TransformerFixture
            {
                Network = network,
                Causal = root.GetProperty("causal").GetBoolean(),
                KeyBiasRanges = root.GetProperty("key_bias_ranges").EnumerateArray()
                    .Select(r => new KeyBiasRange(r.GetProperty("name").GetString()!, r.GetProperty("offset").GetInt32(), r.GetProperty("length").GetInt32()))
                    .ToArray(),
                SinusoidalTable = root.TryGetProperty("sinusoidal_table", out JsonElement table) && table.ValueKind == JsonValueKind.Array
                    ? FixtureLoader.Floats(table)
                    : null,
            };
        }
    }
}

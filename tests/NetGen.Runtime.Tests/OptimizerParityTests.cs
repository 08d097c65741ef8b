using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Kernels;
using Xunit.Abstractions;

namespace NetGen.Runtime.Tests
{
    /// <summary>
    /// Each optimizer against torch.optim 1.13 (tests/fixtures/optimizers.json, written by
    /// tests/fixtures/make_fixtures.py): the same parameter vector stepped with the same 3 gradients
    /// must match after every step to |a − b| ≤ 1e-6·max(1, |b|). The vector has 45 elements
    /// (2×16 + 8 + 5), so at Vector512 the update runs its 512-bit loop, its 256-bit loop and its
    /// scalar tail; the same comparison runs with the level lowered to Vector256 and to Scalar.
    /// </summary>
    [Collection("Simd")] // lowers Simd.Level: never in parallel with other tests that read it
    public class OptimizerParityTests(ITestOutputHelper output)
    {
        private const double Tolerance = 1e-6;

        /// <summary>The hardware's level, then Vector256 and Scalar where narrower.</summary>
        private static IEnumerable<SimdLevel> Levels() =>
            new[] { Simd.Hardware, SimdLevel.Vector256, SimdLevel.Vector128, SimdLevel.Scalar }.Where(l => l <= Simd.Hardware).Distinct();

        public static TheoryData<string, SimdLevel> Cases()
        {
            var data = new TheoryData<string, SimdLevel>();
            foreach (SimdLevel level in Levels())
            {
                foreach (OptimizerCase c in FixtureLoader.Optimizers.Optimizers)
                {
                    data.Add(c.Name, level);
                }
            }
            return data;
        }

        [Fact]
        public void Fixture_covers_every_optimizer()
        {
            OptimizerFixture f = FixtureLoader.Optimizers;
            Assert.Equal(3, f.Gradients.Length);
            Assert.All(f.Gradients, g => Assert.Equal(f.Parameters.Length, g.Length));
            Assert.Equal(["Adam", "AdamW", "RmsProp", "Sgd"], f.Optimizers.Select(o => o.Type).Distinct().Order(StringComparer.Ordinal));
            Assert.All(f.Optimizers, o => Assert.Equal(f.Gradients.Length, o.Steps.Length));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Three_steps_match_torch_optim(string name, SimdLevel level)
        {
            OptimizerFixture f = FixtureLoader.Optimizers;
            OptimizerCase c = f.Optimizers.Single(o => o.Name == name);
            output.WriteLine($"{c.Name} = {c.Type}({c.Settings}) at {level}, {f.Parameters.Length} parameters");
            float[][] steps = Run(c, level);
            var failures = new List<string>();
            for (int s = 0; s < steps.Length; s++)
            {
                Compare($"after step {s + 1}", steps[s], c.Steps[s], failures);
            }
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Fact]
        public void Narrower_levels_agree_with_the_hardware_level()
        {
            var failures = new List<string>();
            foreach (OptimizerCase c in FixtureLoader.Optimizers.Optimizers)
            {
                float[][] widest = Run(c, Simd.Hardware);
                foreach (SimdLevel level in Levels().Where(l => l != Simd.Hardware))
                {
                    float[][] narrower = Run(c, level);
                    for (int s = 0; s < widest.Length; s++)
                    {
                        Compare($"{c.Name} step {s + 1}: {level} vs {Simd.Hardware}", narrower[s], widest[s], failures);
                    }
                }
            }
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        /// <summary>A fresh optimizer steps a fresh copy of the fixture's parameters with each gradient, at <paramref name="level"/>.</summary>
        private static float[][] Run(OptimizerCase c, SimdLevel level)
        {
            OptimizerFixture f = FixtureLoader.Optimizers;
            SimdLevel saved = Simd.Level;
            Simd.Level = level;
            try
            {
                Assert.Equal(level, Simd.Level);
                var parameters = new AlignedBuffer(f.Parameters.Length); // pinned: the optimizer keys its state by address
                f.Parameters.CopyTo(parameters.Span);
                Optimizer optimizer = c.Create();
                var results = new float[f.Gradients.Length][];
                for (int s = 0; s < f.Gradients.Length; s++)
                {
                    optimizer.Step(parameters.Span, f.Gradients[s]);
                    results[s] = parameters.Span.ToArray();
                }
                return results;
            }
            finally
            {
                Simd.Level = saved;
            }
        }

        /// <summary>Logs the largest difference; records a failure naming the worst element if any is out of tolerance.</summary>
        private void Compare(string what, float[] actual, float[] expected, List<string> failures)
        {
            if (actual.Length != expected.Length)
            {
                failures.Add($"{what}: {actual.Length} values, expected {expected.Length}.");
                return;
            }
            int largest = 0, worst = -1, bad = 0;
            double largestDiff = -1, worstRatio = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                double diff = Math.Abs((double)actual[i] - expected[i]);
                if (double.IsNaN(diff))
                {
                    diff = double.PositiveInfinity;
                }
                double ratio = diff / (Tolerance * Math.Max(1.0, Math.Abs((double)expected[i])));
                if (diff > largestDiff)
                {
                    largest = i;
                    largestDiff = diff;
                }
                if (ratio > 1)
                {
                    bad++;
                    if (ratio > worstRatio)
                    {
                        worst = i;
                        worstRatio = ratio;
                    }
                }
            }
            string Describe(int i) =>
                $"at [{i}]: NetGen {R(actual[i])}, expected {R(expected[i])}, |Δ| = {R(Math.Abs((double)actual[i] - expected[i]))}";
            if (bad == 0)
            {
                output.WriteLine($"OK  {what}: max |Δ| {Describe(largest)}");
                return;
            }
            string message = $"NOT OK {what}: {bad} of {actual.Length} values outside 1e-6·max(1, |expected|); worst {Describe(worst)}; largest |Δ| {Describe(largest)}";
            output.WriteLine(message);
            failures.Add(message);
        }

        private static string R(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
    }
}

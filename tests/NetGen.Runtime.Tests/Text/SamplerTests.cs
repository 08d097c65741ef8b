using System;
using System.Linq;
using NetGen.Text;

namespace NetGen.Runtime.Tests.Text
{
    public class SamplerTests
    {
        private const int Draws = 40_000;

        // χ² critical values at significance 0.001, by degrees of freedom (1…5).
        private static readonly double[] s_critical = [double.NaN, 10.83, 13.82, 16.27, 18.47, 20.52];

        private static readonly float[] s_row = [0.1f, 0.2f, 0.3f, 0.4f];

        /// <summary>How often each token was drawn in <see cref="Draws"/> draws.</summary>
        private static int[] Counts(Func<Sampler, int> draw, int tokens, long seed = 1)
        {
            var sampler = new Sampler(seed);
            int[] counts = new int[tokens];
            for (int i = 0; i < Draws; i++)
            {
                counts[draw(sampler)]++;
            }
            return counts;
        }

        /// <summary>Pearson's χ² of <paramref name="counts"/> against <paramref name="expected"/> (over the tokens it gives a chance).</summary>
        private static (double ChiSquare, int DegreesOfFreedom) ChiSquare(int[] counts, double[] expected)
        {
            double chi = 0;
            int cells = 0;
            for (int i = 0; i < counts.Length; i++)
            {
                if (expected[i] == 0)
                {
                    Assert.Equal(0, counts[i]); // a token without a chance is never drawn
                    continue;
                }
                double e = expected[i] * Draws;
                chi += (counts[i] - e) * (counts[i] - e) / e;
                cells++;
            }
            return (chi, cells - 1);
        }

        private static void AssertFrequencies(int[] counts, double[] expected)
        {
            var (chi, df) = ChiSquare(counts, expected);
            Assert.True(chi < s_critical[df], $"χ² = {chi:F2} with {df} degrees of freedom; counts {string.Join(",", counts)}");
        }

        /// <summary>Reference: p^(1/T) renormalized, restricted to the k largest, in double precision.</summary>
        private static double[] Expected(float[] p, double temperature, int topK = 0)
        {
            double[] w = p.Select(x => Math.Pow(x, 1 / temperature)).ToArray();
            if (topK > 0)
            {
                double kth = p.OrderByDescending(x => x).ElementAt(topK - 1);
                for (int i = 0; i < w.Length; i++)
                {
                    w[i] = p[i] >= kth ? w[i] : 0;
                }
            }
            double sum = w.Sum();
            return w.Select(x => x / sum).ToArray();
        }

        [Theory]
        [InlineData(1.0f, 0)]
        [InlineData(0.5f, 0)]
        [InlineData(2.0f, 0)]
        [InlineData(1.0f, 2)]
        [InlineData(0.7f, 3)]
        public void Draw_frequencies_match_the_tempered_top_k_distribution(float temperature, int topK)
        {
            int[] counts = Counts(s => s.Sample(s_row, temperature, topK), s_row.Length);
            AssertFrequencies(counts, Expected(s_row, temperature, topK));
        }

        [Fact]
        public void The_frequency_check_can_tell_temperatures_apart()
        {
            int[] counts = Counts(s => s.Sample(s_row, 0.5f), s_row.Length);
            var (chi, df) = ChiSquare(counts, Expected(s_row, 1.0));
            Assert.True(chi > 100 * s_critical[df], $"χ² = {chi:F2}");
        }

        [Fact]
        public void Logits_draw_like_their_softmax()
        {
            float[] logits = [1.5f, -0.5f, 0.0f, 2.0f, -3.0f];
            double max = logits.Max();
            double sum = logits.Sum(z => Math.Exp(z - max));
            float[] softmax = logits.Select(z => (float)(Math.Exp(z - max) / sum)).ToArray();
            foreach (var (temperature, topK) in new[] { (1f, 0), (0.6f, 0), (1.5f, 3) })
            {
                int[] counts = Counts(s => s.SampleLogits(logits, temperature, topK), logits.Length, seed: 3);
                AssertFrequencies(counts, Expected(softmax, temperature, topK));
            }
        }

        [Fact]
        public void Zero_temperature_and_top_1_are_argmax()
        {
            float[] row = [0.2f, 0.05f, 0.4f, 0.4f, 0.1f];
            var sampler = new Sampler(7);
            for (int i = 0; i < 200; i++)
            {
                Assert.Equal(2, sampler.Sample(row, temperature: 0f));       // the first of two equal maxima
                Assert.Equal(2, sampler.Sample(row, topK: 1));
                Assert.Equal(2, sampler.Sample(row, temperature: 3f, topK: 1));
                Assert.Equal(2, sampler.SampleLogits(row, temperature: 0f));
                Assert.Equal(2, sampler.SampleLogits(row, topK: 1));
            }
        }

        [Fact]
        public void A_tiny_temperature_picks_the_most_likely_token()
        {
            float[] row = [0.3f, 0.31f, 0.39f];
            var sampler = new Sampler(9);
            for (int i = 0; i < 200; i++)
            {
                Assert.Equal(2, sampler.Sample(row, temperature: 1e-30f));
                Assert.Equal(2, sampler.SampleLogits(row, temperature: 1e-30f));
            }
        }

        [Fact]
        public void Top_k_never_returns_a_token_outside_the_top_k()
        {
            var rng = new Rng(21);
            var sampler = new Sampler(4);
            float[] row = new float[50];
            for (int trial = 0; trial < 200; trial++)
            {
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = (1 + rng.NextInt(6)) / 8f; // six values: ties at the boundary are the rule
                }
                int k = 1 + rng.NextInt(10);
                // Reference ranking: larger first, the lower index first among equals.
                int[] top = Enumerable.Range(0, row.Length).OrderByDescending(i => row[i]).ThenBy(i => i).Take(k).ToArray();
                for (int d = 0; d < 50; d++)
                {
                    Assert.Contains(sampler.Sample(row, 1.3f, k), top);
                    Assert.Contains(sampler.SampleLogits(row, 1.3f, k), top);
                }
            }
        }

        [Fact]
        public void Ties_at_the_top_k_boundary_keep_the_lower_ids()
        {
            int[] counts = Counts(s => s.Sample([0.25f, 0.25f, 0.25f, 0.25f], topK: 2), 4);
            AssertFrequencies(counts, [0.5, 0.5, 0, 0]);
        }

        [Fact]
        public void The_same_seed_gives_the_same_draws_and_another_seed_others()
        {
            float[] row = [0.05f, 0.15f, 0.2f, 0.25f, 0.35f];
            int[] Run(long seed, int topK)
            {
                var sampler = new Sampler(seed);
                return Enumerable.Range(0, 300).Select(_ => sampler.Sample(row, 0.9f, topK)).ToArray();
            }
            Assert.Equal(Run(42, 0), Run(42, 0));
            Assert.NotEqual(Run(42, 0), Run(43, 0));
            Assert.Equal(Run(42, 0), Run(42, row.Length)); // k ≥ the row length keeps every token
            Assert.Equal(Run(42, 0), Run(42, 1000));
        }

        [Fact]
        public void Unnormalized_weights_draw_like_their_normalized_probabilities()
        {
            float[] weights = [1f, 2f, 3f, 4f];
            var a = new Sampler(8);
            var b = new Sampler(8);
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal(a.Sample(s_row), b.Sample(weights));
            }
        }

        [Fact]
        public void Drawing_allocates_nothing_once_warm()
        {
            float[] row = Enumerable.Range(1, 256).Select(i => (float)i).ToArray();
            var sampler = new Sampler(1);
            sampler.Sample(row, 0.8f, 40);
            sampler.SampleLogits(row, 0.8f, 40);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                sampler.Sample(row, 0.8f, 40);
                sampler.SampleLogits(row, 0.8f, 40);
                sampler.Sample(row);
            }
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }

        [Theory]
        [InlineData(-1f, "-1")]
        [InlineData(float.NaN, "NaN")]
        [InlineData(float.PositiveInfinity, "Infinity")]
        public void A_bad_temperature_throws_with_its_value(float temperature, string shown)
        {
            var sampler = new Sampler(1);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(s_row, temperature));
            Assert.Equal("temperature", e.ParamName);
            Assert.Contains($"got {shown}", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => sampler.SampleLogits(s_row, temperature));
        }

        [Fact]
        public void A_negative_top_k_throws_with_its_value()
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sampler(1).Sample(s_row, topK: -3));
            Assert.Contains("got -3", e.Message);
        }

        [Theory]
        [InlineData(new[] { 0.5f, float.NaN }, "probabilities[1] is NaN")]
        [InlineData(new[] { float.PositiveInfinity, 0.5f }, "probabilities[0] is Infinity")]
        [InlineData(new[] { 0.5f, 0.6f, -0.1f }, "probabilities[2] is -0.1")]
        [InlineData(new[] { 0f, 0f, 0f }, "All 3 probabilities are zero")]
        [InlineData(new float[0], "empty")]
        public void A_row_that_is_not_a_distribution_throws_saying_why(float[] row, string message)
        {
            var e = Assert.Throws<ArgumentException>(() => new Sampler(1).Sample(row));
            Assert.Contains(message, e.Message);
        }

        [Theory]
        [InlineData(new[] { 0.5f, float.NaN }, "logits[1] is NaN")]
        [InlineData(new[] { float.NegativeInfinity, 0.5f }, "logits[0] is -Infinity")]
        [InlineData(new float[0], "empty")]
        public void A_logit_row_that_is_not_finite_throws_saying_why(float[] row, string message)
        {
            var e = Assert.Throws<ArgumentException>(() => new Sampler(1).SampleLogits(row));
            Assert.Contains(message, e.Message);
        }
    }
}

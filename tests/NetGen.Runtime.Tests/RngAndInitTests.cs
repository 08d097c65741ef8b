using System;
using System.Linq;

namespace NetGen.Runtime.Tests
{
    public class RngAndInitTests
    {
        [Fact]
        public void The_same_seed_gives_the_same_sequence_and_another_seed_another()
        {
            var a = new Rng(42);
            var b = new Rng(42);
            var c = new Rng(43);
            ulong[] sa = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToArray();
            ulong[] sb = Enumerable.Range(0, 100).Select(_ => b.NextUInt64()).ToArray();
            ulong[] sc = Enumerable.Range(0, 100).Select(_ => c.NextUInt64()).ToArray();
            Assert.Equal(sa, sb);
            Assert.NotEqual(sa, sc);
        }

        [Fact]
        public void The_sequence_is_fixed_by_this_code_not_by_the_platform()
        {
            // xoshiro256** seeded through SplitMix64 from 0: the reference implementation's first outputs.
            var rng = new Rng(0);
            Assert.Equal(0x99EC5F36CB75F2B4UL, rng.NextUInt64());
            Assert.Equal(0xBF6E1F784956452AUL, rng.NextUInt64());
        }

        [Fact]
        public void Uniform_integers_stay_in_range_and_cover_it_evenly()
        {
            var rng = new Rng(7);
            int[] counts = new int[10];
            for (int i = 0; i < 100_000; i++)
            {
                counts[rng.NextInt(10)]++;
            }
            Assert.All(counts, n => Assert.InRange(n, 9_500, 10_500));
            Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        }

        [Fact]
        public void Normals_have_mean_zero_and_unit_variance()
        {
            var rng = new Rng(9);
            double sum = 0, sumSq = 0;
            const int N = 200_000;
            for (int i = 0; i < N; i++)
            {
                double x = rng.NextNormal();
                sum += x;
                sumSq += x * x;
            }
            Assert.InRange(sum / N, -0.01, 0.01);
            Assert.InRange(sumSq / N, 0.98, 1.02);
        }

        [Fact]
        public void Shuffle_is_a_permutation()
        {
            int[] values = Enumerable.Range(0, 1000).ToArray();
            new Rng(1).Shuffle(values.AsSpan());
            Assert.NotEqual(Enumerable.Range(0, 1000), values);
            Assert.Equal(Enumerable.Range(0, 1000), values.OrderBy(v => v));
        }

        [Theory]
        [InlineData(Initializer.Default, 1.0 / 784)]
        [InlineData(Initializer.LeCunNormal, 1.0 / 784)]
        [InlineData(Initializer.GlorotUniform, 2.0 / (784 + 500))]
        [InlineData(Initializer.GlorotNormal, 2.0 / (784 + 500))]
        [InlineData(Initializer.HeUniform, 2.0 / 784)]
        [InlineData(Initializer.HeNormal, 2.0 / 784)]
        [InlineData(Initializer.TorchUniform, 1.0 / (3 * 784))]
        [InlineData(Initializer.Zeros, 0.0)]
        public void Initializers_draw_with_the_documented_variance(Initializer kind, double variance)
        {
            float[] w = new float[500 * 784];
            Init.Weights(kind, w, fanIn: 784, fanOut: 500, new Rng(3));
            double mean = w.Average(v => (double)v);
            double var = w.Average(v => (double)v * v) - mean * mean;
            Assert.InRange(mean, -0.01 * Math.Sqrt(variance) - 1e-12, 0.01 * Math.Sqrt(variance) + 1e-12);
            Assert.InRange(var, 0.98 * variance, 1.02 * variance);
        }

        /// <summary>
        /// Dropout's side-by-side streams: lane l is exactly <c>new Rng(seed, firstStream + l)</c>, the values interleaved, on
        /// 256-bit and on 128-bit vectors alike, and a fill continues where the last one stopped (fills of 8, 24 and 256 values).
        /// </summary>
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Lanes_interleave_eight_streams_of_the_generator(bool wide)
        {
            const long Seed = 0x5EED, First = 40;
            var lanes = new Rng.Lanes(Seed, First);
            var expected = Enumerable.Range(0, Rng.Lanes.Count).Select(l => new Rng(Seed, First + l)).ToArray();
            foreach (int length in new[] { 8, 24, 256 })
            {
                ulong[] values = new ulong[length];
                lanes.Fill(values, wide);
                for (int i = 0; i < length; i++)
                {
                    Assert.Equal(expected[i % Rng.Lanes.Count].NextUInt64(), values[i]);
                }
            }
            Assert.Throws<ArgumentException>(() => new Rng.Lanes(Seed, First).Fill(new ulong[12], wide));
        }

        [Fact]
        public void Aligned_buffers_start_on_a_cache_line()
        {
            for (int length = 1; length < 40; length++)
            {
                var buffer = new AlignedBuffer(length);
                Assert.Equal(length, buffer.Span.Length);
                unsafe
                {
                    fixed (float* p = buffer.Span)
                    {
                        Assert.Equal(0, (long)p % 64);
                    }
                }
            }
        }
    }
}

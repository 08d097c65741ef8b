using System;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary><see cref="Masks"/> and <see cref="Residual"/>.</summary>
    public class MasksKernelTests
    {
        [Fact]
        public void Padding_marks_the_padding_tokens()
        {
            int[] tokens = [5, 0, 7, 0, 0, 3, 9, 2];
            float[] mask = new float[8];
            Array.Fill(mask, float.NaN);
            Masks.Padding(tokens, paddingIndex: 0, mask, batch: 2, steps: 4);
            Assert.Equal([0, 1, 0, 1, 1, 0, 0, 0], mask);
        }

        [Fact]
        public void A_sequence_of_padding_only_is_refused_naming_the_sample()
        {
            int[] tokens = [4, 1, 1, 1, 1, 1, 2, 1];
            var e = Assert.Throws<ArgumentException>(() => Masks.Padding(tokens, paddingIndex: 1, new float[8], batch: 4, steps: 2));
            Assert.Contains("Sample 1 ", e.Message);
            Assert.Contains("padding index 1", e.Message);
            Assert.Equal("tokens", e.ParamName);
        }

        [Fact]
        public void Short_buffers_are_refused()
        {
            Assert.Equal("keyPadding", Assert.Throws<ArgumentException>(() => Masks.Padding(new int[6], 0, new float[5], 2, 3)).ParamName);
            Assert.Equal("tokens", Assert.Throws<ArgumentException>(() => Masks.Padding(new int[5], 0, new float[6], 2, 3)).ParamName);
        }

        [Fact]
        public void Residual_add_is_elementwise_and_may_work_in_place()
        {
            float[] a = [1, 2, 3, 4, 5], b = [10, 20, 30, 40, 50], y = new float[5];
            Residual.Add(a, b, y, 5);
            Assert.Equal([11, 22, 33, 44, 55], y);
            Residual.Add(a, b, a, 3);
            Assert.Equal([11, 22, 33, 4, 5], a);
            Assert.Equal("y", Assert.Throws<ArgumentException>(() => Residual.Add(a, b, new float[2], 3)).ParamName);
        }
    }

    /// <summary><see cref="Positional"/>: the add, its gradient and the sinusoidal table.</summary>
    public class PositionalKernelTests
    {
        [Fact]
        public void Add_and_its_backward_match_naive_loops()
        {
            const int Batch = 3, Steps = 5, Features = 7;
            var random = new Random(1);
            float[] x = new float[Batch * Steps * Features], table = new float[Steps * Features], dy = new float[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = random.NextSingle();
                dy[i] = random.NextSingle() - 0.5f;
            }
            for (int i = 0; i < table.Length; i++)
            {
                table[i] = random.NextSingle();
            }
            float[] y = new float[x.Length], dTable = new float[table.Length];
            Array.Fill(dTable, float.NaN);
            Positional.Add(x, table, y, Batch, Steps, Features);
            Positional.AddBackward(dy, dTable, Batch, Steps, Features);
            for (int t = 0; t < Steps; t++)
            {
                for (int f = 0; f < Features; f++)
                {
                    float sum = 0;
                    for (int b = 0; b < Batch; b++)
                    {
                        int i = (b * Steps + t) * Features + f;
                        Assert.Equal(x[i] + table[t * Features + f], y[i]);
                        sum += dy[i];
                    }
                    Assert.Equal(sum, dTable[t * Features + f]);
                }
            }
            // In place.
            Positional.Add(x, table, x, Batch, Steps, Features);
            Assert.Equal(y, x);
        }

        [Fact]
        public void Add_backward_of_an_empty_batch_is_zero()
        {
            float[] dTable = [1, 2, 3, 4];
            Positional.AddBackward(ReadOnlySpan<float>.Empty, dTable, 0, 2, 2);
            Assert.Equal([0, 0, 0, 0], dTable);
        }

        [Theory]
        [InlineData(6, 8)]
        [InlineData(5, 7)]
        [InlineData(50, 64)]
        public void Sinusoidal_table_follows_the_paper(int steps, int features)
        {
            float[] table = new float[steps * features];
            Positional.Sinusoidal(table, steps, features);
            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < features; j++)
                {
                    int pair = j / 2;
                    double angle = t / Math.Pow(10000, 2.0 * pair / features);
                    double expected = j % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle);
                    Assert.True(Math.Abs(expected - table[t * features + j]) <= 1e-6, $"PE[{t}, {j}] = {table[t * features + j]:R}, expected {expected:R}");
                }
            }
            // Known values: position 0 is (0, 1, 0, 1, …); position 1 starts sin 1, cos 1.
            Assert.Equal(0f, table[0]);
            Assert.Equal(1f, table[1]);
            Assert.Equal((float)Math.Sin(1), table[features]);
            Assert.Equal((float)Math.Cos(1), table[features + 1]);
        }

        [Fact]
        public void Short_buffers_are_refused()
        {
            Assert.Equal("table", Assert.Throws<ArgumentException>(() => Positional.Add(new float[12], new float[5], new float[12], 2, 3, 2)).ParamName);
            Assert.Equal("dTable", Assert.Throws<ArgumentException>(() => Positional.AddBackward(new float[12], new float[5], 2, 3, 2)).ParamName);
            Assert.Equal("table", Assert.Throws<ArgumentException>(() => Positional.Sinusoidal(new float[5], 3, 2)).ParamName);
        }
    }

    /// <summary><see cref="SequencePooling"/> against a naive double-precision masked mean.</summary>
    public class SequencePoolingKernelTests
    {
        private const int Batch = 4, Steps = 6, Features = 5;

        private static (float[] X, float[] Mask, float[] Dy) Data()
        {
            var random = new Random(2);
            float[] x = new float[Batch * Steps * Features], dy = new float[Batch * Features];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = 2 * random.NextSingle() - 1;
            }
            for (int i = 0; i < dy.Length; i++)
            {
                dy[i] = 2 * random.NextSingle() - 1;
            }
            // Sample 0 unmasked, 1 right-padded, 2 left-padded, 3 a single real step.
            float[] mask =
            [
                0, 0, 0, 0, 0, 0,
                0, 0, 0, 1, 1, 1,
                1, 1, 0, 0, 0, 0,
                1, 1, 1, 0, 1, 1,
            ];
            return (x, mask, dy);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Mean_and_its_backward_match_the_reference(bool masked)
        {
            var (x, mask, dy) = Data();
            ReadOnlySpan<float> keyPadding = masked ? mask : ReadOnlySpan<float>.Empty;
            float[] y = new float[Batch * Features], dx = new float[x.Length];
            Array.Fill(y, float.NaN);
            Array.Fill(dx, float.NaN);
            SequencePooling.MeanForward(x, keyPadding, y, Batch, Steps, Features);
            SequencePooling.MeanBackward(dy, keyPadding, dx, Batch, Steps, Features);
            for (int b = 0; b < Batch; b++)
            {
                int count = 0;
                for (int t = 0; t < Steps; t++)
                {
                    count += !masked || mask[b * Steps + t] == 0 ? 1 : 0;
                }
                for (int f = 0; f < Features; f++)
                {
                    double sum = 0;
                    for (int t = 0; t < Steps; t++)
                    {
                        bool used = !masked || mask[b * Steps + t] == 0;
                        sum += used ? x[(b * Steps + t) * Features + f] : 0;
                        // y is linear in x: ∂L/∂x = dy/count where used, 0 elsewhere.
                        double expected = used ? (double)dy[b * Features + f] / count : 0;
                        Assert.True(Math.Abs(expected - dx[(b * Steps + t) * Features + f]) <= 1e-7, $"dx[{b}, {t}, {f}]");
                    }
                    Assert.True(Math.Abs(sum / count - y[b * Features + f]) <= 1e-6, $"y[{b}, {f}] = {y[b * Features + f]:R}, expected {sum / count:R}");
                }
            }
        }

        [Fact]
        public void A_fully_masked_sample_pools_to_zero()
        {
            float[] x = [1, 2, 3, 4], y = new float[2], dx = new float[4];
            Array.Fill(dx, float.NaN);
            SequencePooling.MeanForward(x, new float[] { 1, 1 }, y, 1, 2, 2);
            SequencePooling.MeanBackward(new float[] { 1, 1 }, new float[] { 1, 1 }, dx, 1, 2, 2);
            Assert.Equal([0, 0], y);
            Assert.Equal([0, 0, 0, 0], dx);
        }

        [Fact]
        public void Short_buffers_are_refused()
        {
            Assert.Equal("keyPadding", Assert.Throws<ArgumentException>(() =>
                SequencePooling.MeanForward(new float[12], new float[5], new float[4], 2, 3, 2)).ParamName);
            Assert.Equal("y", Assert.Throws<ArgumentException>(() =>
                SequencePooling.MeanForward(new float[12], default, new float[3], 2, 3, 2)).ParamName);
            Assert.Equal("dx", Assert.Throws<ArgumentException>(() =>
                SequencePooling.MeanBackward(new float[4], default, new float[11], 2, 3, 2)).ParamName);
        }
    }
}

using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary><see cref="LayerNorm"/> against a naive double-precision nn.LayerNorm.</summary>
    [Collection("Simd")]
    public class LayerNormKernelTests
    {
        private const double Epsilon = 1e-5;

        public static IEnumerable<object[]> Levels() => SimdLevels.All();

        /// <summary>(rows, features): one feature, tails after every vector width, more rows than a block (64).</summary>
        private static readonly (int Rows, int Features)[] Shapes = [(1, 1), (3, 5), (2, 8), (4, 16), (5, 37), (70, 64), (3, 100), (130, 24)];

        private sealed class Case
        {
            public Case(int rows, int features, int seed, double offset = 0)
            {
                Rows = rows;
                Features = features;
                var random = new Random(seed);
                double[] Draw(int n, double centre, double spread)
                {
                    var values = new double[n];
                    for (int i = 0; i < n; i++)
                    {
                        values[i] = (float)(centre + spread * (2 * random.NextDouble() - 1));
                    }
                    return values;
                }
                X = Draw(rows * features, offset, 2);
                Gamma = Draw(features, 1, 0.5);
                Beta = Draw(features, 0, 0.5);
                Dy = Draw(rows * features, 0, 1);
                DxStart = Draw(rows * features, 0, 1);
            }

            public int Rows { get; }
            public int Features { get; }
            public double[] X { get; }
            public double[] Gamma { get; }
            public double[] Beta { get; }
            public double[] Dy { get; }
            public double[] DxStart { get; }

            public override string ToString() => $"rows={Rows} features={Features}";
        }

        private static double[] ReferenceForward(Case c)
        {
            int n = c.Features;
            var y = new double[c.X.Length];
            for (int r = 0; r < c.Rows; r++)
            {
                double mean = 0, variance = 0;
                for (int i = 0; i < n; i++)
                {
                    mean += c.X[r * n + i] / n;
                }
                for (int i = 0; i < n; i++)
                {
                    variance += Math.Pow(c.X[r * n + i] - mean, 2) / n;
                }
                for (int i = 0; i < n; i++)
                {
                    y[r * n + i] = (c.X[r * n + i] - mean) / Math.Sqrt(variance + Epsilon) * c.Gamma[i] + c.Beta[i];
                }
            }
            return y;
        }

        /// <summary>(dx, dγ, dβ) for <c>L = Σ dy⊙y</c>, from the textbook formula.</summary>
        private static (double[] Dx, double[] DGamma, double[] DBeta) ReferenceBackward(Case c)
        {
            int n = c.Features;
            double[] dx = new double[c.X.Length], dGamma = new double[n], dBeta = new double[n];
            for (int r = 0; r < c.Rows; r++)
            {
                double mean = 0, variance = 0;
                for (int i = 0; i < n; i++)
                {
                    mean += c.X[r * n + i] / n;
                }
                for (int i = 0; i < n; i++)
                {
                    variance += Math.Pow(c.X[r * n + i] - mean, 2) / n;
                }
                double rstd = 1 / Math.Sqrt(variance + Epsilon), gMean = 0, gxMean = 0;
                for (int i = 0; i < n; i++)
                {
                    double xhat = (c.X[r * n + i] - mean) * rstd, g = c.Dy[r * n + i] * c.Gamma[i];
                    dGamma[i] += c.Dy[r * n + i] * xhat;
                    dBeta[i] += c.Dy[r * n + i];
                    gMean += g / n;
                    gxMean += g * xhat / n;
                }
                for (int i = 0; i < n; i++)
                {
                    double xhat = (c.X[r * n + i] - mean) * rstd;
                    dx[r * n + i] = rstd * (c.Dy[r * n + i] * c.Gamma[i] - gMean - xhat * gxMean);
                }
            }
            return (dx, dGamma, dBeta);
        }

        private static double Loss(Case c)
        {
            double[] y = ReferenceForward(c);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += c.Dy[i] * y[i];
            }
            return sum;
        }

        [Fact]
        public void Reference_gradients_match_finite_differences()
        {
            const double Step = 1e-6;
            foreach (var (rows, features) in new[] { (1, 2), (2, 3), (3, 5) })
            {
                var c = new Case(rows, features, seed: 10 * rows + features);
                var (dx, dGamma, dBeta) = ReferenceBackward(c);
                foreach (var (values, gradient, name) in new[] { (c.X, dx, "dx"), (c.Gamma, dGamma, "dγ"), (c.Beta, dBeta, "dβ") })
                {
                    for (int i = 0; i < values.Length; i++)
                    {
                        double saved = values[i];
                        values[i] = saved + Step;
                        double plus = Loss(c);
                        values[i] = saved - Step;
                        double minus = Loss(c);
                        values[i] = saved;
                        double numeric = (plus - minus) / (2 * Step);
                        Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 * (1 + Math.Abs(numeric)),
                            $"{c}: {name}[{i}] = {gradient[i]:R}, finite difference {numeric:R}");
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Levels))]
        public void Forward_and_backward_match_the_reference(SimdLevel level)
        {
            SimdLevels.With(level, () =>
            {
                foreach (var (rows, features) in Shapes)
                {
                    foreach (double offset in new[] { 0.0, 300.0 }) // a large common offset must not cancel the variance away
                    {
                        var c = new Case(rows, features, seed: 100 * rows + features, offset);
                        string what = $"{c} offset={offset}";
                        var run = Run(c, accumulate: false);
                        AttentionKernelTests.AssertClose(ReferenceForward(c), run.Y, $"{what}: y");
                        var (dx, dGamma, dBeta) = ReferenceBackward(c);
                        AttentionKernelTests.AssertClose(dx, run.Dx, $"{what}: dx");
                        AttentionKernelTests.AssertClose(dGamma, run.DGamma, $"{what}: dγ");
                        AttentionKernelTests.AssertClose(dBeta, run.DBeta, $"{what}: dβ");

                        // Accumulating adds the same dx to what was there; the parameter gradients are still overwritten.
                        var accumulated = Run(c, accumulate: true);
                        double[] expected = new double[dx.Length];
                        for (int i = 0; i < dx.Length; i++)
                        {
                            expected[i] = dx[i] + (float)c.DxStart[i];
                        }
                        AttentionKernelTests.AssertClose(expected, accumulated.Dx, $"{what}: accumulated dx");
                        Assert.Equal(run.DGamma, accumulated.DGamma);
                        Assert.Equal(run.DBeta, accumulated.DBeta);
                    }
                }
            });
        }

        [Fact]
        public void Saved_holds_the_mean_and_reciprocal_deviation()
        {
            float[] x = [1, 2, 3, 4, 10, 10, 10, 10], y = new float[8], saved = new float[4];
            LayerNorm.Forward(x, new float[] { 1, 1, 1, 1 }, new float[4], y, saved, 2, 4, 1e-5f);
            Assert.Equal(2.5f, saved[0]);
            Assert.Equal((float)(1 / Math.Sqrt(1.25 + 1e-5)), saved[1], 6);
            Assert.Equal(10f, saved[2]);
            Assert.Equal((float)(1 / Math.Sqrt(1e-5)), saved[3], 1);
            Assert.Equal([0, 0, 0, 0], y[4..]);
        }

        [Fact]
        public void In_place_forward_and_backward_give_the_same_bits()
        {
            var c = new Case(9, 20, seed: 8);
            var run = Run(c, accumulate: false);
            float[] y = AttentionCase.ToFloat(c.X), saved = new float[2 * c.Rows], gamma = AttentionCase.ToFloat(c.Gamma);
            LayerNorm.Forward(y, gamma, AttentionCase.ToFloat(c.Beta), y, saved, c.Rows, c.Features, (float)Epsilon);
            Assert.Equal(run.Y, y);
            float[] d = AttentionCase.ToFloat(c.Dy), dGamma = new float[c.Features], dBeta = new float[c.Features];
            LayerNorm.Backward(d, AttentionCase.ToFloat(c.X), gamma, saved, d, dGamma, dBeta, c.Rows, c.Features, accumulate: false);
            Assert.Equal(run.Dx, d);
            Assert.Equal(run.DGamma, dGamma);
        }

        [Fact]
        public void Results_do_not_depend_on_the_thread_count()
        {
            var c = new Case(8200, 64, seed: 3); // enough values for two threads; the last block is short
            int saved = Parallelism.MaxThreads;
            try
            {
                Parallelism.MaxThreads = 1;
                var one = Run(c, accumulate: true);
                Parallelism.MaxThreads = 2;
                var two = Run(c, accumulate: true);
                Assert.Equal(one.Y, two.Y);
                Assert.Equal(one.Dx, two.Dx);
                Assert.Equal(one.DGamma, two.DGamma);
                Assert.Equal(one.DBeta, two.DBeta);
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }

        [Fact]
        public void Calls_do_not_allocate_once_warm()
        {
            const int Rows = 8200, Features = 64;
            float[] x = new float[Rows * Features], y = new float[x.Length], dx = new float[x.Length], saved = new float[2 * Rows];
            float[] gamma = new float[Features], beta = new float[Features], dGamma = new float[Features], dBeta = new float[Features];
            void Call()
            {
                LayerNorm.Forward(x, gamma, beta, y, saved, Rows, Features, 1e-5f);
                LayerNorm.Backward(y, x, gamma, saved, dx, dGamma, dBeta, Rows, Features, accumulate: true);
            }
            Assert.Equal(0, Allocations.PerWarmCall(Call));
        }

        [Fact]
        public void Short_buffers_are_refused_with_their_name()
        {
            float[] x = new float[6], y = new float[6], saved = new float[4], gamma = new float[3];
            Assert.Equal("saved", Assert.Throws<ArgumentException>(() => LayerNorm.Forward(x, gamma, gamma, y, new float[3], 2, 3, 1e-5f)).ParamName);
            Assert.Equal("beta", Assert.Throws<ArgumentException>(() => LayerNorm.Forward(x, gamma, new float[2], y, saved, 2, 3, 1e-5f)).ParamName);
            Assert.Equal("dx", Assert.Throws<ArgumentException>(() =>
                LayerNorm.Backward(y, x, gamma, saved, new float[5], gamma, new float[3], 2, 3, false)).ParamName);
        }

        private readonly record struct Result(float[] Y, float[] Dx, float[] DGamma, float[] DBeta);

        private static Result Run(Case c, bool accumulate)
        {
            float[] x = AttentionCase.ToFloat(c.X), gamma = AttentionCase.ToFloat(c.Gamma);
            float[] y = new float[x.Length], saved = new float[2 * c.Rows];
            LayerNorm.Forward(x, gamma, AttentionCase.ToFloat(c.Beta), y, saved, c.Rows, c.Features, (float)Epsilon);
            float[] dx = accumulate ? AttentionCase.ToFloat(c.DxStart) : new float[x.Length];
            if (!accumulate)
            {
                Array.Fill(dx, float.NaN);
            }
            float[] dGamma = new float[c.Features], dBeta = new float[c.Features];
            Array.Fill(dGamma, float.NaN); // overwritten, never accumulated
            Array.Fill(dBeta, float.NaN);
            LayerNorm.Backward(AttentionCase.ToFloat(c.Dy), x, gamma, saved, dx, dGamma, dBeta, c.Rows, c.Features, accumulate);
            return new Result(y, dx, dGamma, dBeta);
        }
    }
}

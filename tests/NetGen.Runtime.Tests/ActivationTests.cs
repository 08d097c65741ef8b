using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    [Collection("Simd")]
    public class ActivationTests
    {
        public delegate void Forward(ReadOnlySpan<float> z, Span<float> y);

        public delegate void Backward(ReadOnlySpan<float> saved, Span<float> d);

        private static readonly int[] Lengths = [1, 7, 15, 16, 17, 33, 100];

        public static IEnumerable<object[]> Cases()
        {
            foreach (object[] level in SimdLevels.All())
            {
                foreach (string name in new[] { "relu", "leaky_relu", "sigmoid", "tanh", "gelu" })
                {
                    yield return new[] { level[0], name };
                }
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_and_backward_match_scalar_double_references(SimdLevel level, string name)
        {
            (Forward forward, Backward backward, Func<double, double> f, Func<double, double> df, bool backwardFromZ) = name switch
            {
                "relu" => ((Forward)Activations.ReLU, (Backward)Activations.ReLUBackward, (Func<double, double>)(x => Math.Max(0, x)), (Func<double, double>)(x => x > 0 ? 1 : 0), false),
                "leaky_relu" => (Activations.LeakyReLU, Activations.LeakyReLUBackward, x => x > 0 ? x : 0.01 * x, x => x > 0 ? 1 : 0.01, false),
                "sigmoid" => (Activations.Sigmoid, Activations.SigmoidBackward, x => 1 / (1 + Math.Exp(-x)), x => Math.Exp(-x) / Math.Pow(1 + Math.Exp(-x), 2), false),
                "tanh" => (Activations.Tanh, Activations.TanhBackward, Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x), false),
                "gelu" => (Activations.Gelu, Activations.GeluBackward, x => x * Phi(x), x => Phi(x) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), true),
                _ => throw new ArgumentException(name),
            };
            SimdLevels.With(level, () =>
            {
                foreach (int length in Lengths)
                {
                    var rng = new Rng(length);
                    float[] z = new float[length];
                    float[] upstream = new float[length];
                    for (int i = 0; i < length; i++)
                    {
                        z[i] = 8 * rng.NextFloat() - 4;
                        upstream[i] = 2 * rng.NextFloat() - 1;
                    }
                    z[0] = length > 1 ? 0.5f : -0.5f;

                    float[] y = new float[length];
                    forward(z, y);
                    float[] inPlace = (float[])z.Clone();
                    forward(inPlace, inPlace);
                    float[] d = (float[])upstream.Clone();
                    backward(backwardFromZ ? z : y, d);
                    for (int i = 0; i < length; i++)
                    {
                        Assert.True(Math.Abs(y[i] - f(z[i])) <= 2e-6 * Math.Max(1, Math.Abs(f(z[i]))), $"{name}({z[i]}) = {y[i]}, expected {f(z[i])}");
                        Assert.Equal(y[i], inPlace[i]);
                        double expected = upstream[i] * df(z[i]);
                        Assert.True(Math.Abs(d[i] - expected) <= 2e-6, $"{name}′ at {z[i]}: {d[i]}, expected {expected}");
                    }
                }
            });
        }

        [Fact]
        public void Normal_cdf_matches_tabulated_values()
        {
            (double x, double phi)[] table = [(0, 0.5), (1, 0.8413447460685429), (-1, 0.15865525393145705), (-2, 0.022750131948179195), (3, 0.9986501019683699), (-5, 2.866515718791939e-7)];
            foreach (var (x, phi) in table)
            {
                Assert.True(Math.Abs(Activations.NormalCdf(x) - phi) <= 1.5e-7 * Math.Max(phi, 1e-3), $"Φ({x}) = {Activations.NormalCdf(x)}, expected {phi}");
            }
        }

        /// <summary>Logits far past exp's float range (a confident output layer) give the probabilities, not NaN.</summary>
        [Fact]
        public void Softmax_of_large_logits_matches_a_double_reference()
        {
            float[] z = [100f, 0f, 1000f, 999f, -5f, -1000f, -1001f, 50f, 300f, 300f, 88.5f, 89f];
            float[] y = new float[z.Length];
            Activations.Softmax(z, y, 4, 3);
            for (int r = 0; r < 4; r++)
            {
                double max = Enumerable.Range(0, 3).Max(c => (double)z[r * 3 + c]);
                double sum = Enumerable.Range(0, 3).Sum(c => Math.Exp(z[r * 3 + c] - max));
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(Math.Exp(z[r * 3 + c] - max) / sum, y[r * 3 + c], 6);
                }
            }
        }

        [Fact]
        public void Softmax_rows_sum_to_one_and_its_backward_applies_the_jacobian()
        {
            const int Rows = 3, Columns = 17;
            var rng = new Rng(5);
            float[] z = GemmTests.Random(Rows * Columns, rng);
            z[0] = 80; // large logits must not overflow
            float[] y = new float[z.Length];
            Activations.Softmax(z, y, Rows, Columns);
            float[] d = GemmTests.Random(z.Length, rng);
            float[] dz = (float[])d.Clone();
            Activations.SoftmaxBackward(y, dz, Rows, Columns);
            for (int r = 0; r < Rows; r++)
            {
                double sum = 0, dot = 0;
                for (int c = 0; c < Columns; c++)
                {
                    sum += y[r * Columns + c];
                    dot += d[r * Columns + c] * (double)y[r * Columns + c];
                }
                Assert.Equal(1.0, sum, 5);
                for (int c = 0; c < Columns; c++)
                {
                    int i = r * Columns + c;
                    Assert.Equal(y[i] * (d[i] - dot), dz[i], 5);
                }
            }
        }

        /// <summary>
        /// Passes over more than 64 K values are shared between threads by blocks: a sigmoid gradient, a residual sum and a
        /// dropout product over 300,007 values (an odd tail past the last block) equal a plain loop's, value for value, on one
        /// thread and on two (in place too, as the generated code calls them).
        /// </summary>
        [Fact]
        public void Large_passes_shared_between_threads_equal_a_plain_loop()
        {
            const int N = 300_007;
            var rng = new Rng(17);
            float[] a = GemmTests.Random(N, rng), b = GemmTests.Random(N, rng), y = GemmTests.Random(N, rng);
            float[] sum = new float[N], product = new float[N], sigmoid = new float[N];
            for (int i = 0; i < N; i++)
            {
                sum[i] = a[i] + b[i];
                product[i] = a[i] * b[i];
                sigmoid[i] = a[i] * y[i] * (1 - y[i]);
            }
            int saved = Parallelism.MaxThreads;
            try
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    Parallelism.MaxThreads = threads;
                    float[] s = new float[N], p = (float[])a.Clone(), d = (float[])a.Clone();
                    Residual.Add(a, b, s, N);
                    Dropout.Backward(p, b, p);
                    Activations.SigmoidBackward(y, d);
                    Assert.Equal(sum, s);
                    Assert.Equal(product, p);
                    Assert.Equal(sigmoid, d);
                }
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }

        private static double Phi(double x)
        {
            // Φ by a high-order series (x small) or continued fraction, independent of the kernel's approximation.
            if (Math.Abs(x) < 5)
            {
                double term = x, sum = x;
                for (int n = 1; n < 200; n++)
                {
                    term *= x * x / (2 * n + 1);
                    sum += term;
                }
                return 0.5 + sum * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
            }
            return x > 0 ? 1 : 0;
        }
    }
}

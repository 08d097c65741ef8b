using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    [Collection("Simd")]
    public class GemmTests
    {
        private static readonly int[] Sizes = [1, 15, 17, 63, 65];

        public static IEnumerable<object[]> Shapes()
        {
            foreach (int m in Sizes)
            {
                foreach (int n in Sizes)
                {
                    foreach (int k in Sizes)
                    {
                        yield return new object[] { m, n, k };
                    }
                }
            }
            // The shapes of a 784-500-10 network at batch 64.
            yield return new object[] { 64, 500, 784 };
            yield return new object[] { 64, 784, 500 };
            yield return new object[] { 500, 784, 64 };
            yield return new object[] { 64, 10, 500 };
        }

        [Theory]
        [MemberData(nameof(Shapes))]
        public void All_three_products_match_a_naive_reference(int m, int n, int k)
        {
            var rng = new Rng(m * 10_000 + n * 100 + k);
            float[] a = Random(m * k, rng), b = Random(n * k, rng), bNN = Random(k * n, rng), aT = Random(k * m, rng);
            float[] c0 = Random(m * n, rng);

            foreach (bool accumulate in new[] { false, true })
            {
                float[] c = (float[])c0.Clone();
                Gemm.MultiplyNT(m, n, k, a, b, c, accumulate);
                Check(c, Naive(m, n, k, (i, p) => a[i * k + p], (p, j) => b[j * k + p], c0, accumulate), k, "NT");

                c = (float[])c0.Clone();
                Gemm.MultiplyNN(m, n, k, a, bNN, c, accumulate);
                Check(c, Naive(m, n, k, (i, p) => a[i * k + p], (p, j) => bNN[p * n + j], c0, accumulate), k, "NN");

                c = (float[])c0.Clone();
                Gemm.MultiplyTN(m, n, k, aT, bNN, c, accumulate);
                Check(c, Naive(m, n, k, (i, p) => aT[p * m + i], (p, j) => bNN[p * n + j], c0, accumulate), k, "TN");
            }
        }

        [Theory]
        [MemberData(nameof(SimdLevels.All), MemberType = typeof(SimdLevels))]
        public void Every_vector_width_gives_the_same_products(SimdLevel level)
        {
            SimdLevels.With(level, () => All_three_products_match_a_naive_reference(17, 65, 63));
        }

        [Fact]
        public void Operands_too_short_are_refused_with_their_sizes()
        {
            var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNT(4, 5, 6, new float[23], new float[30], new float[20], false));
            Assert.Contains("A has 23 (needs 24)", e.Message);
        }

        internal static float[] Random(int length, Rng rng)
        {
            float[] values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = 2 * rng.NextFloat() - 1;
            }
            return values;
        }

        private static double[] Naive(int m, int n, int k, Func<int, int, float> a, Func<int, int, float> b, float[] c0, bool accumulate)
        {
            double[] c = new double[m * n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = accumulate ? c0[i * n + j] : 0;
                    for (int p = 0; p < k; p++)
                    {
                        sum += (double)a(i, p) * b(p, j);
                    }
                    c[i * n + j] = sum;
                }
            }
            return c;
        }

        private static void Check(float[] actual, double[] expected, int k, string product)
        {
            // Float accumulation of k products of magnitude ≤ 1: error grows like √k·ε·k at worst.
            double tolerance = 1e-6 * k + 1e-6;
            for (int i = 0; i < actual.Length; i++)
            {
                if (Math.Abs(actual[i] - expected[i]) > tolerance)
                {
                    Assert.Fail($"{product}: C[{i}] = {actual[i]}, expected {expected[i]} (tolerance {tolerance})");
                }
            }
        }
    }
}

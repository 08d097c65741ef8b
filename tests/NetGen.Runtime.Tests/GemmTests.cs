using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    [Collection("Simd")]
    public class GemmTests
    {
        private static readonly int[] Sizes = [1, 15, 17, 63, 65];

        /// <summary>Every combination of awkward sizes, plus the products of a 784-500-10 network at batch 64 and 256.</summary>
        private static IEnumerable<(int M, int N, int K)> ShapeList()
        {
            foreach (int m in Sizes)
            {
                foreach (int n in Sizes)
                {
                    foreach (int k in Sizes)
                    {
                        yield return (m, n, k);
                    }
                }
            }
            foreach (int batch in new[] { 64, 256 })
            {
                yield return (batch, 500, 784);  // X·Wᵀ
                yield return (batch, 784, 500);  // dZ·W
                yield return (500, 784, batch);  // dZᵀ·X
            }
            yield return (65, 500, 17);
            yield return (33, 17, 2049);  // dot products longer than one chunk of k
            yield return (5, 9, 3000);
            yield return (17, 784, 500);
            yield return (500, 15, 784);
        }

        public static IEnumerable<object[]> Shapes()
        {
            foreach (object[] level in SimdLevels.All())
            {
                foreach (var (m, n, k) in ShapeList())
                {
                    // The scalar path is a fallback: awkward sizes suffice there, not the large products.
                    if ((SimdLevel)level[0] != SimdLevel.Scalar || (long)m * n * k < 5_000_000)
                    {
                        yield return new object[] { level[0], m, n, k };
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Shapes))]
        public void All_three_products_match_a_naive_reference(SimdLevel level, int m, int n, int k)
        {
            var rng = new Rng(m * 10_000 + n * 100 + k);
            float[] a = Random(m * k, rng), b = Random(n * k, rng), bNN = Random(k * n, rng), aT = Random(k * m, rng);
            float[] c0 = Random(m * n, rng), bias = Random(n, rng);
            // The reference takes A as [m, k] and B as [k, n]; transpose the operands once.
            float[] bT = Transpose(b, n, k), aTT = Transpose(aT, k, m);
            SimdLevels.With(level, () =>
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] c = (float[])c0.Clone();
                    Gemm.MultiplyNT(m, n, k, a, b, c, accumulate);
                    Check(c, Naive(m, n, k, a, bT, c0, accumulate, null), k, "NT");

                    c = (float[])c0.Clone();
                    Gemm.MultiplyNT(m, n, k, a, b, c, accumulate, bias);
                    Check(c, Naive(m, n, k, a, bT, c0, accumulate, bias), k, "NT+bias");

                    c = (float[])c0.Clone();
                    Gemm.MultiplyNN(m, n, k, a, bNN, c, accumulate);
                    Check(c, Naive(m, n, k, a, bNN, c0, accumulate, null), k, "NN");

                    c = (float[])c0.Clone();
                    Gemm.MultiplyTN(m, n, k, aT, bNN, c, accumulate);
                    Check(c, Naive(m, n, k, aTT, bNN, c0, accumulate, null), k, "TN");
                }
            });
        }

        /// <summary>
        /// Every row count from 1 to 14 and a few beyond: each way the broadcast kernels cut rows into tiles
        /// (AVX2: 6-row tiles, then 4-row and 1-row ones; AVX-512: 12, 4, 1), with full and masked columns.
        /// </summary>
        public static IEnumerable<object[]> RowCounts()
        {
            foreach (object[] level in SimdLevels.All())
            {
                foreach (int m in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 20, 26, 32 })
                {
                    yield return new object[] { level[0], m };
                }
            }
        }

        [Theory]
        [MemberData(nameof(RowCounts))]
        public void Every_row_count_matches_a_naive_reference(SimdLevel level, int m)
        {
            const int N = 41, K = 29; // from m = 2 up, more than the tiny-product loops take
            var rng = new Rng(m);
            float[] a = Random(m * K, rng), b = Random(K * N, rng), aT = Random(K * m, rng), bT = Random(N * K, rng), c0 = Random(m * N, rng);
            SimdLevels.With(level, () =>
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] c = (float[])c0.Clone();
                    Gemm.MultiplyNN(m, N, K, a, b, c, accumulate);
                    Check(c, Naive(m, N, K, a, b, c0, accumulate, null), K, "NN");

                    c = (float[])c0.Clone();
                    Gemm.MultiplyTN(m, N, K, aT, b, c, accumulate);
                    Check(c, Naive(m, N, K, Transpose(aT, K, m), b, c0, accumulate, null), K, "TN");

                    c = (float[])c0.Clone();
                    Gemm.MultiplyNT(m, N, K, a, bT, c, accumulate);
                    Check(c, Naive(m, N, K, a, Transpose(bT, N, K), c0, accumulate, null), K, "NT");
                }
            });
        }

        /// <summary>
        /// Every column count from 1 to 17: each way the kernels cut columns (Vector128: two vectors, one,
        /// then scalar columns; the others: masks), with a bias and a k that leaves a remainder at every width.
        /// </summary>
        public static IEnumerable<object[]> ColumnCounts()
        {
            foreach (object[] level in SimdLevels.All())
            {
                for (int n = 1; n <= 17; n++)
                {
                    yield return new object[] { level[0], n };
                }
            }
        }

        [Theory]
        [MemberData(nameof(ColumnCounts))]
        public void Every_column_count_matches_a_naive_reference(SimdLevel level, int n)
        {
            const int M = 13, K = 163; // even at n = 1, more than the tiny-product loops take
            var rng = new Rng(100 + n);
            float[] a = Random(M * K, rng), b = Random(K * n, rng), aT = Random(K * M, rng), bT = Random(n * K, rng);
            float[] c0 = Random(M * n, rng), bias = Random(n, rng);
            SimdLevels.With(level, () =>
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] c = (float[])c0.Clone();
                    Gemm.MultiplyNT(M, n, K, a, bT, c, accumulate, bias);
                    Check(c, Naive(M, n, K, a, Transpose(bT, n, K), c0, accumulate, bias), K, "NT+bias");

                    c = (float[])c0.Clone();
                    Gemm.MultiplyNN(M, n, K, a, b, c, accumulate);
                    Check(c, Naive(M, n, K, a, b, c0, accumulate, null), K, "NN");

                    c = (float[])c0.Clone();
                    Gemm.MultiplyTN(M, n, K, aT, b, c, accumulate);
                    Check(c, Naive(M, n, K, Transpose(aT, K, M), b, c0, accumulate, null), K, "TN");
                }
            });
        }

        private static float[] Transpose(float[] x, int rows, int columns)
        {
            float[] t = new float[x.Length];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    t[c * rows + r] = x[r * columns + c];
                }
            }
            return t;
        }

        [Theory]
        [MemberData(nameof(SimdLevels.All), MemberType = typeof(SimdLevels))]
        public void Results_are_bit_identical_for_any_thread_count(SimdLevel level)
        {
            var rng = new Rng(77);
            const int M = 64, N = 500, K = 784;
            float[] a = Random(M * K, rng), w = Random(N * K, rng), bias = Random(N, rng), dz = Random(M * N, rng);
            float[] dzNarrow = Random(M * 40, rng); // a 40-row weight gradient: two row blocks, its columns parted too
            float[] dzDeep = Random(256 * N, rng), aDeep = Random(256 * K, rng); // k = 256: in 32-row pieces with AVX2
            int saved = Parallelism.MaxThreads;
            try
            {
                SimdLevels.With(level, () =>
                {
                    float[][] Run(int threads)
                    {
                        Parallelism.MaxThreads = threads;
                        float[] y = new float[M * N], dx = new float[M * K], dw = new float[N * K], dwNarrow = new float[40 * K], dwDeep = new float[N * K];
                        Gemm.MultiplyNT(M, N, K, a, w, y, false, bias);
                        Gemm.MultiplyNN(M, K, N, dz, w, dx, false);
                        Gemm.MultiplyTN(N, K, M, dz, a, dw, false);
                        Gemm.MultiplyTN(40, K, M, dzNarrow, a, dwNarrow, false);
                        Gemm.MultiplyTN(N, K, 256, dzDeep, aDeep, dwDeep, false);
                        return [y, dx, dw, dwNarrow, dwDeep];
                    }
                    float[][] one = Run(1), two = Run(2), again = Run(2);
                    for (int i = 0; i < one.Length; i++)
                    {
                        Assert.True(one[i].AsSpan().SequenceEqual(two[i]), $"product {i}: 1 and 2 threads differ");
                        Assert.True(two[i].AsSpan().SequenceEqual(again[i]), $"product {i}: two runs differ");
                    }
                });
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }

        /// <summary>
        /// The small products of an LSTM step (B=32, H=128) and of W2 (784-128-64-10) at batch 32 and 128,
        /// through every entry point with its fusions, split over two threads — as the thresholds decide,
        /// and forced down to the last block — against one thread, bit for bit.
        /// </summary>
        [Theory]
        [MemberData(nameof(SimdLevels.All), MemberType = typeof(SimdLevels))]
        public void Small_products_split_over_two_threads_equal_one_thread_bit_for_bit(SimdLevel level)
        {
            var shapes = new List<(int Batch, int In, int Out)> { (32, 128, 512) };
            foreach (int batch in new[] { 32, 128 })
            {
                shapes.AddRange([(batch, 784, 128), (batch, 128, 64), (batch, 64, 10)]);
            }
            int savedThreads = Parallelism.MaxThreads;
            long savedMin = Gemm.MinFlopsPerPart;
            try
            {
                SimdLevels.With(level, () =>
                {
                    foreach (var (batch, inFeatures, outFeatures) in shapes)
                    {
                        var rng = new Rng(batch + inFeatures + outFeatures);
                        float[] x = Random(batch * inFeatures, rng), w = Random(outFeatures * inFeatures, rng), bias = Random(outFeatures, rng);
                        float[] dz = Random(batch * outFeatures, rng), yIn = Random(batch * inFeatures, rng);
                        float[][] Run(int threads, long minFlopsPerPart)
                        {
                            Parallelism.MaxThreads = threads;
                            Gemm.MinFlopsPerPart = minFlopsPerPart;
                            float[] z = new float[batch * outFeatures], zRelu = new float[batch * outFeatures];
                            float[] dx = new float[batch * inFeatures], dxTanh = new float[batch * inFeatures];
                            float[] dw = new float[outFeatures * inFeatures], db = new float[outFeatures];
                            float[] accumulated = Random(batch * outFeatures, new Rng(3));
                            Dense.Forward(x, w, bias, z, batch, inFeatures, outFeatures);
                            Dense.Forward(x, w, bias, zRelu, zRelu, batch, inFeatures, outFeatures, Activation.ReLU);
                            Gemm.MultiplyNT(batch, outFeatures, inFeatures, x, w, accumulated, accumulate: true);
                            Dense.BackwardInput(dz, w, dx, batch, inFeatures, outFeatures);
                            Dense.BackwardInput(dz, w, dxTanh, batch, inFeatures, outFeatures, Activation.Tanh, yIn);
                            Dense.BackwardParameters(dz, x, dw, db, batch, inFeatures, outFeatures);
                            return [z, zRelu, accumulated, dx, dxTanh, dw, db];
                        }
                        float[][] one = Run(1, savedMin), chosen = Run(2, savedMin), forced = Run(2, 1), again = Run(2, 1);
                        for (int i = 0; i < one.Length; i++)
                        {
                            string what = $"[{batch},{inFeatures}]→{outFeatures}, output {i}";
                            Assert.True(one[i].AsSpan().SequenceEqual(chosen[i]), $"{what}: 1 thread and 2 (default split) differ");
                            Assert.True(one[i].AsSpan().SequenceEqual(forced[i]), $"{what}: 1 thread and 2 (forced split) differ");
                            Assert.True(forced[i].AsSpan().SequenceEqual(again[i]), $"{what}: two forced runs differ");
                        }
                        // And the 1-thread results are right (the bit comparison alone would pass a kernel broken on both).
                        Check(one[0], Naive(batch, outFeatures, inFeatures, x, Transpose(w, outFeatures, inFeatures), new float[batch * outFeatures], false, bias),
                            inFeatures, "forward");
                    }
                });
            }
            finally
            {
                Parallelism.MaxThreads = savedThreads;
                Gemm.MinFlopsPerPart = savedMin;
            }
        }

        /// <summary>
        /// On the dot-product path (fewer than 16 rows, or dot products longer than 256), a row of <c>X·Wᵀ</c> comes out the
        /// same, to the bit, whether it is computed alone (one sample: a dot tile of one row) or with others (a tile of two or
        /// three rows): each output is one accumulator over the same chunks of k, folded by the same tree, whatever rows share
        /// its tile. A tile that computed a row it does not have would also show here as garbage.
        /// </summary>
        [Theory]
        [MemberData(nameof(RowCountLevels))]
        public void A_row_of_a_dot_product_does_not_depend_on_the_rows_beside_it(SimdLevel level)
        {
            const int N = 37, K = 300; // a masked column tile and a masked chunk of k at every width
            var rng = new Rng(7);
            float[] a = Random(7 * K, rng), b = Random(N * K, rng), bias = Random(N, rng);
            SimdLevels.With(level, () =>
            {
                foreach (int m in new[] { 2, 3, 4, 5, 7 })
                {
                    float[] together = new float[m * N];
                    Gemm.MultiplyNT(m, N, K, a, b, together, accumulate: false, bias);
                    for (int i = 0; i < m; i++)
                    {
                        float[] alone = new float[N];
                        Gemm.MultiplyNT(1, N, K, a.AsSpan(i * K, K), b, alone, accumulate: false, bias);
                        for (int j = 0; j < N; j++)
                        {
                            Assert.True(BitConverter.SingleToInt32Bits(alone[j]) == BitConverter.SingleToInt32Bits(together[i * N + j]),
                                $"{level}, m = {m}: row {i}, column {j} is {together[i * N + j]:R} with the others and {alone[j]:R} alone");
                        }
                    }
                }
            });
        }

        public static IEnumerable<object[]> RowCountLevels() => SimdLevels.All();

        [Fact]
        public void Operands_too_short_are_refused_with_their_sizes()
        {
            var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNT(4, 5, 6, new float[23], new float[30], new float[20], false));
            Assert.Contains("A has 23 (needs 24)", e.Message);
            e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyNT(4, 5, 6, new float[24], new float[30], new float[20], false, new float[4]));
            Assert.Contains("bias has 4 values", e.Message);
        }

        /// <summary>
        /// Long dot products (k &gt; 256) with AVX-512 run as <c>Cᵀ = B·Aᵀ</c>, 32 rows of A at a time, B's rows parted at
        /// multiples of 12 when the blocks do not share out evenly between threads: 1, 2 and 3 threads give the same bits (a
        /// part cut elsewhere would tile its last rows otherwise, and a 1-row tile adds in another order), with the bias and a
        /// fused ReLU, and the values are right.
        /// </summary>
        [Theory]
        [InlineData(32, 500)]
        [InlineData(33, 37)]
        [InlineData(96, 500)]
        [InlineData(40, 16)]
        public void Long_dot_products_give_the_same_bits_however_their_rows_are_parted(int m, int n)
        {
            const int K = 300;
            var rng = new Rng(m + n);
            float[] a = Random(m * K, rng), b = Random(n * K, rng), bias = Random(n, rng);
            int saved = Parallelism.MaxThreads;
            try
            {
                float[][] Run(int threads)
                {
                    Parallelism.MaxThreads = threads;
                    float[] c = new float[m * n], relu = new float[m * n];
                    Gemm.MultiplyNT(m, n, K, a, b, c, false, bias);
                    Gemm.MultiplyNT(m, n, K, a, b, relu, false, bias, Epilogue.ReLU);
                    return [c, relu];
                }
                float[][] one = Run(1);
                foreach (int threads in new[] { 2, 3 })
                {
                    float[][] other = Run(threads);
                    Assert.True(one[0].AsSpan().SequenceEqual(other[0]), $"{threads} threads: the product differs from one thread's");
                    Assert.True(one[1].AsSpan().SequenceEqual(other[1]), $"{threads} threads: the ReLU product differs from one thread's");
                }
                Check(one[0], Naive(m, n, K, a, Transpose(b, n, K), new float[m * n], false, bias), K, "NT, long");
                for (int i = 0; i < one[0].Length; i++)
                {
                    Assert.Equal(Math.Max(0f, one[0][i]), one[1][i]);
                }
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
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

        /// <summary>C = A[m,k]·B[k,n] (+ C₀) (+ bias), in double.</summary>
        private static double[] Naive(int m, int n, int k, float[] a, float[] b, float[] c0, bool accumulate, float[]? bias)
        {
            double[] c = new double[m * n];
            double[] row = new double[n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    row[j] = (accumulate ? c0[i * n + j] : 0) + (bias is null ? 0 : bias[j]);
                }
                for (int p = 0; p < k; p++)
                {
                    double x = a[i * k + p];
                    for (int j = 0; j < n; j++)
                    {
                        row[j] += x * b[p * n + j];
                    }
                }
                Array.Copy(row, 0, c, i * n, n);
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

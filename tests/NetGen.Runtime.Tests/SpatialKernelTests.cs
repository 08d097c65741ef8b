using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary>Convolution, pooling, batch-norm, dropout and layout kernels against naive references in double.</summary>
    [Collection("Simd")]
    public class SpatialKernelTests
    {
        // channels, height, width, filters, kernel, stride, pad, dilation, batch
        public static IEnumerable<object[]> Convolutions()
        {
            foreach (object[] level in SimdLevels.All())
            {
                yield return new[] { level[0], 1, 8, 8, 4, 3, 1, 0, 1, 3 };
                yield return new[] { level[0], 3, 9, 7, 5, 3, 2, 1, 1, 3 };
                yield return new[] { level[0], 2, 10, 10, 3, 3, 1, 2, 2, 3 };
                yield return new[] { level[0], 4, 6, 6, 13, 1, 1, 0, 1, 3 };
                yield return new[] { level[0], 2, 7, 5, 2, 4, 3, 2, 1, 3 };
                // Unfolded rows of 20 and 40 floats (past one vector), padded on both sides; padding wider than the kernel.
                yield return new[] { level[0], 3, 6, 20, 4, 3, 1, 1, 1, 2 };
                yield return new[] { level[0], 2, 5, 40, 3, 3, 1, 1, 1, 2 };
                yield return new[] { level[0], 2, 4, 4, 3, 1, 1, 2, 1, 2 };
                // Several chunks of samples (the last one short) and several weight-gradient groups:
                // 288 taps × 121 positions unfold to 139 KB a sample, two samples a chunk.
                yield return new[] { level[0], 32, 13, 13, 8, 3, 1, 0, 1, 5 };
                // Filters a multiple of 16 and ≥ 64 taps: the weight gradient runs over ∂L/∂z transposed (48: a tile and a half;
                // 19 samples make ten chunks, more than the eight groups, so groups add several chunks).
                yield return new[] { level[0], 32, 13, 13, 48, 3, 1, 0, 1, 19 };
                yield return new[] { level[0], 8, 9, 9, 16, 3, 1, 1, 1, 3 };
                // Winograd F(2×2, 3×3) at 256-bit vectors and wider (3×3, stride 1, channels ≥ 16, channels and filters multiples
                // of 8): even output sides with "same" padding; odd sides with padding 2, whose edge tiles reach past every side.
                yield return new[] { level[0], 16, 16, 20, 24, 3, 1, 1, 1, 3 };
                yield return new[] { level[0], 24, 7, 9, 16, 3, 1, 2, 1, 2 };
                // The same for a one-channel first layer, whose weight gradient is computed transposed (16 samples a chunk).
                yield return new[] { level[0], 1, 28, 28, 32, 3, 1, 0, 1, 37 };
            }
        }

        [Theory]
        [MemberData(nameof(Convolutions))]
        public void Convolution_forward_and_gradients_match_a_direct_convolution(SimdLevel level, int c, int h, int w, int f, int k, int s, int pad, int d, int B)
        {
            int oh = (h + 2 * pad - d * (k - 1) - 1) / s + 1, ow = (w + 2 * pad - d * (k - 1) - 1) / s + 1;
            var g = new ConvGeometry(c, h, w, f, k, s, pad, pad, d, oh, ow);
            var rng = new Rng(c * 1000 + f * 10 + k);
            float[] x = GemmTests.Random(c * B * h * w, rng), weight = GemmTests.Random(f * g.PatchSize, rng), bias = GemmTests.Random(f, rng);
            float[] dz = GemmTests.Random(f * B * oh * ow, rng);
            int n = B * oh * ow;
            SimdLevels.With(level, () =>
            {
                float[] z = new float[f * n];
                Conv2D.Forward(x, weight, bias, z, z, B, g, Activation.None);
                float[] dw = new float[weight.Length], db = new float[f], dx = new float[x.Length];
                Conv2D.BackwardParameters(dz, x, dw, db, B, g);
                Conv2D.BackwardInput(dz, weight, dx, B, g);

                double[] ez = new double[z.Length], edw = new double[dw.Length], edb = new double[f], edx = new double[dx.Length];
                // Σ|term| of each sum: float sums over tens of thousands of terms are only as exact as their conditioning.
                double[] az = new double[z.Length], adw = new double[dw.Length], adb = new double[f], adx = new double[dx.Length];
                for (int fi = 0; fi < f; fi++)
                {
                    for (int b = 0; b < B; b++)
                    {
                        for (int y0 = 0; y0 < oh; y0++)
                        {
                            for (int x0 = 0; x0 < ow; x0++)
                            {
                                int o = fi * n + b * oh * ow + y0 * ow + x0;
                                double sum = bias[fi], abs = Math.Abs(bias[fi]);
                                edb[fi] += dz[o];
                                adb[fi] += Math.Abs(dz[o]);
                                for (int ci = 0; ci < c; ci++)
                                {
                                    for (int i = 0; i < k; i++)
                                    {
                                        for (int j = 0; j < k; j++)
                                        {
                                            int hh = y0 * s - pad + i * d, ww = x0 * s - pad + j * d;
                                            if (hh < 0 || hh >= h || ww < 0 || ww >= w)
                                            {
                                                continue;
                                            }
                                            int xi = ((ci * B + b) * h + hh) * w + ww, wi = ((fi * c + ci) * k + i) * k + j;
                                            sum += weight[wi] * (double)x[xi];
                                            abs += Math.Abs(weight[wi] * (double)x[xi]);
                                            edw[wi] += dz[o] * (double)x[xi];
                                            adw[wi] += Math.Abs(dz[o] * (double)x[xi]);
                                            edx[xi] += dz[o] * (double)weight[wi];
                                            adx[xi] += Math.Abs(dz[o] * (double)weight[wi]);
                                        }
                                    }
                                }
                                ez[o] = sum;
                                az[o] = abs;
                            }
                        }
                    }
                }
                Close(z, ez, "forward", az);
                Close(dw, edw, "weight gradient", adw);
                Close(db, edb, "bias gradient", adb);
                Close(dx, edx, "input gradient", adx);
            });
        }

        [Theory]
        [MemberData(nameof(SimdLevels.All), MemberType = typeof(SimdLevels))]
        public void Row_bias_and_relu_are_fused_into_the_product(SimdLevel level)
        {
            // K = 200 runs in two pieces of k with AVX2: the row bias must start only the first, the ReLU end only the last.
            foreach (int K in new[] { 17, 200 })
            {
                RowBiasAndRelu(level, K);
            }
        }

        private static void RowBiasAndRelu(SimdLevel level, int K)
        {
            SimdLevels.With(level, () =>
            {
                var rng = new Rng(3);
                const int M = 29, N = 45;
                float[] a = GemmTests.Random(M * K, rng), b = GemmTests.Random(K * N, rng), rowBias = GemmTests.Random(M, rng);
                float[] plain = new float[M * N], fused = new float[M * N];
                Gemm.MultiplyNN(M, N, K, a, b, plain, false);
                Gemm.MultiplyNN(M, N, K, a, b, fused, false, Epilogue.ReLU, ReadOnlySpan<float>.Empty, rowBias);
                for (int i = 0; i < M; i++)
                {
                    for (int j = 0; j < N; j++)
                    {
                        float expected = Math.Max(0, plain[i * N + j] + rowBias[i]);
                        Assert.True(Math.Abs(fused[i * N + j] - expected) < 1e-5f * (1 + Math.Abs(expected)), $"K={K} [{i}, {j}]: {fused[i * N + j]} vs {expected}");
                    }
                }
            });
        }

        [Theory]
        [InlineData(Activation.ReLU, 32, 13, 13, 16, 2, 2, 0, 5, true)]     // several chunks, the last one short
        [InlineData(Activation.LeakyReLU, 1, 28, 28, 32, 2, 2, 0, 37, false)] // a first layer: no input gradient, transposed dW
        [InlineData(Activation.None, 3, 9, 9, 5, 3, 2, 1, 4, true)]         // overlapping, padded windows
        [InlineData(Activation.LeakyReLU, 16, 10, 10, 24, 2, 2, 0, 3, true)] // Winograd: pooled straight from tiles, ∂L/∂z routed to them
        [InlineData(Activation.ReLU, 16, 10, 10, 24, 2, 2, 0, 3, false)]     // ... without an input gradient
        [InlineData(Activation.ReLU, 16, 10, 10, 8, 2, 2, 0, 3, true)]       // ... whose input gradient (8 channels in) goes by col2im
        [InlineData(Activation.ReLU, 16, 10, 10, 16, 2, 2, 0, 90, true)]     // ... nine chunks in eight groups: a group adds two
        [InlineData(Activation.ReLU, 16, 9, 9, 16, 3, 2, 1, 3, true)]        // Winograd under a pooling it cannot read from tiles
        public void Convolution_with_max_pooling_fused_equals_the_two_layers(Activation activation, int c, int h, int w, int f, int size, int stride,
            int pad, int batch, bool inputGradient)
        {
            var g = new ConvGeometry(c, h, w, f, 3, 1, 1, 1, 1, h, w);
            int ph = (h + 2 * pad - size) / stride + 1, pw = (w + 2 * pad - size) / stride + 1;
            var pool = new PoolGeometry(h, w, size, stride, pad, pad, ph, pw);
            var rng = new Rng(c * 7 + f);
            float[] x = GemmTests.Random(c * batch * h * w, rng), weight = GemmTests.Random(f * g.PatchSize, rng), bias = GemmTests.Random(f, rng);
            int pooledCount = f * batch * ph * pw;
            float[] dPooled = GemmTests.Random(pooledCount, rng);

            // The two layers, one after the other.
            float[] y = new float[f * batch * h * w], pooled = new float[pooledCount], dz = new float[y.Length];
            int[] argmax = new int[pooledCount];
            Conv2D.Forward(x, weight, bias, y, y, batch, g, activation);
            Pooling.MaxForward(y, pooled, argmax, f * batch, pool);
            Pooling.MaxBackward(dPooled, argmax, dz, f * batch, pool, activation, pooled);
            float[] dw = new float[weight.Length], db = new float[f], dx = new float[x.Length];
            Conv2D.BackwardParameters(dz, x, dw, db, batch, g);
            if (inputGradient)
            {
                Conv2D.BackwardInput(dz, weight, dx, batch, g);
            }

            // One kernel each way.
            float[] fusedPooled = new float[pooledCount];
            int[] fusedArgmax = new int[pooledCount];
            Conv2D.ForwardMaxPool(x, weight, bias, fusedPooled, fusedArgmax, batch, g, activation, pool);
            float[] fusedDw = new float[weight.Length], fusedDb = new float[f], fusedDx = new float[inputGradient ? x.Length : 0];
            Conv2D.BackwardMaxPool(dPooled, fusedArgmax, fusedPooled, x, weight, fusedDw, fusedDb, fusedDx, batch, g, activation, pool);

            // The same arithmetic in the same order: the same bits. Only the bias gradient may differ in its last bits: where the
            // weight gradient runs by Winograd, the fused kernel routes ∂L/∂z to [positions, filters] and sums db as it routes,
            // in pooled order, where the unfused one sums each filter's row of ∂L/∂z.
            Assert.Equal(pooled, fusedPooled);
            Assert.Equal(argmax, fusedArgmax);
            Assert.Equal(dw, fusedDw);
            bool routed = Conv2D.WinogradFits(g) && size == 2 && stride == 2 && pad == 0;
            for (int i = 0; i < f && routed; i++)
            {
                Assert.True(Math.Abs(db[i] - fusedDb[i]) <= 1e-5f * (1 + Math.Abs(db[i])), $"db[{i}]: {fusedDb[i]} fused, {db[i]} unfused");
            }
            if (!routed)
            {
                Assert.Equal(db, fusedDb);
            }
            if (inputGradient)
            {
                Assert.Equal(dx, fusedDx);
            }
            Assert.Throws<ArgumentException>(() => Conv2D.ForwardMaxPool(x, weight, bias, fusedPooled, fusedArgmax, batch, g, Activation.Sigmoid, pool));
            Assert.Throws<ArgumentException>(() => Conv2D.ForwardMaxPool(x, weight, bias, fusedPooled.AsSpan(1), fusedArgmax, batch, g, activation, pool));
        }

        [Theory]
        [MemberData(nameof(SimdLevels.All), MemberType = typeof(SimdLevels))]
        public void Pooling_from_winograd_tiles_picks_the_same_nan_and_ties_as_the_pooling_layer(SimdLevel level)
        {
            // A NaN input spreads to the outputs of every tile that reads it; zero weights in one filter make every window of
            // its plane a tie (all equal to its bias). Pooled straight from the tiles (AVX2 and wider) or from planes, the fused
            // kernel must pick the values and indices the pooling layer picks from the convolution's output.
            const int c = 16, h = 10, w = 10, f = 16, batch = 2;
            var g = new ConvGeometry(c, h, w, f, 3, 1, 0, 0, 1, h - 2, w - 2);
            var pool = new PoolGeometry(h - 2, w - 2, 2, 2, 0, 0, (h - 2) / 2, (w - 2) / 2);
            var rng = new Rng(11);
            float[] x = GemmTests.Random(c * batch * h * w, rng), weight = GemmTests.Random(f * g.PatchSize, rng), bias = GemmTests.Random(f, rng);
            x[(3 * batch + 1) * h * w + 4 * w + 5] = float.NaN; // channel 3, sample 1, (4, 5)
            Array.Clear(weight, 2 * g.PatchSize, g.PatchSize);  // filter 2: a constant plane
            int pooledCount = f * batch * pool.OutHeight * pool.OutWidth;
            SimdLevels.With(level, () =>
            {
                float[] y = new float[f * batch * g.OutPositions], pooled = new float[pooledCount], fusedPooled = new float[pooledCount];
                int[] argmax = new int[pooledCount], fusedArgmax = new int[pooledCount];
                Conv2D.Forward(x, weight, bias, y, y, batch, g, Activation.None);
                Pooling.MaxForward(y, pooled, argmax, f * batch, pool);
                Conv2D.ForwardMaxPool(x, weight, bias, fusedPooled, fusedArgmax, batch, g, Activation.None, pool);
                Assert.Contains(pooled, float.IsNaN);
                Assert.Equal(pooled, fusedPooled);
                Assert.Equal(argmax, fusedArgmax);
            });
        }

        [Theory]
        [InlineData(32, 13, 13, 64, 5)]  // chunks of two samples
        [InlineData(1, 28, 28, 32, 37)]  // chunks of sixteen, transposed weight gradient
        public void Convolution_results_do_not_depend_on_the_thread_count(int c, int h, int w, int f, int batch)
        {
            var g = new ConvGeometry(c, h, w, f, 3, 1, 1, 1, 1, h, w);
            var rng = new Rng(c + f);
            float[] x = GemmTests.Random(c * batch * h * w, rng), weight = GemmTests.Random(f * g.PatchSize, rng), bias = GemmTests.Random(f, rng);
            float[] dz = GemmTests.Random(f * batch * h * w, rng);
            float[][] Run(int threads)
            {
                int saved = Parallelism.MaxThreads;
                Parallelism.MaxThreads = threads;
                try
                {
                    float[] y = new float[dz.Length], dw = new float[weight.Length], db = new float[f], dx = new float[x.Length];
                    Conv2D.Forward(x, weight, bias, y, y, batch, g, Activation.ReLU);
                    Conv2D.BackwardParameters(dz, x, dw, db, batch, g);
                    Conv2D.BackwardInput(dz, weight, dx, batch, g);
                    return [y, dw, db, dx];
                }
                finally
                {
                    Parallelism.MaxThreads = saved;
                }
            }
            float[][] one = Run(1), two = Run(2), three = Run(3);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.Equal(one[i], two[i]);
                Assert.Equal(one[i], three[i]);
            }
        }

        /// <summary>
        /// One sample, whose forward product is split between threads by blocks of filters: the same bits as on one thread, at
        /// every vector width (each width cuts rows into other tiles), with and without fused max pooling, for filter counts that
        /// leave 1 to 3 filters past the last block (where AVX2 and Vector128 regroup 6-row tiles into 4-row ones). At 256 bits
        /// and wider, 32→64 and 16→40 run by Winograd instead, sharing their sixteen products between the threads.
        /// </summary>
        public static IEnumerable<object[]> SingleSamples()
        {
            foreach (object[] level in SimdLevels.All())
            {
                yield return new[] { level[0], 32, 13, 13, 64 };
                yield return new[] { level[0], 16, 30, 30, 40 };
                yield return new[] { level[0], 16, 30, 30, 13 };
                yield return new[] { level[0], 16, 30, 30, 14 };  // 12 + 2: one part (a 2-row part would add its rows in another order)
                yield return new[] { level[0], 16, 30, 30, 15 };
                yield return new[] { level[0], 16, 30, 30, 26 };  // 12 + 14: the last part tiled 6 + 4 + 4 (AVX2), as in the whole
                yield return new[] { level[0], 16, 30, 30, 27 };
            }
        }

        [Theory]
        [MemberData(nameof(SingleSamples))]
        public void A_single_sample_split_by_filters_gives_the_bits_of_one_thread(SimdLevel level, int c, int h, int w, int f)
        {
            var g = new ConvGeometry(c, h, w, f, 3, 1, 0, 0, 1, h - 2, w - 2);
            var pool = new PoolGeometry(h - 2, w - 2, 2, 2, 0, 0, (h - 2) / 2, (w - 2) / 2);
            var rng = new Rng(c + f);
            float[] x = GemmTests.Random(c * h * w, rng), weight = GemmTests.Random(f * g.PatchSize, rng), bias = GemmTests.Random(f, rng);
            int pooledCount = f * pool.OutHeight * pool.OutWidth;
            (float[] Y, float[] Pooled, int[] Argmax) Run(int threads)
            {
                int saved = Parallelism.MaxThreads;
                Parallelism.MaxThreads = threads;
                try
                {
                    float[] y = new float[f * g.OutPositions], pooled = new float[pooledCount];
                    int[] argmax = new int[pooledCount];
                    SimdLevels.With(level, () =>
                    {
                        Conv2D.Forward(x, weight, bias, y, y, 1, g, Activation.ReLU);
                        Conv2D.ForwardMaxPool(x, weight, bias, pooled, argmax, 1, g, Activation.ReLU, pool);
                    });
                    return (y, pooled, argmax);
                }
                finally
                {
                    Parallelism.MaxThreads = saved;
                }
            }
            var one = Run(1);
            foreach (int threads in new[] { 2, 3 })
            {
                var split = Run(threads);
                Assert.Equal(one.Y, split.Y);
                Assert.Equal(one.Pooled, split.Pooled);
                Assert.Equal(one.Argmax, split.Argmax);
            }
        }

        // height, width, window, stride, pad
        public static IEnumerable<object[]> Pools()
        {
            foreach (object[] level in SimdLevels.All())
            {
                yield return new[] { level[0], 6, 6, 2, 2, 0 };
                yield return new[] { level[0], 11, 11, 2, 2, 0 };  // a row and a column no window reaches
                yield return new[] { level[0], 7, 40, 2, 2, 0 };   // 20 windows a row: a full vector and a masked one
                yield return new[] { level[0], 26, 26, 2, 2, 0 };  // 13 windows a row: rows stored whole but the last
                yield return new[] { level[0], 24, 24, 2, 2, 0 };
                yield return new[] { level[0], 17, 34, 2, 2, 0 };  // 17 windows a row, a row no window reaches
                yield return new[] { level[0], 7, 5, 3, 2, 1 };
                yield return new[] { level[0], 5, 5, 3, 1, 1 };
            }
        }

        [Theory]
        [MemberData(nameof(Pools))]
        public void Pooling_matches_naive_windows(SimdLevel level, int h, int w, int size, int stride, int pad) =>
            SimdLevels.With(level, () => PoolingMatchesNaiveWindows(h, w, size, stride, pad));

        private static void PoolingMatchesNaiveWindows(int h, int w, int size, int stride, int pad)
        {
            const int Planes = 4;
            int oh = (h + 2 * pad - size) / stride + 1, ow = (w + 2 * pad - size) / stride + 1;
            var g = new PoolGeometry(h, w, size, stride, pad, pad, oh, ow);
            var rng = new Rng(h * w + size);
            float[] x = GemmTests.Random(Planes * h * w, rng), dy = GemmTests.Random(Planes * oh * ow, rng);
            x[5] = x[6]; // a tie: the first maximum wins
            float[] max = new float[dy.Length], avg = new float[dy.Length], dxMax = new float[x.Length], dxAvg = new float[x.Length];
            int[] argmax = new int[dy.Length];
            Pooling.MaxForward(x, max, argmax, Planes, g);
            Pooling.MaxBackward(dy, argmax, dxMax, Planes, g);
            Pooling.AverageForward(x, avg, Planes, g);
            Pooling.AverageBackward(dy, dxAvg, Planes, g);

            double[] eDxMax = new double[x.Length], eDxAvg = new double[x.Length];
            for (int p = 0; p < Planes; p++)
            {
                for (int y0 = 0; y0 < oh; y0++)
                {
                    for (int x0 = 0; x0 < ow; x0++)
                    {
                        int o = (p * oh + y0) * ow + x0;
                        float best = float.NegativeInfinity;
                        int at = -1;
                        double sum = 0;
                        for (int i = 0; i < size; i++)
                        {
                            for (int j = 0; j < size; j++)
                            {
                                int hh = y0 * stride - pad + i, ww = x0 * stride - pad + j;
                                if (hh < 0 || hh >= h || ww < 0 || ww >= w)
                                {
                                    continue;
                                }
                                int xi = (p * h + hh) * w + ww;
                                sum += x[xi];
                                if (at < 0 || x[xi] > best)
                                {
                                    best = x[xi];
                                    at = xi;
                                }
                            }
                        }
                        Assert.Equal(best, max[o]);
                        Assert.Equal(sum / (size * size), avg[o], 5);
                        eDxMax[at] += dy[o];
                        for (int i = 0; i < size; i++)
                        {
                            for (int j = 0; j < size; j++)
                            {
                                int hh = y0 * stride - pad + i, ww = x0 * stride - pad + j;
                                if (hh >= 0 && hh < h && ww >= 0 && ww < w)
                                {
                                    eDxAvg[(p * h + hh) * w + ww] += dy[o] / (size * size);
                                }
                            }
                        }
                    }
                }
            }
            Close(dxMax, eDxMax, "max pooling gradient");
            Close(dxAvg, eDxAvg, "average pooling gradient");
        }

        [Theory]
        [InlineData(Activation.ReLU, 6, 6, 2, 2, 0)]
        [InlineData(Activation.LeakyReLU, 6, 6, 2, 2, 0)]
        [InlineData(Activation.LeakyReLU, 11, 9, 2, 2, 0)]
        [InlineData(Activation.ReLU, 7, 5, 3, 2, 1)]
        [InlineData(Activation.LeakyReLU, 5, 5, 3, 1, 1)]
        public void Max_pooling_with_the_activation_derivative_folded_in_equals_the_two_steps(Activation activation, int h, int w, int size, int stride, int pad)
        {
            const int Planes = 3;
            int oh = (h + 2 * pad - size) / stride + 1, ow = (w + 2 * pad - size) / stride + 1;
            var g = new PoolGeometry(h, w, size, stride, pad, pad, oh, ow);
            var rng = new Rng(7 * h + w);
            float[] z = GemmTests.Random(Planes * h * w, rng), dy = GemmTests.Random(Planes * oh * ow, rng);
            // Whole windows below zero, so some winners are negative (ReLU: zero ties; LeakyReLU: small negatives).
            for (int i = 0; i < Math.Min(2 * w, z.Length); i++)
            {
                z[i] = -Math.Abs(z[i]) - 0.1f;
            }
            float[] a = new float[z.Length], pooled = new float[dy.Length];
            Activations.Apply(activation, z, a);
            int[] argmax = new int[dy.Length];
            Pooling.MaxForward(a, pooled, argmax, Planes, g);

            float[] twoSteps = new float[z.Length], folded = new float[z.Length];
            Pooling.MaxBackward(dy, argmax, twoSteps, Planes, g);
            Activations.Backward(activation, z, a, twoSteps);
            Pooling.MaxBackward(dy, argmax, folded, Planes, g, activation, pooled);

            for (int i = 0; i < z.Length; i++)
            {
                Assert.True(Math.Abs(folded[i] - twoSteps[i]) <= 1e-6f, $"[{i}]: folded {folded[i]} vs two steps {twoSteps[i]}");
            }
            Assert.Throws<ArgumentException>(() => Pooling.MaxBackward(dy, argmax, folded, Planes, g, Activation.Sigmoid, pooled));
            Assert.Throws<ArgumentException>(() => Pooling.MaxBackward(dy, argmax, folded, Planes, g, activation, pooled.AsSpan(1)));
        }

        public static IEnumerable<object[]> TiePools()
        {
            foreach (object[] level in SimdLevels.All())
            {
                yield return new[] { level[0], 26, 70 };  // 35 outputs per row: two vectors of 16 and a masked tail; 8 of 4 and 3 scalar
                yield return new[] { level[0], 26, 26 };  // 13 outputs per row: one masked vector; 3 of 4 and 1 scalar
                yield return new[] { level[0], 11, 11 };  // odd sizes: the last row and column are dropped
            }
        }

        [Theory]
        [MemberData(nameof(TiePools))]
        public void The_vectorized_2x2_max_pool_agrees_with_the_scalar_one_on_ties_and_nan(SimdLevel level, int H, int W)
        {
            const int Planes = 3;
            var g = new PoolGeometry(H, W, 2, 2, 0, 0, H / 2, W / 2);
            var rng = new Rng(H * W);
            float[] x = GemmTests.Random(Planes * H * W, rng);
            for (int i = 0; i < x.Length; i += 7)
            {
                x[i] = (float)Math.Round(x[i] * 2) / 2; // many ties
            }
            x[5] = float.NaN;
            x[W + 9] = float.NaN;
            x[2 * W + 4] = float.NegativeInfinity;
            float[] yScalar = new float[Planes * g.OutHeight * g.OutWidth], yVector = new float[yScalar.Length];
            int[] iScalar = new int[yScalar.Length], iVector = new int[yScalar.Length];
            SimdLevels.With(SimdLevel.Scalar, () => Pooling.MaxForward(x, yScalar, iScalar, Planes, g));
            SimdLevels.With(level, () => Pooling.MaxForward(x, yVector, iVector, Planes, g));
            Assert.Equal(iScalar, iVector);
            for (int i = 0; i < yScalar.Length; i++)
            {
                Assert.True(yScalar[i].Equals(yVector[i]), $"[{i}]: {yScalar[i]} vs {yVector[i]}");
            }
            Assert.True(float.IsNaN(yVector[2]));
        }

        [Fact]
        public void Global_average_pooling_turns_channel_major_into_batch_major()
        {
            const int C = 3, B = 2, S = 5;
            float[] x = Enumerable.Range(0, C * B * S).Select(i => (float)i).ToArray();
            float[] y = new float[B * C];
            Pooling.GlobalAverageForward(x, y, C, B, S);
            Assert.Equal(2f, y[0]);          // b 0, c 0: 0..4
            Assert.Equal(12f, y[1]);         // b 0, c 1: plane (c1, b0) = 10..14
            Assert.Equal(7f, y[C]);          // b 1, c 0: 5..9
            float[] dx = new float[x.Length];
            Pooling.GlobalAverageBackward([5, 10, 15, 20, 25, 30], dx, C, B, S);
            Assert.All(dx.AsSpan(0, S).ToArray(), v => Assert.Equal(1f, v));
            Assert.All(dx.AsSpan(S, S).ToArray(), v => Assert.Equal(4f, v)); // plane (c0, b1) gets dy[b1, c0] = 20
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Batch_norm_matches_the_formulas(bool channelMajor)
        {
            const int C = 3, N = 10;
            var rng = new Rng(channelMajor ? 1 : 2);
            float[] x = GemmTests.Random(C * N, rng).Select(v => 3 * v + 1).ToArray();
            float[] gamma = [1.5f, 0.5f, -1f], beta = [0.1f, -0.2f, 0.3f];
            float[] runningMean = [0, 0, 0], runningVar = [1, 1, 1], saved = new float[2 * C], y = new float[x.Length];
            BatchNorm.ForwardTraining(x, y, gamma, beta, runningMean, runningVar, saved, C, N, channelMajor, momentum: 0.1f, epsilon: 1e-5f);
            float[] dy = GemmTests.Random(x.Length, rng), dx = new float[x.Length], dgamma = new float[C], dbeta = new float[C];
            BatchNorm.Backward(dy, x, gamma, saved, dgamma, dbeta, dx, C, N, channelMajor);

            for (int c = 0; c < C; c++)
            {
                int At(int i) => channelMajor ? c * N + i : i * C + c;
                double mean = Enumerable.Range(0, N).Average(i => (double)x[At(i)]);
                double variance = Enumerable.Range(0, N).Average(i => Math.Pow(x[At(i)] - mean, 2));
                double invStd = 1 / Math.Sqrt(variance + 1e-5);
                double sumDy = 0, sumDyXhat = 0;
                for (int i = 0; i < N; i++)
                {
                    double xhat = (x[At(i)] - mean) * invStd;
                    Assert.Equal(gamma[c] * xhat + beta[c], y[At(i)], 5);
                    sumDy += dy[At(i)];
                    sumDyXhat += dy[At(i)] * xhat;
                }
                Assert.Equal(0.1 * mean, runningMean[c], 5);
                Assert.Equal(0.9 + 0.1 * variance * N / (N - 1), runningVar[c], 5);
                Assert.Equal(sumDyXhat, dgamma[c], 4);
                Assert.Equal(sumDy, dbeta[c], 4);
                for (int i = 0; i < N; i++)
                {
                    double xhat = (x[At(i)] - mean) * invStd;
                    double expected = gamma[c] * invStd / N * (N * dy[At(i)] - sumDy - xhat * sumDyXhat);
                    Assert.Equal(expected, dx[At(i)], 4);
                }
            }

            float[] inference = new float[x.Length];
            BatchNorm.ForwardInference(x, inference, gamma, beta, runningMean, runningVar, C, N, channelMajor, 1e-5f);
            Assert.Equal(gamma[0] * (x[0] - runningMean[0]) / MathF.Sqrt(runningVar[0] + 1e-5f) + beta[0], inference[0], 5);
            Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(x, y, gamma, beta, runningMean, runningVar, saved, C, 1, channelMajor, 0.1f, 1e-5f));
        }

        [Fact]
        public void Dropout_keeps_about_one_minus_rate_scaled_and_is_seeded()
        {
            float[] x = Enumerable.Repeat(2f, 100_001).ToArray();
            float[] y = new float[x.Length], mask = new float[x.Length], mask2 = new float[x.Length];
            Dropout.Forward(x, y, mask, 0.25f, new Rng(5));
            Dropout.Forward(x, new float[x.Length], mask2, 0.25f, new Rng(5));
            Assert.Equal(mask, mask2);
            int kept = mask.Count(m => m != 0);
            Assert.InRange(kept / (double)x.Length, 0.74, 0.76);
            Assert.All(mask, m => Assert.True(m == 0 || m == 1f / 0.75f));
            Assert.Equal(2 * mask[7], y[7]);
            float[] dx = new float[x.Length];
            Dropout.Backward(x, mask, dx);
            Assert.Equal(y, dx);
            Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(x, y, mask, 1f, new Rng(1)));
        }

        /// <summary>
        /// The mask is the documented stream: one draw <c>s</c> of the network's generator per mask; value j of block
        /// b = j / 16384 dropped exactly when bits 16·(i mod 4) and up of the block's d-th 64-bit number, d = i / 4, are below
        /// rate·65536, i = j mod 16384, that number being the (d / 8)-th draw of lane d mod 8, <c>new Rng(s, stream: 8b + d mod 8)</c>
        /// — computed here draw by draw with the public generator, one lane after another — across batch,
        /// vector and block edges, on one thread and on two (masks of 64 K values and more are drawn on all cores); and the
        /// network's generator is left one draw on, so the next mask (a resumed run's) follows on.
        /// </summary>
        [Theory]
        [InlineData(1, 0.1f)]
        [InlineData(3, 0.5f)]
        [InlineData(17, 0.25f)]
        [InlineData(1023, 0.1f)]
        [InlineData(1024, 0.9f)]
        [InlineData(1025, 0.3f)]
        [InlineData(5003, 0f)]
        [InlineData(20_000, 0.2f)]
        [InlineData(70_001, 0.1f)]
        public void Dropout_masks_follow_the_generator_draw_by_draw(int length, float rate)
        {
            var reference = new Rng(9);
            long seed = unchecked((long)reference.NextUInt64());
            float keep = 1f / (1 - rate);
            int threshold = (int)Math.Round(rate * 65536);
            float[] expected = new float[length];
            var lanes = new Rng[8];
            ulong bits = 0;
            for (int j = 0; j < length; j++)
            {
                int i = j % Dropout.BlockValues;
                if (i == 0)
                {
                    for (int l = 0; l < lanes.Length; l++)
                    {
                        lanes[l] = new Rng(seed, stream: 8L * (j / Dropout.BlockValues) + l);
                    }
                }
                if (i % 4 == 0)
                {
                    bits = lanes[i / 4 % 8].NextUInt64();
                }
                expected[j] = (int)((bits >> (16 * (i % 4))) & 0xFFFF) < threshold ? 0f : keep;
            }
            int saved = Parallelism.MaxThreads;
            try
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    Parallelism.MaxThreads = threads;
                    float[] mask = new float[length];
                    var rng = new Rng(9);
                    Dropout.Mask(mask, rate, rng);
                    for (int j = 0; j < length; j++)
                    {
                        Assert.True(mask[j] == expected[j], $"{threads} thread(s): mask[{j}] = {mask[j]}, expected {expected[j]}");
                    }
                    var fresh = new Rng(9);
                    fresh.NextUInt64();
                    Assert.Equal(fresh.NextUInt64(), rng.NextUInt64());
                }
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }

        /// <summary>
        /// col2im at stride 1 folds a row of dx at a time in registers with AVX-512 and tap by tap elsewhere: both add each
        /// value's taps in the same order from +0, so dx has the same bits (padded, dilated, wider than a vector, and the
        /// 13×13 planes whose last row cannot be stored whole). On a machine without AVX-512 both sides fold tap by tap.
        /// </summary>
        [Theory]
        [InlineData(32, 13, 13, 3, 0, 1)]
        [InlineData(4, 32, 32, 3, 1, 1)]
        [InlineData(2, 10, 10, 3, 2, 2)]
        [InlineData(3, 6, 20, 3, 1, 1)]
        [InlineData(2, 5, 40, 5, 2, 1)]
        public void Register_fold_has_the_bits_of_the_tap_by_tap_fold(int c, int h, int w, int k, int pad, int dilation)
        {
            int oh = h + 2 * pad - dilation * (k - 1), ow = w + 2 * pad - dilation * (k - 1);
            var g = new ConvGeometry(c, h, w, 1, k, 1, pad, pad, dilation, oh, ow);
            const int B = 3;
            float[] dcol = GemmTests.Random(g.PatchSize * B * g.OutPositions, new Rng(c * 100 + w));
            float[] Fold(SimdLevel level)
            {
                float[] dx = GemmTests.Random(c * B * h * w, new Rng(1)); // overwritten
                SimdLevels.With(level, () => Conv2D.Col2Im(dcol, dx, B, g));
                return dx;
            }
            float[] wide = Fold(Simd.Hardware), narrow = Fold(SimdLevel.Vector128);
            for (int i = 0; i < wide.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(wide[i]) == BitConverter.SingleToInt32Bits(narrow[i]), $"dx[{i}]: {wide[i]} and {narrow[i]}");
            }
        }

        /// <summary>
        /// y = x·mask value by value over several blocks of the mask (random x, so a block multiplied with another block's
        /// input would show), in place and not, with the same masks on one thread and on two.
        /// </summary>
        [Fact]
        public void Dropout_forward_multiplies_each_value_by_its_own_mask()
        {
            const int N = 70_001;
            float[] x = GemmTests.Random(N, new Rng(11));
            int saved = Parallelism.MaxThreads;
            try
            {
                float[]? first = null;
                foreach (int threads in new[] { 1, 2 })
                {
                    Parallelism.MaxThreads = threads;
                    float[] y = new float[N], mask = new float[N], inPlace = (float[])x.Clone(), maskInPlace = new float[N];
                    Dropout.Forward(x, y, mask, 0.3f, new Rng(4));
                    Dropout.Forward(inPlace, inPlace, maskInPlace, 0.3f, new Rng(4));
                    for (int i = 0; i < N; i++)
                    {
                        Assert.True(y[i] == x[i] * mask[i], $"{threads} thread(s): y[{i}] = {y[i]}, x·mask = {x[i] * mask[i]}");
                    }
                    Assert.Equal(mask, maskInPlace);
                    Assert.Equal(y, inPlace);
                    first ??= mask;
                    Assert.Equal(first, mask);
                }
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
            Assert.Throws<ArgumentException>(() => Dropout.Backward(x, new float[N - 1], new float[N]));
        }

        [Fact]
        public void Pool_geometry_refuses_windows_past_the_input()
        {
            Assert.Throws<ArgumentException>(() => new PoolGeometry(3, 3, 2, 2, 0, 0, 2, 2));
            Assert.Throws<ArgumentException>(() => new PoolGeometry(6, 7, 3, 2, 1, 1, 3, 5)); // a fifth window would end past the padding
            _ = new PoolGeometry(6, 7, 3, 2, 1, 1, 3, 4); // floor((7 + 2 − 3) / 2) + 1 = 4, as PyTorch sizes it
            _ = new PoolGeometry(3, 3, 2, 2, 0, 0, 1, 1);
        }

        [Fact]
        public void Layout_round_trips()
        {
            const int B = 2, C = 3, S = 4;
            float[] nchw = Enumerable.Range(0, B * C * S).Select(i => (float)i).ToArray();
            float[] cnhw = new float[nchw.Length], back = new float[nchw.Length];
            Layout.ToChannelMajor(nchw, cnhw, B, C, S);
            Assert.Equal(nchw[(1 * C + 2) * S + 3], cnhw[(2 * B + 1) * S + 3]);
            Layout.ToBatchMajor(cnhw, back, B, C, S);
            Assert.Equal(nchw, back);
        }

        /// <summary>66,500 values (blocks of samples shared between threads, the last block short) land where a plain loop puts them.</summary>
        [Fact]
        public void Large_layout_changes_match_a_plain_loop()
        {
            const int B = 19, C = 7, S = 500;
            float[] nchw = GemmTests.Random(B * C * S, new Rng(3)), expected = new float[nchw.Length], cnhw = new float[nchw.Length], back = new float[nchw.Length];
            for (int b = 0; b < B; b++)
            {
                for (int c = 0; c < C; c++)
                {
                    for (int i = 0; i < S; i++)
                    {
                        expected[(c * B + b) * S + i] = nchw[(b * C + c) * S + i];
                    }
                }
            }
            Layout.ToChannelMajor(nchw, cnhw, B, C, S);
            Assert.Equal(expected, cnhw);
            Layout.ToBatchMajor(cnhw, back, B, C, S);
            Assert.Equal(nchw, back);
            Assert.Throws<ArgumentException>(() => Layout.ToBatchMajor(cnhw.AsSpan(1), back, B, C, S));
        }

        private static void Close(float[] actual, double[] expected, string what, double[]? absoluteSums = null)
        {
            for (int i = 0; i < actual.Length; i++)
            {
                // A few float epsilons of the sum's Σ|term| on top, where that is known.
                double tolerance = 2e-5 * Math.Max(1, Math.Abs(expected[i])) + (absoluteSums is null ? 0 : 5e-7 * absoluteSums[i]);
                Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"{what} [{i}]: {actual[i]} vs {expected[i]}");
            }
        }
    }
}

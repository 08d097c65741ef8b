using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// The forward convolution of a 3×3, stride-1 layer by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, 2015):
    /// each 2×2 block of outputs comes from a 4×4 tile of input through sixteen products instead of thirty-six, so the layer's
    /// multiply-adds become sixteen products <c>M[ξ] = V[ξ]·U[ξ]</c> (<c>[tiles, C]·[C, F]</c>, one per point ξ of the 4×4
    /// transform) with 16/36 of the direct convolution's work when the output sides are even (a 32→64 layer on 13×13 planes,
    /// whose 11×11 outputs take 6×6 tiles: 16·36 = 576 tile products against 9·121 = 1,089 taps per filter and channel).
    /// The transforms are a few additions each, vectorized over channels (input) and filters (output), on copies of a
    /// sample transposed to <c>[H, W, C]</c> and back; the filters are transformed once per call.
    /// <para>
    /// Used where it pays and is exact enough: 3×3 kernels, stride and dilation 1, at least 16 channels, channels and filters
    /// multiples of 8 (whole 8-float vectors, no tails), 256-bit vectors or wider. The points 0, ±1 and ∞ keep the rounding
    /// within a few units in the last place of the direct sum's (the transforms only add, subtract and halve).
    /// </para>
    /// </summary>
    public static unsafe partial class Conv2D
    {
        /// <summary>Points of the 4×4 transform: sixteen products per tile.</summary>
        private const int WinogradPoints = 16;

        /// <summary>Each thread's Winograd chunk: the input as [H, W, C], V, M and the output as [OH, OW, F].</summary>
        [ThreadStatic]
        private static AlignedBuffer? t_winograd;

        /// <summary>The calling thread's transformed filters U [16, C, F] (and W transposed, [C·9, F], behind them).</summary>
        [ThreadStatic]
        private static AlignedBuffer? t_winogradFilters;

        /// <summary>Whether the forward pass of <paramref name="g"/> runs by Winograd's F(2×2, 3×3) at the current SIMD level.</summary>
        internal static bool WinogradFits(in ConvGeometry g) =>
            g.Kernel == 3 && g.Stride == 1 && g.Dilation == 1 && g.Channels >= 16 && g.Channels % 8 == 0 && g.Filters % 8 == 0
            && Simd.Level >= SimdLevel.Vector256;

        /// <summary>2×2 output tiles down a sample's output plane.</summary>
        private static int TilesHigh(in ConvGeometry g) => (g.OutHeight + 1) / 2;

        /// <summary>2×2 output tiles across a sample's output plane.</summary>
        private static int TilesWide(in ConvGeometry g) => (g.OutWidth + 1) / 2;

        /// <summary>Floats of a chunk's Winograd scratch per sample: [H, W, C] in, V and M, [OH, OW, F] out.</summary>
        private static long WinogradFloatsPerSample(in ConvGeometry g)
        {
            long tiles = (long)TilesHigh(g) * TilesWide(g);
            return (long)g.Height * g.Width * g.Channels + WinogradPoints * tiles * (g.Channels + g.Filters) + (long)g.OutPositions * g.Filters;
        }

        /// <summary>Samples per Winograd chunk: as many as fit <see cref="ChunkBytes"/>, at least one.</summary>
        private static int WinogradSamplesPerChunk(in ConvGeometry g, int batch) =>
            (int)Math.Clamp(ChunkBytes / (WinogradFloatsPerSample(g) * sizeof(float)), 1, Math.Max(1, batch));

        /// <summary>
        /// Runs the forward job by F(2×2, 3×3): the filters transformed once, then a work item per chunk of samples — or, when
        /// the samples make fewer chunks than there are threads (one sample at inference), the chunks one after the other on
        /// this thread with each chunk's sixteen products shared between the threads. Either way every output is computed by
        /// the same operations in the same order, so the bits do not depend on the number of threads.
        /// </summary>
        private static void RunWinograd(ref Job job)
        {
            ConvGeometry g = job.Geometry;
            job.Samples = WinogradSamplesPerChunk(g, job.Batch);
            job.Chunks = job.Groups = (job.Batch + job.Samples - 1) / job.Samples;
            job.FilterParts = 1;
            job.WinogradFilters = TransformFilters(job.W, g);
            int threads = Threads(g, job.Batch);
            fixed (Job* state = &job)
            {
                if (job.Chunks >= Parallelism.MaxThreads || Parallelism.MaxThreads == 1)
                {
                    WorkerPool.Run(job.Chunks, threads, &ForwardPart, state);
                    return;
                }
                long flops = 2L * WinogradPoints * job.Samples * TilesHigh(g) * TilesWide(g) * g.Channels * g.Filters;
                job.WinogradThreads = (int)Math.Clamp(flops / MinFlopsPerFilterPart, 1, Parallelism.MaxThreads);
                for (int chunk = 0; chunk < job.Chunks; chunk++)
                {
                    ForwardPart(state, chunk);
                }
            }
        }

        /// <summary>
        /// U[ξ, c, f] = (G·w[f, c]·Gᵀ)[ξ] for every filter and channel, into the calling thread's scratch (read by every worker of
        /// the call): W is first transposed to [C·9, F], so each 3×3 kernel is transformed for eight filters at once.
        /// </summary>
        private static float* TransformFilters(float* w, in ConvGeometry g)
        {
            int channels = g.Channels, filters = g.Filters;
            long transformed = (long)WinogradPoints * channels * filters;
            float* u = Pointer(Scratch(ref t_winogradFilters, transformed + 9L * channels * filters));
            float* wt = u + transformed;
            Transpose.Copy(w, filters, 9 * channels, 9 * channels, wt, filters);
            Transform(wt, channels, filters, u);
            return u;
        }

        /// <summary>
        /// The filters of the input gradient's convolution (see <see cref="InputGradientGeometry"/>), transformed: its channels
        /// are the layer's filters and its filters the layer's channels, each kernel turned by 180°:
        /// w′[c, f, i, j] = w[f, c, 2 − i, 2 − j]. U′ is [16, F, C], in the calling thread's scratch.
        /// </summary>
        private static float* TransformFlippedFilters(float* w, in ConvGeometry g)
        {
            int channels = g.Channels, filters = g.Filters;
            long transformed = (long)WinogradPoints * channels * filters;
            float* u = Pointer(Scratch(ref t_winogradFilters, transformed + 9L * channels * filters));
            float* wt = u + transformed; // w′ as [F·9, C]: row (f, tap) holds w[f, :, 8 − tap]
            for (int f = 0; f < filters; f++)
            {
                float* kernels = w + (nint)f * channels * 9, rows = wt + (nint)f * 9 * channels;
                for (int tap = 0; tap < 9; tap++)
                {
                    float* row = rows + tap * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        row[c] = kernels[c * 9 + 8 - tap];
                    }
                }
            }
            Transform(wt, filters, channels, u);
            return u;
        }

        /// <summary>
        /// The gradient with respect to the input of a 3×3, stride-1 convolution, as a convolution of its own: ∂L/∂z's F planes
        /// of OH×OW in, the input's C planes of H×W out, padding 2 − p on each side (the full correlation with the turned
        /// kernels). Null when that padding would be negative (p &gt; 2) or the shapes do not fit <see cref="WinogradFits"/>.
        /// </summary>
        private static ConvGeometry? InputGradientGeometry(in ConvGeometry g)
        {
            if (!WinogradFits(g) || g.PadTop > 2 || g.PadLeft > 2)
            {
                return null;
            }
            var gradient = new ConvGeometry(g.Filters, g.OutHeight, g.OutWidth, g.Channels, 3, 1, 2 - g.PadTop, 2 - g.PadLeft, 1, g.Height, g.Width);
            return WinogradFits(gradient) ? gradient : null;
        }

        /// <summary>U[ξ, c, f] from the kernels as [C·9, F] (row c·9 + tap).</summary>
        private static void Transform(float* wt, int channels, int filters, float* u)
        {
            nint point = (nint)channels * filters;
            for (int c = 0; c < channels; c++)
            {
                float* taps = wt + (nint)c * 9 * filters;
                float* target = u + (nint)c * filters;
                for (int f = 0; f < filters; f += 8)
                {
                    TransformFilter(taps + f, filters, target + f, point);
                }
            }
        }

        /// <summary>
        /// One channel's 3×3 kernels of eight filters (tap k at <c>taps + k·stride</c>) to their sixteen transformed values
        /// (point ξ at <c>target + ξ·point</c>): with G's rows (1, 0, 0), ½(1, 1, 1), ½(1, −1, 1), (0, 0, 1), first down the
        /// kernel's columns, then along the four rows that gives.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void TransformFilter(float* taps, nint stride, float* target, nint point)
        {
            var half = Vector256.Create(0.5f);
            Span<Vector256<float>> t = stackalloc Vector256<float>[12]; // G·g, [4, 3]
            for (int s = 0; s < 3; s++)
            {
                Vector256<float> g0 = Vector256.Load(taps + s * stride), g1 = Vector256.Load(taps + (3 + s) * stride);
                Vector256<float> g2 = Vector256.Load(taps + (6 + s) * stride);
                t[s] = g0;
                t[3 + s] = (g0 + g1 + g2) * half;
                t[6 + s] = (g0 - g1 + g2) * half;
                t[9 + s] = g2;
            }
            for (int i = 0; i < 4; i++)
            {
                Vector256<float> a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
                float* row = target + 4 * i * point;
                Vector256.Store(a, row);
                Vector256.Store((a + b + c) * half, row + point);
                Vector256.Store((a - b + c) * half, row + 2 * point);
                Vector256.Store(c, row + 3 * point);
            }
        }

        /// <summary>
        /// z of samples [first, first + count) by F(2×2, 3×3): z[f, s·OH·OW + p] at <paramref name="z"/> with filter rows
        /// <paramref name="ldz"/> apart, plus the bias, then the job's store epilogue (ReLU or LeakyReLU, or none).
        /// </summary>
        private static void WinogradChunk(ref Job job, int first, int count, float* z, nint ldz)
        {
            ConvGeometry g = job.Geometry;
            long plane = (long)g.Height * g.Width;
            Winograd(ref job, g, job.X + first * plane, (nint)(job.Batch * plane), count, job.WinogradFilters, job.Bias, job.Epilogue, z, ldz);
        }

        /// <summary>
        /// The convolution <paramref name="g"/> of <paramref name="count"/> samples by F(2×2, 3×3), with the filters transformed
        /// into <paramref name="u"/>: input sample s at <c>x + s·H·W</c> with channel rows <paramref name="channelStride"/> apart,
        /// output sample s at <c>z + s·OH·OW</c> with filter rows <paramref name="ldz"/> apart; plus the bias (if any), then the
        /// epilogue. The sixteen products are shared between threads when the job says so (only ever for a forward chunk run on
        /// the calling thread).
        /// </summary>
        private static void Winograd(ref Job job, in ConvGeometry g, float* x, nint channelStride, int count, float* u, float* bias,
            Epilogue epilogue, float* z, nint ldz)
        {
            int channels = g.Channels, filters = g.Filters, plane = g.Height * g.Width, tiles = TilesHigh(g) * TilesWide(g);
            int rows = count * tiles; // T: the chunk's tiles, the rows of each product
            float* scratch = Pointer(Scratch(ref t_winograd, count * WinogradFloatsPerSample(g)));
            float* input = scratch;                                  // [count, H, W, C]
            float* v = input + (nint)count * plane * channels;       // V [16, T, C]
            float* m = v + (nint)WinogradPoints * rows * channels;   // M [16, T, F]
            float* output = m + (nint)WinogradPoints * rows * filters; // [OH·OW, F], one sample at a time
            for (int s = 0; s < count; s++)
            {
                float* sample = input + (nint)s * plane * channels;
                Transpose.Copy(x + (nint)s * plane, channels, plane, channelStride, sample, channels);
                TransformInput(sample, g, v + (nint)s * tiles * channels, (nint)rows * channels);
            }
            if (job.WinogradThreads > 1)
            {
                // Only when the chunks run one after the other on the calling thread: the job is this chunk's alone.
                job.WinogradV = v;
                job.WinogradM = m;
                job.WinogradRows = rows;
                fixed (Job* state = &job)
                {
                    WorkerPool.Run(WinogradPoints, job.WinogradThreads, &WinogradProduct, state);
                }
            }
            else
            {
                for (int point = 0; point < WinogradPoints; point++)
                {
                    WinogradProduct(v, m, rows, u, channels, filters, point);
                }
            }
            for (int s = 0; s < count; s++)
            {
                TransformOutput(m + (nint)s * tiles * filters, (nint)rows * filters, g, bias, epilogue, output);
                Transpose.Copy(output, g.OutPositions, filters, filters, z + (nint)s * g.OutPositions, ldz);
            }
        }

        private static void WinogradProduct(void* state, int point)
        {
            ref Job job = ref *(Job*)state;
            WinogradProduct(job.WinogradV, job.WinogradM, job.WinogradRows, job.WinogradFilters, job.Geometry.Channels, job.Geometry.Filters, point);
        }

        /// <summary>M[ξ] = V[ξ]·U[ξ]: [T, C]·[C, F] for one point ξ of a chunk of T tiles.</summary>
        private static void WinogradProduct(float* v, float* m, int rows, float* u, int channels, int filters, int point) =>
            Gemm.SerialNN(rows, filters, channels, v + (nint)point * rows * channels, channels, u + (nint)point * channels * filters, filters,
                m + (nint)point * rows * filters, filters, accumulate: false, Epilogue.None, null);

        /// <summary>
        /// V[ξ, t, c] = (Bᵀ·d·B)[ξ] for every tile t of one sample and every channel: d is the 4×4 input tile at
        /// (2·ty − pt, 2·tx − pl), zero outside the plane. Tiles inside the plane are read in place; an edge tile is first
        /// copied, eight channels at a time, into a zero-filled 4×4 block on the stack.
        /// </summary>
        private static void TransformInput(float* sample, in ConvGeometry g, float* v, nint point)
        {
            int channels = g.Channels, tilesWide = TilesWide(g), tilesHigh = TilesHigh(g);
            nint rowStride = (nint)g.Width * channels;
            float* edge = stackalloc float[16 * 8];
            for (int ty = 0; ty < tilesHigh; ty++)
            {
                int y0 = 2 * ty - g.PadTop;
                for (int tx = 0; tx < tilesWide; tx++)
                {
                    int x0 = 2 * tx - g.PadLeft;
                    float* target = v + (nint)(ty * tilesWide + tx) * channels;
                    if (y0 >= 0 && x0 >= 0 && y0 + 4 <= g.Height && x0 + 4 <= g.Width)
                    {
                        float* corner = sample + y0 * rowStride + (nint)x0 * channels;
                        for (int c = 0; c < channels; c += 8)
                        {
                            InputTile(corner + c, rowStride, channels, target + c, point);
                        }
                        continue;
                    }
                    for (int c = 0; c < channels; c += 8)
                    {
                        for (int i = 0; i < 4; i++)
                        {
                            for (int j = 0; j < 4; j++)
                            {
                                int y = y0 + i, x = x0 + j;
                                Vector256<float> tap = (uint)y < (uint)g.Height && (uint)x < (uint)g.Width
                                    ? Vector256.Load(sample + y * rowStride + (nint)x * channels + c)
                                    : Vector256<float>.Zero;
                                tap.Store(edge + (4 * i + j) * 8);
                            }
                        }
                        InputTile(edge, 4 * 8, 8, target + c, point);
                    }
                }
            }
        }

        /// <summary>
        /// One tile's eight channels: d[i, j] at <c>tile + i·rowStride + j·columnStride</c>, V's sixteen values at
        /// <c>target + ξ·point</c>; Bᵀ's rows are (1, 0, −1, 0), (0, 1, 1, 0), (0, −1, 1, 0), (0, 1, 0, −1).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void InputTile(float* tile, nint rowStride, nint columnStride, float* target, nint point)
        {
            // Down the columns: e = Bᵀ·d, one column of four at a time.
            float* r0 = tile, r1 = tile + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
            Vector256<float> d0 = Vector256.Load(r0), d1 = Vector256.Load(r1), d2 = Vector256.Load(r2), d3 = Vector256.Load(r3);
            Vector256<float> e00 = d0 - d2, e10 = d1 + d2, e20 = d2 - d1, e30 = d1 - d3;
            d0 = Vector256.Load(r0 + columnStride); d1 = Vector256.Load(r1 + columnStride);
            d2 = Vector256.Load(r2 + columnStride); d3 = Vector256.Load(r3 + columnStride);
            Vector256<float> e01 = d0 - d2, e11 = d1 + d2, e21 = d2 - d1, e31 = d1 - d3;
            d0 = Vector256.Load(r0 + 2 * columnStride); d1 = Vector256.Load(r1 + 2 * columnStride);
            d2 = Vector256.Load(r2 + 2 * columnStride); d3 = Vector256.Load(r3 + 2 * columnStride);
            Vector256<float> e02 = d0 - d2, e12 = d1 + d2, e22 = d2 - d1, e32 = d1 - d3;
            d0 = Vector256.Load(r0 + 3 * columnStride); d1 = Vector256.Load(r1 + 3 * columnStride);
            d2 = Vector256.Load(r2 + 3 * columnStride); d3 = Vector256.Load(r3 + 3 * columnStride);
            Vector256<float> e03 = d0 - d2, e13 = d1 + d2, e23 = d2 - d1, e33 = d1 - d3;
            // Along the rows: V = e·B, point ξ = 4·i + j.
            InputRow(e00, e01, e02, e03, target, point);
            InputRow(e10, e11, e12, e13, target + 4 * point, point);
            InputRow(e20, e21, e22, e23, target + 8 * point, point);
            InputRow(e30, e31, e32, e33, target + 12 * point, point);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void InputRow(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, float* target, nint point)
        {
            (a - c).Store(target);
            (b + c).Store(target + point);
            (c - b).Store(target + 2 * point);
            (b - d).Store(target + 3 * point);
        }

        /// <summary>
        /// One sample's output [OH·OW, F] from its tiles' M[ξ, t, f]: y = Aᵀ·m·A + bias, Aᵀ's rows (1, 1, 1, 0) and (0, 1, −1, −1),
        /// then the epilogue; a tile's outputs past the plane's last row or column (odd sides) are not stored.
        /// </summary>
        private static void TransformOutput(float* m, nint point, in ConvGeometry g, float* bias, Epilogue epilogue, float* output)
        {
            int filters = g.Filters, tilesWide = TilesWide(g), tilesHigh = TilesHigh(g);
            nint rowStride = (nint)g.OutWidth * filters;
            for (int ty = 0; ty < tilesHigh; ty++)
            {
                int y = 2 * ty;
                bool bottom = y + 1 < g.OutHeight;
                for (int tx = 0; tx < tilesWide; tx++)
                {
                    int x = 2 * tx;
                    bool right = x + 1 < g.OutWidth;
                    float* tile = m + (nint)(ty * tilesWide + tx) * filters;
                    float* target = output + y * rowStride + (nint)x * filters;
                    for (int f = 0; f < filters; f += 8)
                    {
                        Vector256<float> b = bias is null ? Vector256<float>.Zero : Vector256.Load(bias + f);
                        OutputTile(tile + f, point, b, epilogue, target + f, rowStride, filters, bottom, right);
                    }
                }
            }
        }

        /// <summary>
        /// One tile's eight filters: m[ξ] at <c>tile + ξ·point</c>, y = Aᵀ·m·A + bias stored at <c>target + r·rowStride + c·columnStride</c>
        /// (the second row and column only when <paramref name="bottom"/> and <paramref name="right"/> say they are in the plane).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void OutputTile(float* tile, nint point, Vector256<float> bias, Epilogue epilogue, float* target, nint rowStride,
            nint columnStride, bool bottom, bool right)
        {
            // Down the columns: s = Aᵀ·m, [2, 4].
            Vector256<float> s00 = Column(tile, point, out Vector256<float> s10);
            Vector256<float> s01 = Column(tile + point, point, out Vector256<float> s11);
            Vector256<float> s02 = Column(tile + 2 * point, point, out Vector256<float> s12);
            Vector256<float> s03 = Column(tile + 3 * point, point, out Vector256<float> s13);
            // Along the rows: y = s·A.
            Epilogues.Apply(epilogue, s00 + s01 + s02 + bias, default).Store(target);
            if (right)
            {
                Epilogues.Apply(epilogue, s01 - s02 - s03 + bias, default).Store(target + columnStride);
            }
            if (bottom)
            {
                Epilogues.Apply(epilogue, s10 + s11 + s12 + bias, default).Store(target + rowStride);
                if (right)
                {
                    Epilogues.Apply(epilogue, s11 - s12 - s13 + bias, default).Store(target + rowStride + columnStride);
                }
            }
        }

        /// <summary>Column j of Aᵀ·m from m[j], m[4 + j], m[8 + j], m[12 + j] (the first at <paramref name="top"/>): its two rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Column(float* top, nint point, out Vector256<float> second)
        {
            Vector256<float> m0 = Vector256.Load(top), m1 = Vector256.Load(top + 4 * point);
            Vector256<float> m2 = Vector256.Load(top + 8 * point), m3 = Vector256.Load(top + 12 * point);
            second = m1 - m2 - m3;
            return m0 + m1 + m2;
        }
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// A 3×3, stride-1 layer's forward pass, weight gradient and input gradient by Winograd's minimal filtering F(2×2, 3×3)
    /// (Lavin and Gray, 2015), with a fused 2×2 max pooling read from and routed back to the tiles:
    /// each 2×2 block of outputs comes from a 4×4 tile of input through sixteen products instead of thirty-six, so the layer's
    /// multiply-adds become sixteen products <c>M[ξ] = V[ξ]·U[ξ]</c> (<c>[tiles, C]·[C, F]</c>, one per point ξ of the 4×4
    /// transform) with 16/36 of the direct convolution's work when the output sides are even (a 32→64 layer on 13×13 planes,
    /// whose 11×11 outputs take 6×6 tiles: 16·36 = 576 tile products against 9·121 = 1,089 taps per filter and channel).
    /// The transforms are a few additions each, vectorized over channels (input) and filters (output), on copies of a
    /// sample transposed to <c>[H, W, C]</c> and back; the filters are transformed once per call.
    /// <para>
    /// Used where it pays and is exact enough: 3×3 kernels, stride and dilation 1, at least 16 channels, channels and filters
    /// multiples of 8 (whole 8-float vectors, no tails), 256-bit vectors or wider. The points 0, ±1 and ∞ keep the rounding
    /// error within a few units in the last place of Σ|terms| of each output, as the direct sum's (the transforms only add,
    /// subtract and halve; like any reordered sum, an output whose terms cancel has a larger relative error).
    /// </para>
    /// </summary>
    public static unsafe partial class Conv2D
    {
        /// <summary>Points of the 4×4 transform: sixteen products per tile.</summary>
        private const int WinogradPoints = 16;

        /// <summary>
        /// Each thread's Winograd chunk (<see cref="WinogradScratch"/>): one sample's input as [H, W, C] and zero-bordered, V, M
        /// (or Z) and one sample's output (or ∂L/∂z) as [OH·OW, F]. Grown, never shrunk, when a larger layer needs more: so no
        /// caller may hold a pointer into it across a call that carves a larger chunk from it.
        /// </summary>
        [ThreadStatic]
        private static AlignedBuffer? t_winograd;

        /// <summary>
        /// The calling thread's transformed filters, U [16, C, F] for the forward pass or the turned U′ [16, F, C] for the input
        /// gradient, points <see cref="FilterPoint"/> apart, with the kernels as [9·C, F] (or [9·F, C]) behind them.
        /// </summary>
        [ThreadStatic]
        private static AlignedBuffer? t_winogradFilters;

        /// <summary>
        /// Whether <paramref name="g"/>'s forward pass and weight gradient run by Winograd's F(2×2, 3×3) at the current SIMD level
        /// (its input gradient too when <see cref="InputGradientGeometry"/> fits as well).
        /// </summary>
        internal static bool WinogradFits(in ConvGeometry g) =>
            g.Kernel == 3 && g.Stride == 1 && g.Dilation == 1 && g.Channels >= 16 && g.Channels % 8 == 0 && g.Filters % 8 == 0
            && Simd.Level >= SimdLevel.Vector256;

        /// <summary>2×2 output tiles down a sample's output plane.</summary>
        private static int TilesHigh(in ConvGeometry g) => (g.OutHeight + 1) / 2;

        /// <summary>2×2 output tiles across a sample's output plane.</summary>
        private static int TilesWide(in ConvGeometry g) => (g.OutWidth + 1) / 2;

        /// <summary>Rows of a sample's zero-bordered copy: every tile's four rows, 2·tiles + 2.</summary>
        private static int PaddedHeight(in ConvGeometry g) => 2 * TilesHigh(g) + 2;

        /// <summary>Columns of a sample's zero-bordered copy: every tile's four columns, 2·tiles + 2.</summary>
        private static int PaddedWidth(in ConvGeometry g) => 2 * TilesWide(g) + 2;

        /// <summary>
        /// Floats of a chunk's Winograd scratch: one sample's input as [H, W, C] and zero-bordered, V [16, T, C] and
        /// M [16, T, F] for the chunk's T tiles, one sample's output as [OH·OW, F].
        /// </summary>
        private static long WinogradFloats(in ConvGeometry g, int count)
        {
            long tiles = (long)count * TilesHigh(g) * TilesWide(g);
            return ((long)g.Height * g.Width + (long)PaddedHeight(g) * PaddedWidth(g)) * g.Channels + WinogradPoints * tiles * (g.Channels + g.Filters)
                + (long)g.OutPositions * g.Filters;
        }

        /// <summary>Samples per Winograd chunk: as many as fit <see cref="ChunkBytes"/>, at least one.</summary>
        private static int WinogradSamplesPerChunk(in ConvGeometry g, int batch)
        {
            int samples = 1;
            while (samples < batch && WinogradFloats(g, samples + 1) * sizeof(float) <= ChunkBytes)
            {
                samples++;
            }
            return samples;
        }

        /// <summary>The parts of a chunk's Winograd scratch (see <see cref="WinogradFloats"/>).</summary>
        private readonly struct WinogradScratch
        {
            public WinogradScratch(in ConvGeometry g, int count)
            {
                int tiles = count * TilesHigh(g) * TilesWide(g);
                float* start = Pointer(Scratch(ref t_winograd, WinogradFloats(g, count)));
                Unpadded = start;
                Padded = Unpadded + (nint)g.Height * g.Width * g.Channels;
                V = Padded + (nint)PaddedHeight(g) * PaddedWidth(g) * g.Channels;
                M = V + (nint)WinogradPoints * tiles * g.Channels;
                Output = M + (nint)WinogradPoints * tiles * g.Filters;
            }

            /// <summary>One sample's input, [H, W, C].</summary>
            public float* Unpadded { get; }

            /// <summary>The same with the padding and past the last tile's rows and columns as zeros, [2·TH + 2, 2·TW + 2, C].</summary>
            public float* Padded { get; }

            /// <summary>V [16, T, C].</summary>
            public float* V { get; }

            /// <summary>M [16, T, F] (or, for the weight gradient, Z).</summary>
            public float* M { get; }

            /// <summary>One sample's output (or ∂L/∂z), [OH·OW, F].</summary>
            public float* Output { get; }
        }

        /// <summary>
        /// Runs the forward job by F(2×2, 3×3): the filters transformed once, then a work item per chunk of samples — or, when
        /// the samples make one chunk (a single sample at inference), that chunk on this thread with its sixteen products
        /// shared between the threads. Either way every output is computed by the same operations in the same order, so the
        /// bits do not depend on the number of threads.
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
                if (job.Chunks > 1 || Parallelism.MaxThreads == 1)
                {
                    WorkerPool.Run(job.Chunks, threads, &ForwardPart, state);
                    return;
                }
                // One chunk: its sixteen products shared between the threads, the transforms on this one.
                long flops = 2L * WinogradPoints * job.Samples * TilesHigh(g) * TilesWide(g) * g.Channels * g.Filters;
                job.WinogradThreads = (int)Math.Clamp(flops / MinFlopsPerFilterPart, 1, Parallelism.MaxThreads);
                ForwardPart(state, 0);
            }
        }

        /// <summary>
        /// U[ξ, c, f] = (G·w[f, c]·Gᵀ)[ξ] for every filter and channel, into the calling thread's scratch (read by every worker of
        /// the call): W is first transposed to [C·9, F], so each 3×3 kernel is transformed for eight filters at once.
        /// </summary>
        private static float* TransformFilters(float* w, in ConvGeometry g)
        {
            int channels = g.Channels, filters = g.Filters;
            float* u = FilterScratch(channels, filters, out float* wt);
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
            float* u = FilterScratch(channels, filters, out float* wt); // wt: w′ as [F·9, C], row (f, tap) holding w[f, :, 8 − tap]
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

        /// <summary>The calling thread's filter scratch: U's sixteen points, then room for the kernels as [9·C, F] (<paramref name="kernels"/>).</summary>
        private static float* FilterScratch(int channels, int filters, out float* kernels)
        {
            long transformed = (long)WinogradPoints * FilterPoint(channels, filters);
            float* u = Pointer(Scratch(ref t_winogradFilters, transformed + 9L * channels * filters));
            kernels = u + transformed;
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

        /// <summary>
        /// Floats from one point's transformed filters to the next: C·F and one cache line more, so the sixteen rows a kernel's
        /// transform writes do not all fall in one L1 set (32·64 floats are 8 KB, a multiple of the set stride: with that
        /// spacing, transforming a 32→64 layer's filters took 9 µs of a 38 µs single-sample convolution).
        /// </summary>
        private static nint FilterPoint(int channels, int filters) => (nint)channels * filters + 16;

        /// <summary>U[ξ, c, f] from the kernels as [C·9, F] (row c·9 + tap), points <see cref="FilterPoint"/> apart.</summary>
        private static void Transform(float* wt, int channels, int filters, float* u)
        {
            nint point = FilterPoint(channels, filters);
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
            // Down the columns: t = G·g, [4, 3]; rows 0 and 3 of t are rows 0 and 2 of g.
            Vector256<float> g00 = Vector256.Load(taps), g01 = Vector256.Load(taps + stride), g02 = Vector256.Load(taps + 2 * stride);
            Vector256<float> g10 = Vector256.Load(taps + 3 * stride), g11 = Vector256.Load(taps + 4 * stride), g12 = Vector256.Load(taps + 5 * stride);
            Vector256<float> g20 = Vector256.Load(taps + 6 * stride), g21 = Vector256.Load(taps + 7 * stride), g22 = Vector256.Load(taps + 8 * stride);
            var half = Vector256.Create(0.5f);
            Vector256<float> outer0 = g00 + g20, outer1 = g01 + g21, outer2 = g02 + g22;
            // Along the rows: u = t·Gᵀ, point ξ = 4·i + j.
            FilterRow(g00, g01, g02, target, point);
            FilterRow((outer0 + g10) * half, (outer1 + g11) * half, (outer2 + g12) * half, target + 4 * point, point);
            FilterRow((outer0 - g10) * half, (outer1 - g11) * half, (outer2 - g12) * half, target + 8 * point, point);
            FilterRow(g20, g21, g22, target + 12 * point, point);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void FilterRow(Vector256<float> a, Vector256<float> b, Vector256<float> c, float* target, nint point)
        {
            var half = Vector256.Create(0.5f);
            Vector256<float> outer = a + c;
            a.Store(target);
            ((outer + b) * half).Store(target + point);
            ((outer - b) * half).Store(target + 2 * point);
            c.Store(target + 3 * point);
        }

        /// <summary>
        /// z of samples [first, first + count) by F(2×2, 3×3): z[f, s·OH·OW + p] at <paramref name="z"/> with filter rows
        /// <paramref name="ldz"/> apart, plus the bias, then the job's store epilogue (ReLU or LeakyReLU, or none).
        /// </summary>
        private static void WinogradChunk(ref Job job, int first, int count, float* z, nint ldz) =>
            WinogradChunk(ref job, first, count, z, ldz, pooledSample: -1);

        /// <summary>The same, with the job's fused pooling written straight from the tiles instead of z (<see cref="PoolsTiles"/>).</summary>
        private static void WinogradPooledChunk(ref Job job, int first, int count) => WinogradChunk(ref job, first, count, null, 0, pooledSample: first);

        private static void WinogradChunk(ref Job job, int first, int count, float* z, nint ldz, int pooledSample)
        {
            ConvGeometry g = job.Geometry;
            long plane = (long)g.Height * g.Width;
            Winograd(ref job, g, job.X + first * plane, (nint)(job.Batch * plane), count, job.WinogradFilters, job.Bias, job.Epilogue, z, ldz,
                pooledSample);
        }

        /// <summary>Whether a fused max pooling runs on the Winograd output as it is, [OH·OW, F]: 2×2 windows, stride 2, no padding.</summary>
        private static bool PoolsTiles(in PoolGeometry pool) => pool.Size == 2 && pool.Stride == 2 && pool.PadTop == 0 && pool.PadLeft == 0;

        /// <summary>
        /// The job's fused 2×2 max pooling straight from one sample's output [OH·OW, F], eight filters at a time: the maxima
        /// and their indices in the plane go to the job's pooled outputs for sample <paramref name="sample"/>. The corners are
        /// compared by <see cref="Pooling.Larger"/> as the pooling layer compares them (top left against top right, bottom left
        /// against bottom right, then the two winners), so values and indices are the same.
        /// </summary>
        private static void PoolOutput(float* output, in ConvGeometry g, ref Job job, int sample)
        {
            PoolGeometry pool = job.Pool;
            int filters = g.Filters;
            long pooledPlane = (long)pool.OutHeight * pool.OutWidth, filterStride = job.Batch * pooledPlane;
            float* best = stackalloc float[8];
            int* where = stackalloc int[8];
            for (int py = 0; py < pool.OutHeight; py++)
            {
                for (int px = 0; px < pool.OutWidth; px++)
                {
                    int topLeft = 2 * py * g.OutWidth + 2 * px;
                    float* tl = output + (nint)topLeft * filters, bl = tl + (nint)g.OutWidth * filters;
                    var atTl = Vector256.Create(topLeft);
                    var atBl = Vector256.Create(topLeft + g.OutWidth);
                    long at = sample * pooledPlane + py * pool.OutWidth + px;
                    for (int f = 0; f < filters; f += 8)
                    {
                        (Vector256<float> upper, Vector256<int> upperAt) =
                            Pooling.Larger(Vector256.Load(tl + f), atTl, Vector256.Load(tl + filters + f), atTl + Vector256<int>.One);
                        (Vector256<float> lower, Vector256<int> lowerAt) =
                            Pooling.Larger(Vector256.Load(bl + f), atBl, Vector256.Load(bl + filters + f), atBl + Vector256<int>.One);
                        (Vector256<float> value, Vector256<int> index) = Pooling.Larger(upper, upperAt, lower, lowerAt);
                        value.Store(best);
                        index.Store(where);
                        for (int q = 0; q < 8; q++)
                        {
                            long o = (f + q) * filterStride + at;
                            job.Pooled[o] = best[q];
                            job.Argmax[o] = where[q];
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The convolution <paramref name="g"/> of <paramref name="count"/> samples by F(2×2, 3×3), with the filters transformed
        /// into <paramref name="u"/>: input sample s at <c>x + s·H·W</c> with channel rows <paramref name="channelStride"/> apart,
        /// output sample s at <c>z + s·OH·OW</c> with filter rows <paramref name="ldz"/> apart; plus the bias (if any), then the
        /// epilogue. With <paramref name="pooledSample"/> ≥ 0, the job's fused pooling of the output is written instead of z
        /// (<see cref="PoolOutput"/>; the chunk's first sample is that one). With <paramref name="channelsLast"/>, the input
        /// samples are [H, W, C] already, one after the other (<paramref name="channelStride"/> unused). The sixteen products are
        /// shared between threads when the job says so (only ever for a forward chunk run on the calling thread).
        /// </summary>
        private static void Winograd(ref Job job, in ConvGeometry g, float* x, nint channelStride, int count, float* u, float* bias,
            Epilogue epilogue, float* z, nint ldz, int pooledSample = -1, bool channelsLast = false)
        {
            int channels = g.Channels, filters = g.Filters, plane = g.Height * g.Width, tiles = TilesHigh(g) * TilesWide(g);
            int rows = count * tiles; // T: the chunk's tiles, the rows of each product
            var scratch = new WinogradScratch(g, count);
            float* v = scratch.V, m = scratch.M, output = scratch.Output;
            for (int s = 0; s < count; s++)
            {
                float* sample = channelsLast ? Bordered(x + (nint)s * plane * channels, g, scratch)
                    : BorderedFromPlanes(x + (nint)s * plane, channelStride, g, scratch);
                TransformInput(sample, g, v + (nint)s * tiles * channels, (nint)rows * channels);
            }
            var products = new TileProducts(v, u, m, rows, channels, filters);
            if (job.WinogradThreads > 1)
            {
                // Only for a forward job's single chunk, run on the calling thread: the job is this chunk's alone.
                job.Products = products;
                fixed (Job* state = &job)
                {
                    WorkerPool.Run(WinogradPoints, job.WinogradThreads, &SharedProduct, state);
                }
            }
            else
            {
                for (int point = 0; point < WinogradPoints; point++)
                {
                    products.Multiply(point);
                }
            }
            for (int s = 0; s < count; s++)
            {
                TransformOutput(m + (nint)s * tiles * filters, (nint)rows * filters, g, bias, epilogue, output);
                if (pooledSample >= 0)
                {
                    PoolOutput(output, g, ref job, pooledSample + s);
                }
                else
                {
                    Transpose.Copy(output, g.OutPositions, filters, filters, z + (nint)s * g.OutPositions, ldz);
                }
            }
        }

        private static void SharedProduct(void* state, int point) => ((Job*)state)->Products.Multiply(point);

        /// <summary>A chunk's sixteen products M[ξ] = V[ξ]·U[ξ], [T, C]·[C, F] (U's points <see cref="FilterPoint"/> apart).</summary>
        private readonly struct TileProducts
        {
            private readonly float* _v, _u, _m;
            private readonly int _rows, _channels, _filters;

            public TileProducts(float* v, float* u, float* m, int rows, int channels, int filters)
            {
                _v = v;
                _u = u;
                _m = m;
                _rows = rows;
                _channels = channels;
                _filters = filters;
            }

            /// <summary>The product of point <paramref name="point"/>.</summary>
            public void Multiply(int point) =>
                Gemm.SerialNN(_rows, _filters, _channels, _v + (nint)point * _rows * _channels, _channels, _u + point * FilterPoint(_channels, _filters),
                    _filters, _m + (nint)point * _rows * _filters, _filters, accumulate: false, Epilogue.None, null);
        }

        /// <summary>
        /// One sample's input as [2·TH + 2, 2·TW + 2, C] with its padding (and anything past the last tile) as zeros, so every
        /// tile reads inside it: the channel planes at <paramref name="x"/> (<paramref name="channelStride"/> apart) transposed to
        /// [H, W, C] by 8×8 blocks, then copied row by row into the zero border.
        /// </summary>
        private static float* BorderedFromPlanes(float* x, nint channelStride, in ConvGeometry g, in WinogradScratch scratch)
        {
            Transpose.Copy(x, g.Channels, g.Height * g.Width, channelStride, scratch.Unpadded, g.Channels);
            return Bordered(scratch.Unpadded, g, scratch);
        }

        /// <summary>The zero-bordered copy of a sample that is [H, W, C] already (see <see cref="BorderedFromPlanes"/>).</summary>
        private static float* Bordered(float* unpadded, in ConvGeometry g, in WinogradScratch scratch)
        {
            int channels = g.Channels, height = PaddedHeight(g), width = PaddedWidth(g);
            int left = Math.Min(g.PadLeft, width), columns = Math.Min(g.Width, width - left);
            nint rowLength = (nint)width * channels;
            for (int r = 0; r < height; r++)
            {
                float* row = scratch.Padded + r * rowLength;
                int y = r - g.PadTop;
                if (y < 0 || y >= g.Height)
                {
                    new Span<float>(row, (int)rowLength).Clear();
                    continue;
                }
                new Span<float>(row, left * channels).Clear();
                new ReadOnlySpan<float>(unpadded + (nint)y * g.Width * channels, columns * channels).CopyTo(new Span<float>(row + left * channels, columns * channels));
                new Span<float>(row + (left + columns) * channels, (width - left - columns) * channels).Clear();
            }
            return scratch.Padded;
        }

        /// <summary>
        /// V[ξ, t, c] = (Bᵀ·d·B)[ξ] for every tile t of one sample and every channel: d is the 4×4 block at (2·ty, 2·tx) of
        /// the sample's zero-bordered copy (<see cref="Bordered"/>).
        /// </summary>
        private static void TransformInput(float* sample, in ConvGeometry g, float* v, nint point)
        {
            int channels = g.Channels, tilesWide = TilesWide(g), tilesHigh = TilesHigh(g);
            nint rowStride = (nint)PaddedWidth(g) * channels;
            for (int ty = 0; ty < tilesHigh; ty++)
            {
                for (int tx = 0; tx < tilesWide; tx++)
                {
                    float* corner = sample + 2 * ty * rowStride + (nint)(2 * tx) * channels;
                    float* target = v + (nint)(ty * tilesWide + tx) * channels;
                    for (int c = 0; c < channels; c += 8)
                    {
                        InputTile(corner + c, rowStride, channels, target + c, point);
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

        /// <summary>
        /// A chunk's share of the weight gradient by F(2×2, 3×3) turned around: the forward product is
        /// <c>Y = Aᵀ·[(G·w·Gᵀ) ⊙ (Bᵀ·d·B)]·A</c>, so <c>∂L/∂w = Gᵀ·[(A·∂Y·Aᵀ) ⊙ (Bᵀ·d·B)]·G</c> summed over tiles. Per chunk:
        /// V [16, T, C] from x exactly as forward, Z [16, T, F] from ∂L/∂z's 2×2 tiles (zero past the plane), and
        /// Ŵ[ξ] (+)= Z[ξ]ᵀ·V[ξ] into the group's partial <paramref name="partial"/> [16, F, C];
        /// <see cref="WeightGradientFromTiles"/> finishes dW once the partials are summed. ∂L/∂z is [F, positions] with rows
        /// <paramref name="ldz"/> apart, or with <paramref name="channelsLast"/> [count, OH·OW, F] (<see cref="RouteToTiles"/>).
        /// </summary>
        private static void WinogradWeightGradient(ref Job job, int first, int count, float* dz, nint ldz, float* partial, bool accumulate,
            bool channelsLast)
        {
            ConvGeometry g = job.Geometry;
            int channels = g.Channels, filters = g.Filters, plane = g.Height * g.Width, tiles = TilesHigh(g) * TilesWide(g);
            int rows = count * tiles;
            var scratch = new WinogradScratch(g, count);
            float* v = scratch.V, zt = scratch.M, gradient = scratch.Output; // Z [16, T, F]; ∂L/∂z as [OH·OW, F]
            long channelStride = (long)job.Batch * plane;
            for (int s = 0; s < count; s++)
            {
                float* sample = BorderedFromPlanes(job.X + (first + s) * (long)plane, (nint)channelStride, g, scratch);
                TransformInput(sample, g, v + (nint)s * tiles * channels, (nint)rows * channels);
                float* sampleGradient = gradient;
                if (channelsLast)
                {
                    sampleGradient = dz + (nint)s * g.OutPositions * filters;
                }
                else
                {
                    Transpose.Copy(dz + (nint)s * g.OutPositions, filters, g.OutPositions, ldz, gradient, filters);
                }
                TransformGradient(sampleGradient, g, zt + (nint)s * tiles * filters, (nint)rows * filters);
            }
            for (int point = 0; point < WinogradPoints; point++)
            {
                Gemm.SerialTN(filters, channels, rows, zt + (nint)point * rows * filters, filters, v + (nint)point * rows * channels, channels,
                    partial + (nint)point * filters * channels, channels, accumulate);
            }
        }

        /// <summary>
        /// Z[ξ, t, f] = (A·δ·Aᵀ)[ξ] for every 2×2 tile δ of one sample's ∂L/∂z ([OH·OW, F]; zero past the plane's last row or
        /// column), A's rows (1, 0), (1, 1), (1, −1), (0, −1): the adjoint of the forward's output transform.
        /// </summary>
        private static void TransformGradient(float* gradient, in ConvGeometry g, float* z, nint point)
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
                    float* source = gradient + y * rowStride + (nint)x * filters;
                    float* target = z + (nint)(ty * tilesWide + tx) * filters;
                    for (int f = 0; f < filters; f += 8)
                    {
                        float* at = source + f;
                        Vector256<float> d00 = Vector256.Load(at);
                        Vector256<float> d01 = right ? Vector256.Load(at + filters) : Vector256<float>.Zero;
                        Vector256<float> d10 = bottom ? Vector256.Load(at + rowStride) : Vector256<float>.Zero;
                        Vector256<float> d11 = bottom && right ? Vector256.Load(at + rowStride + filters) : Vector256<float>.Zero;
                        // Down the columns: a = A·δ, [4, 2]; then along the rows: Z = a·Aᵀ.
                        GradientRow(d00, d01, target + f, point);
                        GradientRow(d00 + d10, d01 + d11, target + f + 4 * point, point);
                        GradientRow(d00 - d10, d01 - d11, target + f + 8 * point, point);
                        GradientRow(-d10, -d11, target + f + 12 * point, point);
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void GradientRow(Vector256<float> a, Vector256<float> b, float* target, nint point)
        {
            a.Store(target);
            (a + b).Store(target + point);
            (a - b).Store(target + 2 * point);
            (-b).Store(target + 3 * point);
        }

        /// <summary>
        /// dW[f, c, 3×3] = Gᵀ·Ŵ[:, f, c]·G from the summed Ŵ [16, F, C], Gᵀ's rows (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1):
        /// eight channels at a time, their nine taps each stored through a small block on the stack (once a step).
        /// </summary>
        private static void WeightGradientFromTiles(float* transformed, in ConvGeometry g, float* weightGrad)
        {
            int filters = g.Filters, channels = g.Channels;
            nint point = (nint)filters * channels;
            Span<Vector256<float>> t = stackalloc Vector256<float>[12]; // Gᵀ·X, [3, 4]
            float* taps = stackalloc float[9 * 8];
            var half = Vector256.Create(0.5f);
            for (int f = 0; f < filters; f++)
            {
                for (int c = 0; c < channels; c += 8)
                {
                    float* x = transformed + (nint)f * channels + c;
                    for (int j = 0; j < 4; j++)
                    {
                        Vector256<float> x0 = Vector256.Load(x + j * point), x1 = Vector256.Load(x + (4 + j) * point);
                        Vector256<float> x2 = Vector256.Load(x + (8 + j) * point), x3 = Vector256.Load(x + (12 + j) * point);
                        Vector256<float> sum = (x1 + x2) * half;
                        t[j] = x0 + sum;
                        t[4 + j] = (x1 - x2) * half;
                        t[8 + j] = sum + x3;
                    }
                    for (int r = 0; r < 3; r++)
                    {
                        Vector256<float> sum = (t[4 * r + 1] + t[4 * r + 2]) * half;
                        (t[4 * r] + sum).Store(taps + (3 * r) * 8);
                        ((t[4 * r + 1] - t[4 * r + 2]) * half).Store(taps + (3 * r + 1) * 8);
                        (sum + t[4 * r + 3]).Store(taps + (3 * r + 2) * 8);
                    }
                    for (int q = 0; q < 8; q++)
                    {
                        float* target = weightGrad + ((nint)f * channels + c + q) * 9;
                        for (int k = 0; k < 9; k++)
                        {
                            target[k] = taps[k * 8 + q];
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Whether the backward job takes ∂L/∂z straight from the fused pooling as [count, OH·OW, F] (<see cref="RouteToTiles"/>):
        /// a Winograd weight gradient under a 2×2 stride-2 pooling, and ∂L/∂x (if wanted) by Winograd too.
        /// </summary>
        private static bool TakesTiledGradient(ref Job job) =>
            job.WeightGradient && job.Route == GradientRoute.Winograd && job.Argmax is not null && PoolsTiles(job.Pool)
            && (job.Dx is null || job.InputGradientFilters is not null);

        /// <summary>
        /// ∂L/∂z of samples [first, first + count) as [count, OH·OW, F] from the fused pooling's gradient: each pooled gradient,
        /// times the activation's derivative (read from the sign of the pooled output, as <see cref="Pooling"/> does), goes to
        /// its window's maximum, every other position is zero; db (+)= the routed values, filter by filter.
        /// </summary>
        private static void RouteToTiles(ref Job job, int first, int count, float* dz, float* db, bool accumulate)
        {
            ConvGeometry g = job.Geometry;
            int filters = g.Filters;
            long pooledPlane = (long)job.Pool.OutHeight * job.Pool.OutWidth;
            nint sampleLength = (nint)g.OutPositions * filters;
            new Span<float>(dz, (int)(count * sampleLength)).Clear();
            for (int f = 0; f < filters; f++)
            {
                float sum = 0;
                for (int s = 0; s < count; s++)
                {
                    long at = ((long)f * job.Batch + first + s) * pooledPlane;
                    float* grads = job.PooledGrad + at, target = dz + s * sampleLength + f;
                    int* winners = job.Argmax + at;
                    for (int p = 0; p < pooledPlane; p++)
                    {
                        float grad = grads[p];
                        if (job.Gated && !(job.Pooled[at + p] > 0))
                        {
                            grad *= job.GateSlope;
                        }
                        target[(nint)winners[p] * filters] += grad;
                        sum += grad;
                    }
                }
                db[f] = accumulate ? db[f] + sum : sum;
            }
        }
    }
}

using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// 2-D convolution on channel-major tensors (<c>[C, B, H, W]</c>) through the GEMM kernels, a few
    /// samples at a time: each chunk of samples is unfolded into a thread's own small <c>col</c>
    /// (im2col, <c>[C·k·k, S·OH·OW]</c>, sized to stay in the core's L2 cache) and multiplied by the
    /// filters there, <c>y[F, S·OH·OW] = W·col</c>. The unfolded batch is never written to memory (for
    /// a 32→64 3×3 layer at batch 64 it would be 9 MB, written once and read three times per step);
    /// the backward pass unfolds each chunk again, which costs less than reading it back. A 3×3, stride-1 layer that fits
    /// Winograd's F(2×2, 3×3) runs its chunks through sixteen tile products instead (Conv2D.Winograd.cs), with no im2col.
    /// <para>
    /// Chunks are fixed by the geometry and batch, never by the thread count, and the weight gradient
    /// adds per-group partial products in a fixed order, so results are bit-identical on any number
    /// of threads. When the samples make fewer chunks than there are threads (one sample at inference), the
    /// forward product of a chunk is also split by blocks of filters, whose edges fall on the kernels' row tiles
    /// (by Winograd's sixteen products where that runs).
    /// </para>
    /// </summary>
    public static unsafe partial class Conv2D
    {
        /// <summary>Bytes of unfolded input per chunk: a third of this machine class's 1 MB L2, leaving room for the rest.</summary>
        private const int ChunkBytes = 384 * 1024;

        /// <summary>
        /// Filters (rows of W) per block when the forward product of a chunk is split between threads by filters: 12, a multiple
        /// of every broadcast kernel's main row tile (12 with AVX-512, 6 with AVX2 and Vector128). The last block takes the
        /// filters past the last multiple of 12 (see <see cref="FilterRange"/>), so every part is tiled as the whole product is
        /// and each output gets the same bits as without the split.
        /// </summary>
        private const int FilterBlock = 12;

        /// <summary>Below this many floating-point operations per thread, a forward product is not split by filters.</summary>
        private const long MinFlopsPerFilterPart = 1_000_000;

        /// <summary>Weight-gradient partial sums: chunks are split into at most this many groups.</summary>
        private const int MaxGroups = 8;

        /// <summary>Each thread's unfolded chunk, later its Wᵀ·dz (pinned, grown once to the largest layer it has run).</summary>
        [ThreadStatic]
        private static AlignedBuffer? t_col;

        /// <summary>Each thread's chunk of convolution output or of its gradient, when max pooling is fused.</summary>
        [ThreadStatic]
        private static AlignedBuffer? t_out;

        /// <summary>The calling thread's per-group partial weight and bias gradients.</summary>
        [ThreadStatic]
        private static AlignedBuffer? t_partials;

        private struct Job
        {
            public ConvGeometry Geometry, InputGradientGeometry;
            public PoolGeometry Pool;
            public int Batch, Samples, Chunks, Groups, FilterParts;
            public float* X, W, Bias, Z, Y, Dz, Dx, Partials;
            public float* Pooled, PooledGrad;
            public float* WinogradFilters, InputGradientFilters;
            public int WinogradThreads;
            public TileProducts Products;
            public int* Argmax;
            public float GateSlope;
            public bool Gated, WeightGradient;
            public GradientRoute Route;
            public Epilogue Epilogue;
            public Activation Activation;
        }

        /// <summary>
        /// How a chunk's share of the weight gradient is multiplied (each measured faster than the others on its shapes, with
        /// AVX-512 and with AVX2; the dot products run over the chunk's S·OH·OW positions, only a few hundred for a deep
        /// layer's small planes, where a dot tile's closing horizontal sums cost as much as its multiply-adds).
        /// </summary>
        private enum GradientRoute
        {
            /// <summary><c>dW[F, taps] = dz·colᵀ</c> by dot tiles: the general case.</summary>
            Filters,

            /// <summary><c>dWᵀ[taps, F] = col·dzᵀ</c> by dot tiles: few taps per filter (a first layer on one channel), whose rows fill the tiles better.</summary>
            FewTaps,

            /// <summary>
            /// <c>dWᵀ[taps, F] = col·(dzᵀ)</c> by broadcast tiles over ∂L/∂z transposed into scratch: filters a multiple of 16
            /// (whole vectors at every width) and at least 64 taps, so the transposition is small beside the product
            /// (32→64 3×3 over 2 samples: 77 → 98 GFLOP/s on one Zen 4 core, transposition included; 128→256 3×3: 67 → 105).
            /// </summary>
            TransposedDz,

            /// <summary>
            /// Winograd's F(2×2, 3×3) turned around (see Conv2D.Winograd.cs): per point ξ, <c>Ŵ[ξ] = Z[ξ]ᵀ·V[ξ]</c> over the
            /// chunk's tiles, <c>[F, T]·[T, C]</c>, and <c>dW = Gᵀ·Ŵ·G</c> once at the end: 3×3 stride-1 layers that fit
            /// <see cref="WinogradFits"/>.
            /// </summary>
            Winograd,
        }

        /// <summary>The route for a layer's weight gradient (see <see cref="GradientRoute"/>).</summary>
        private static GradientRoute RouteFor(in ConvGeometry g)
        {
            if (WinogradFits(g))
            {
                return GradientRoute.Winograd;
            }
            if (g.PatchSize < g.Filters && g.PatchSize < 16 && g.Filters <= 256)
            {
                return GradientRoute.FewTaps;
            }
            return g.Filters % 16 == 0 && g.PatchSize >= 64 ? GradientRoute.TransposedDz : GradientRoute.Filters;
        }

        /// <summary>Samples per chunk: as many as fit <see cref="ChunkBytes"/> unfolded, at least one.</summary>
        internal static int SamplesPerChunk(in ConvGeometry g, int batch)
        {
            long perSample = (long)g.PatchSize * g.OutPositions * sizeof(float);
            return (int)Math.Clamp(ChunkBytes / perSample, 1, Math.Max(1, batch));
        }

        /// <summary>
        /// <c>z = W·im2col(x) + b</c> and <c>y = activation(z)</c> (<paramref name="y"/> may be <paramref name="z"/>:
        /// ReLU and LeakyReLU are then applied as each tile is stored).
        /// </summary>
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
            Span<float> z, Span<float> y, int batch, in ConvGeometry g, Activation activation)
        {
            long n = (long)batch * g.OutPositions;
            CheckInputs(x, weight, bias, batch, g);
            CheckLength(z.Length, g.Filters * n, nameof(z));
            CheckLength(y.Length, g.Filters * n, nameof(y));
            bool inPlace = z.Overlaps(y, out int offset) && offset == 0;
            Epilogue fused = inPlace ? StoreEpilogue(activation) : Epilogue.None;
            if (batch == 0)
            {
                return;
            }
            fixed (float* px = x, pw = weight, pb = bias, pz = z, py = y)
            {
                var job = NewJob(g, batch, groups: false);
                job.X = px;
                job.W = pw;
                job.Bias = bias.IsEmpty ? null : pb;
                job.Z = pz;
                job.Y = py;
                job.Epilogue = fused;
                job.Activation = fused == Epilogue.None ? activation : Activation.None;
                RunForward(ref job);
            }
        }

        /// <summary>
        /// A convolution with its activation (None, ReLU or LeakyReLU), then max pooling, a chunk of samples
        /// at a time: the convolution's output never leaves the core's cache; only the pooled maxima
        /// (<paramref name="pooled"/>, [F, B, PH, PW]) and where each came from (<paramref name="argmax"/>,
        /// the index in its plane) are written. <see cref="BackwardMaxPool"/> is its gradient.
        /// </summary>
        public static void ForwardMaxPool(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
            Span<float> pooled, Span<int> argmax, int batch, in ConvGeometry g, Activation activation, in PoolGeometry pool)
        {
            CheckInputs(x, weight, bias, batch, g);
            CheckPool(pooled.Length, argmax.Length, batch, g, activation, pool);
            if (batch == 0)
            {
                return;
            }
            fixed (float* px = x, pw = weight, pb = bias, pp = pooled)
            fixed (int* pa = argmax)
            {
                var job = NewJob(g, batch, groups: false);
                job.X = px;
                job.W = pw;
                job.Bias = bias.IsEmpty ? null : pb;
                job.Epilogue = StoreEpilogue(activation);
                job.Pool = pool;
                job.Pooled = pp;
                job.Argmax = pa;
                RunForward(ref job);
            }
        }

        /// <summary><c>dW = dz·im2col(x)ᵀ</c> and <c>db[f] = Σ dz[f, :]</c>, overwritten; <paramref name="x"/> is the layer's input.</summary>
        public static void BackwardParameters(ReadOnlySpan<float> dz, ReadOnlySpan<float> x, Span<float> weightGrad, Span<float> biasGrad,
            int batch, in ConvGeometry g)
        {
            CheckLength(dz.Length, (long)g.Filters * batch * g.OutPositions, nameof(dz));
            CheckLength(x.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(x));
            fixed (float* pdz = dz, px = x)
            {
                var job = NewJob(g, batch, groups: true);
                job.Dz = pdz;
                job.X = px;
                RunWeightGradient(ref job, weightGrad, biasGrad);
            }
        }

        /// <summary><c>dx = col2im(Wᵀ·dz)</c>, overwritten.</summary>
        public static void BackwardInput(ReadOnlySpan<float> dz, ReadOnlySpan<float> weight, Span<float> dx, int batch, in ConvGeometry g)
        {
            CheckLength(dz.Length, (long)g.Filters * batch * g.OutPositions, nameof(dz));
            CheckLength(weight.Length, (long)g.Filters * g.PatchSize, nameof(weight));
            CheckLength(dx.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(dx));
            if (batch == 0)
            {
                return;
            }
            fixed (float* pdz = dz, pw = weight, pdx = dx)
            {
                var job = NewJob(g, batch, groups: false);
                job.Dz = pdz;
                job.W = pw;
                job.Dx = pdx;
                PrepareInputGradient(ref job);
                WorkerPool.Run(job.Groups, Threads(g, batch), &BackwardGroup, &job);
            }
        }

        /// <summary>
        /// The gradient of <see cref="ForwardMaxPool"/>, a chunk of samples at a time: the pooled gradient
        /// <paramref name="pooledGrad"/> is routed to each window's maximum, times the activation's
        /// derivative (read from the sign of <paramref name="pooled"/>), into a chunk of ∂L/∂z that stays
        /// in cache; from it come <c>dW</c>, <c>db</c> and, unless <paramref name="dx"/> is empty, <c>dx</c> (all overwritten).
        /// </summary>
        public static void BackwardMaxPool(ReadOnlySpan<float> pooledGrad, ReadOnlySpan<int> argmax, ReadOnlySpan<float> pooled,
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> weightGrad, Span<float> biasGrad, Span<float> dx,
            int batch, in ConvGeometry g, Activation activation, in PoolGeometry pool)
        {
            CheckPool(pooled.Length, argmax.Length, batch, g, activation, pool);
            CheckLength(pooledGrad.Length, (long)g.Filters * batch * pool.OutHeight * pool.OutWidth, nameof(pooledGrad));
            CheckLength(x.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(x));
            CheckLength(weight.Length, (long)g.Filters * g.PatchSize, nameof(weight));
            if (!dx.IsEmpty)
            {
                CheckLength(dx.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(dx));
            }
            fixed (float* pg = pooledGrad, pp = pooled, px = x, pw = weight, pdx = dx)
            fixed (int* pa = argmax)
            {
                var job = NewJob(g, batch, groups: true);
                job.X = px;
                job.W = pw;
                job.Dx = dx.IsEmpty ? null : pdx;
                job.Pool = pool;
                job.Pooled = pp;
                job.PooledGrad = pg;
                job.Argmax = pa;
                job.Gated = activation != Activation.None;
                job.GateSlope = Pooling.GateSlope(activation);
                PrepareInputGradient(ref job);
                RunWeightGradient(ref job, weightGrad, biasGrad);
            }
        }

        /// <summary>
        /// When the job wants ∂L/∂x and the layer's gradient convolution fits Winograd's F(2×2, 3×3), its geometry and turned,
        /// transformed filters (computed once, here, for every worker); otherwise ∂L/∂x goes by Wᵀ·dz and col2im.
        /// </summary>
        private static void PrepareInputGradient(ref Job job)
        {
            if (job.Dx is not null && job.Batch > 0 && InputGradientGeometry(job.Geometry) is ConvGeometry gradient)
            {
                job.InputGradientGeometry = gradient;
                job.InputGradientFilters = TransformFlippedFilters(job.W, job.Geometry);
            }
        }

        /// <summary>Runs the job's groups (each adding its chunks' dW and db into its own partial), then adds the partials in group order.</summary>
        private static void RunWeightGradient(ref Job job, Span<float> weightGrad, Span<float> biasGrad)
        {
            ConvGeometry g = job.Geometry;
            int weights = g.Filters * g.PatchSize;
            CheckLength(weightGrad.Length, weights, nameof(weightGrad));
            if (!biasGrad.IsEmpty)
            {
                CheckLength(biasGrad.Length, g.Filters, nameof(biasGrad));
            }
            if (job.Batch == 0)
            {
                weightGrad.Slice(0, weights).Clear();
                if (!biasGrad.IsEmpty)
                {
                    biasGrad.Slice(0, g.Filters).Clear();
                }
                return;
            }
            job.Route = RouteFor(g);
            job.WeightGradient = true;
            int partialWeights = PartialWeights(g, job.Route), perGroup = partialWeights + g.Filters;
            Span<float> partials = Scratch(ref t_partials, (long)job.Groups * perGroup);
            fixed (float* pp = partials)
            fixed (Job* state = &job)
            {
                job.Partials = pp;
                WorkerPool.Run(job.Groups, Threads(g, job.Batch), &BackwardGroup, state);
            }
            Span<float> sum = partials.Slice(0, perGroup);
            for (int group = 1; group < job.Groups; group++)
            {
                TensorPrimitives.Add(sum, partials.Slice(group * perGroup, perGroup), sum);
            }
            if (job.Route == GradientRoute.Winograd)
            {
                fixed (float* transformed = sum, pw = weightGrad)
                {
                    WeightGradientFromTiles(transformed, g, pw);
                }
            }
            else if (job.Route != GradientRoute.Filters)
            {
                // The partials hold dWᵀ, [taps, filters].
                fixed (float* transposed = sum, pw = weightGrad)
                {
                    Transpose.Copy(transposed, g.PatchSize, g.Filters, g.Filters, pw, g.PatchSize);
                }
            }
            else
            {
                sum.Slice(0, weights).CopyTo(weightGrad);
            }
            if (!biasGrad.IsEmpty)
            {
                sum.Slice(partialWeights, g.Filters).CopyTo(biasGrad);
            }
        }

        /// <summary>Floats of a group's partial weight gradient on <paramref name="route"/>: dW or dWᵀ, or Ŵ [16, F, C].</summary>
        private static int PartialWeights(in ConvGeometry g, GradientRoute route) =>
            route == GradientRoute.Winograd ? WinogradPoints * g.Filters * g.Channels : g.Filters * g.PatchSize;

        /// <summary>Chunks of samples in a fixed split; with <paramref name="groups"/>, at most <see cref="MaxGroups"/> groups of them, else one chunk per group.</summary>
        private static Job NewJob(in ConvGeometry g, int batch, bool groups)
        {
            int samples = SamplesPerChunk(g, batch);
            int chunks = (batch + samples - 1) / samples;
            return new Job { Geometry = g, Batch = batch, Samples = samples, Chunks = chunks, Groups = groups ? Math.Min(chunks, MaxGroups) : chunks };
        }

        /// <summary>
        /// Runs the forward job: a work item per chunk of samples — or, when the samples make fewer chunks than there are
        /// threads (one sample at inference), per chunk and part of the filters, each part unfolding its chunk for itself.
        /// </summary>
        private static void RunForward(ref Job job)
        {
            ConvGeometry g = job.Geometry;
            if (WinogradFits(g))
            {
                RunWinograd(ref job);
                return;
            }
            job.FilterParts = FilterPartsFor(g, job.Chunks, job.Batch);
            int items = job.Chunks * job.FilterParts;
            int threads = job.FilterParts > 1 ? Math.Min(Parallelism.MaxThreads, items) : Threads(g, job.Batch);
            fixed (Job* state = &job)
            {
                WorkerPool.Run(items, threads, &ForwardPart, state);
            }
        }

        /// <summary>
        /// Parts of the filters per chunk: one, unless the chunks leave threads idle and each part would still have at least
        /// <see cref="MinFlopsPerFilterPart"/> of work; parts are whole <see cref="FilterBlock"/>s.
        /// </summary>
        private static int FilterPartsFor(in ConvGeometry g, int chunks, int batch)
        {
            int threads = Parallelism.MaxThreads;
            if (chunks >= threads)
            {
                return 1;
            }
            long flops = 2L * g.Filters * g.PatchSize * batch * g.OutPositions;
            int byWork = (int)Math.Min(threads, flops / MinFlopsPerFilterPart);
            int wanted = (Math.Max(1, byWork) + chunks - 1) / chunks;
            return Math.Clamp(wanted, 1, FilterBlocks(g.Filters));
        }

        /// <summary>Whole blocks of <see cref="FilterBlock"/> filters (at least one): the last also takes the 0–11 filters past them.</summary>
        private static int FilterBlocks(int filters) => Math.Max(1, filters / FilterBlock);

        /// <summary>
        /// The filters part <paramref name="part"/> of <paramref name="parts"/> (at most <see cref="FilterBlocks"/>) owns: from
        /// the multiple of 12 nearest its even share, the last part running to the last filter with at least 12 of them. A part
        /// never consists of a short block alone, whose rows could be tiled otherwise than in the whole product: AVX2 and
        /// Vector128 tile 14 rows as 6 + 4 + 4, but 2 rows alone as two single rows, which add in another order.
        /// </summary>
        private static (int First, int Count) FilterRange(int filters, int part, int parts)
        {
            int first = Start(part), end = part == parts - 1 ? filters : Start(part + 1);
            return (first, end - first);

            // Strictly increasing in p (both terms are), 0 at p = 0, at most 12·(blocks − 1) at the last part.
            int Start(int p) => FilterBlock * Math.Min((int)Math.Round((double)p * filters / (FilterBlock * parts)), FilterBlocks(filters) - parts + p);
        }

        private static int Threads(in ConvGeometry g, int batch) => Parallelism.ThreadsForPass((long)g.PatchSize * batch * g.OutPositions);

        private static Epilogue StoreEpilogue(Activation activation) => activation switch
        {
            Activation.ReLU => Epilogue.ReLU,
            Activation.LeakyReLU => Epilogue.LeakyReLU,
            _ => Epilogue.None,
        };

        /// <summary>
        /// One work item: a chunk's samples and a part of the filters (all of them, unless <see cref="RunForward"/> split
        /// them): z[filters, chunk] = W[filters]·col + b[filters], then the activation if not fused; with max pooling, z stays
        /// in this thread's scratch and only the pooling is written.
        /// </summary>
        private static void ForwardPart(void* state, int item)
        {
            ref Job job = ref *(Job*)state;
            ConvGeometry g = job.Geometry;
            int chunk = item / job.FilterParts;
            (int firstFilter, int filters) = FilterRange(g.Filters, item % job.FilterParts, job.FilterParts);
            int first = chunk * job.Samples, count = Math.Min(job.Samples, job.Batch - first);
            int columns = count * g.OutPositions;
            bool winograd = job.WinogradFilters is not null;
            float* col = winograd ? null : Unfold(ref job, first, count);
            float* w = job.W + (long)firstFilter * g.PatchSize;
            float* bias = job.Bias is null ? null : job.Bias + firstFilter;
            if (job.Argmax is not null && winograd && PoolsTiles(job.Pool))
            {
                WinogradPooledChunk(ref job, first, count);
                return;
            }
            if (job.Argmax is not null)
            {
                float* z = Pointer(Scratch(ref t_out, (long)filters * columns));
                if (winograd)
                {
                    WinogradChunk(ref job, first, count, z, columns);
                }
                else
                {
                    Gemm.SerialNN(filters, columns, g.PatchSize, w, g.PatchSize, col, columns, z, columns, accumulate: false, job.Epilogue, bias);
                }
                long pooledPlane = (long)job.Pool.OutHeight * job.Pool.OutWidth;
                for (int f = 0; f < filters; f++)
                {
                    long at = ((long)(firstFilter + f) * job.Batch + first) * pooledPlane;
                    Pooling.MaxForwardPlanes(z + (long)f * columns, job.Pooled + at, job.Argmax + at, count, job.Pool);
                }
                return;
            }
            long rowLength = (long)job.Batch * g.OutPositions, offset = (long)first * g.OutPositions;
            if (winograd)
            {
                WinogradChunk(ref job, first, count, job.Z + offset, (nint)rowLength);
            }
            else
            {
                Gemm.SerialNN(filters, columns, g.PatchSize, w, g.PatchSize, col, columns, job.Z + firstFilter * rowLength + offset, (nint)rowLength,
                    accumulate: false, job.Epilogue, bias);
            }
            if (job.Activation != Activation.None)
            {
                for (int f = firstFilter; f < firstFilter + filters; f++)
                {
                    long at = f * rowLength + offset;
                    Activations.Apply(job.Activation, new ReadOnlySpan<float>(job.Z + at, columns), new Span<float>(job.Y + at, columns));
                }
            }
        }

        /// <summary>
        /// One group of chunks, in order. Per chunk: ∂L/∂z (from the job, or routed back through the fused
        /// max pooling into this thread's scratch — as [F, positions], or as [count, OH·OW, F] where the
        /// Winograd transforms read it, <see cref="TakesTiledGradient"/>); its share of dW and db added to the
        /// group's partial (when the job wants them); and dx of its samples (when it wants that), by Winograd
        /// or as col2im(Wᵀ·dz).
        /// </summary>
        private static void BackwardGroup(void* state, int group)
        {
            ref Job job = ref *(Job*)state;
            ConvGeometry g = job.Geometry;
            int weights = PartialWeights(g, job.Route);
            float* dw = job.WeightGradient ? job.Partials + (long)group * (weights + g.Filters) : null, db = dw + weights;
            int firstChunk = (int)((long)group * job.Chunks / job.Groups), endChunk = (int)((long)(group + 1) * job.Chunks / job.Groups);
            bool tiled = TakesTiledGradient(ref job);
            for (int chunk = firstChunk; chunk < endChunk; chunk++)
            {
                int first = chunk * job.Samples, count = Math.Min(job.Samples, job.Batch - first);
                int columns = count * g.OutPositions;
                float* dz;
                nint ldz;
                if (tiled)
                {
                    // ∂L/∂z as [count, OH·OW, F], as the Winograd transforms read it, with db from the same values.
                    dz = Pointer(Scratch(ref t_out, (long)g.Filters * columns));
                    ldz = 0; // no rows: samples are [OH·OW, F] blocks, one after the other
                    RouteToTiles(ref job, first, count, dz, db, chunk > firstChunk);
                }
                else if (job.Argmax is not null)
                {
                    dz = Pointer(Scratch(ref t_out, (long)g.Filters * columns));
                    ldz = columns;
                    long pooledPlane = (long)job.Pool.OutHeight * job.Pool.OutWidth;
                    for (int f = 0; f < g.Filters; f++)
                    {
                        long at = ((long)f * job.Batch + first) * pooledPlane;
                        Pooling.MaxBackwardPlanes(job.PooledGrad + at, job.Argmax + at, dz + (long)f * columns, count, job.Pool,
                            job.Gated ? job.Pooled + at : null, job.GateSlope);
                    }
                }
                else
                {
                    dz = job.Dz + (long)first * g.OutPositions;
                    ldz = (nint)((long)job.Batch * g.OutPositions);
                }
                if (job.WeightGradient)
                {
                    bool add = chunk > firstChunk;
                    float* col = job.Route == GradientRoute.Winograd ? null : Unfold(ref job, first, count);
                    switch (job.Route)
                    {
                        case GradientRoute.Winograd:
                            WinogradWeightGradient(ref job, first, count, dz, ldz, dw, add, tiled);
                            break;
                        case GradientRoute.TransposedDz:
                            Gemm.SerialNTAsNN(g.PatchSize, g.Filters, columns, col, columns, dz, ldz, dw, g.Filters, add);
                            break;
                        case GradientRoute.FewTaps:
                            Gemm.SerialNT(g.PatchSize, g.Filters, columns, col, columns, dz, ldz, dw, g.Filters, add);
                            break;
                        default:
                            Gemm.SerialNT(g.Filters, g.PatchSize, columns, dz, ldz, col, columns, dw, g.PatchSize, add);
                            break;
                    }
                    if (!tiled)
                    {
                        // (The routed path summed db as it routed.)
                        for (int f = 0; f < g.Filters; f++)
                        {
                            float sum = TensorPrimitives.Sum(new ReadOnlySpan<float>(dz + f * ldz, columns));
                            db[f] = add ? db[f] + sum : sum;
                        }
                    }
                }
                if (job.Dx is not null && job.InputGradientFilters is not null)
                {
                    long plane = (long)g.Height * g.Width;
                    for (int s = 0; s < count; s++)
                    {
                        float* sample = tiled ? dz + (long)s * g.OutPositions * g.Filters : dz + (long)s * g.OutPositions;
                        Winograd(ref job, job.InputGradientGeometry, sample, ldz, 1, job.InputGradientFilters, null, Epilogue.None,
                            job.Dx + (first + s) * plane, (nint)(job.Batch * plane), channelsLast: tiled);
                    }
                }
                else if (job.Dx is not null)
                {
                    // The col scratch is free again: it takes Wᵀ·dz, which is folded into the samples' planes.
                    float* dcol = Pointer(Scratch(ref t_col, (long)g.PatchSize * columns));
                    Gemm.SerialTN(g.PatchSize, columns, g.Filters, job.W, g.PatchSize, dz, ldz, dcol, columns, accumulate: false);
                    var fold = new UnfoldJob { X = job.Dx, Col = dcol, Batch = job.Batch, Geometry = g, ColRowLength = columns, FirstSample = first };
                    for (int b = first; b < first + count; b++)
                    {
                        Fold(ref fold, b);
                    }
                }
            }
        }

        /// <summary>Unfolds samples [first, first + count) into this thread's col scratch, [C·k·k, count·OH·OW].</summary>
        private static float* Unfold(ref Job job, int first, int count)
        {
            ConvGeometry g = job.Geometry;
            int columns = count * g.OutPositions;
            float* col = Pointer(Scratch(ref t_col, (long)g.PatchSize * columns));
            var unfold = new UnfoldJob { X = job.X, Col = col, Batch = job.Batch, Geometry = g, ColRowLength = columns, FirstSample = first };
            for (int b = first; b < first + count; b++)
            {
                Unfold(ref unfold, b);
            }
            return col;
        }

        /// <summary>At least <paramref name="floats"/> of a thread's pinned scratch, grown (never per step) when a larger layer needs more.</summary>
        private static Span<float> Scratch(ref AlignedBuffer? buffer, long floats) => AlignedBuffer.Grown(ref buffer, floats).Span;

        /// <summary>The address of pinned scratch.</summary>
        private static float* Pointer(Span<float> pinned) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(pinned));

        private static void CheckInputs(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int batch, in ConvGeometry g)
        {
            CheckLength(x.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(x));
            CheckLength(weight.Length, (long)g.Filters * g.PatchSize, nameof(weight));
            if (!bias.IsEmpty)
            {
                CheckLength(bias.Length, g.Filters, nameof(bias));
            }
        }

        private static void CheckPool(int pooledLength, int argmaxLength, int batch, in ConvGeometry g, Activation activation, in PoolGeometry pool)
        {
            if (pool.Height != g.OutHeight || pool.Width != g.OutWidth)
            {
                throw new ArgumentException(
                    $"The pooling reads [{pool.Height}, {pool.Width}] planes; the convolution writes [{g.OutHeight}, {g.OutWidth}].", nameof(pool));
            }
            if (!Pooling.CanGate(activation))
            {
                throw new ArgumentException($"Max pooling cannot follow a convolution with {activation} inside one kernel (only None, ReLU and LeakyReLU).", nameof(activation));
            }
            long outputs = (long)g.Filters * batch * pool.OutHeight * pool.OutWidth;
            CheckLength(pooledLength, outputs, "pooled");
            CheckLength(argmaxLength, outputs, "argmax");
        }

        private static void CheckLength(int actual, long expected, string name)
        {
            if (actual < expected)
            {
                throw new ArgumentException($"{name} has {actual} values; the convolution needs {expected}.", name);
            }
        }
    }
}

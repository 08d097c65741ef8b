using System;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// The shape of one 2-D convolution, computed by the generator: input [C, H, W], <c>F</c> filters of
    /// <c>k×k</c>, stride, zero padding (top/left; bottom/right follow from the output size) and dilation.
    /// </summary>
    public readonly struct ConvGeometry
    {
        /// <summary>Describes a convolution; throws if the output size does not follow from the rest.</summary>
        public ConvGeometry(int channels, int height, int width, int filters, int kernel, int stride, int padTop, int padLeft,
            int dilation, int outHeight, int outWidth)
        {
            if (channels < 1 || height < 1 || width < 1 || filters < 1 || kernel < 1 || stride < 1 || dilation < 1 || padTop < 0 || padLeft < 0
                || outHeight < 1 || outWidth < 1
                || (outHeight - 1) * stride - padTop + (kernel - 1) * dilation < 0 || (outWidth - 1) * stride - padLeft + (kernel - 1) * dilation < 0)
            {
                throw new ArgumentException(
                    $"Inconsistent convolution: input [{channels}, {height}, {width}], {filters} filters {kernel}×{kernel}, stride {stride}, " +
                    $"padding {padTop}/{padLeft}, dilation {dilation}, output [{outHeight}, {outWidth}].");
            }
            Channels = channels;
            Height = height;
            Width = width;
            Filters = filters;
            Kernel = kernel;
            Stride = stride;
            PadTop = padTop;
            PadLeft = padLeft;
            Dilation = dilation;
            OutHeight = outHeight;
            OutWidth = outWidth;
        }

        /// <summary>Input channels.</summary>
        public int Channels { get; }

        /// <summary>Input height.</summary>
        public int Height { get; }

        /// <summary>Input width.</summary>
        public int Width { get; }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Kernel side.</summary>
        public int Kernel { get; }

        /// <summary>Step between windows.</summary>
        public int Stride { get; }

        /// <summary>Zero rows above the input.</summary>
        public int PadTop { get; }

        /// <summary>Zero columns left of the input.</summary>
        public int PadLeft { get; }

        /// <summary>Spacing between kernel taps.</summary>
        public int Dilation { get; }

        /// <summary>Output height.</summary>
        public int OutHeight { get; }

        /// <summary>Output width.</summary>
        public int OutWidth { get; }

        /// <summary>Values in one patch: C·k·k, the length of a filter.</summary>
        public int PatchSize => Channels * Kernel * Kernel;

        /// <summary>Output positions per sample: OH·OW.</summary>
        public int OutPositions => OutHeight * OutWidth;
    }

    /// <summary>
    /// 2-D convolution on channel-major tensors (<c>[C, B, H, W]</c>): the whole batch is unfolded
    /// into <c>col[C·k·k, B·OH·OW]</c> (im2col) and multiplied once by the filters,
    /// <c>y[F, B·OH·OW] = W[F, C·k·k]·col</c>, through the GEMM seam: one large product per layer
    /// instead of one small product per sample. The weight gradient is one product along the whole
    /// batch (<c>dz·colᵀ</c>), so its sums have a fixed order whatever the thread count.
    /// </summary>
    public static unsafe class Conv2D
    {
        /// <summary><c>z = W·im2col(x) + b</c> and <c>y = activation(z)</c> (<paramref name="y"/> may be <paramref name="z"/>); <paramref name="col"/> keeps the unfolded input for the backward pass.</summary>
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> col,
            Span<float> z, Span<float> y, int batch, in ConvGeometry g, Activation activation)
        {
            int n = batch * g.OutPositions;
            Im2Col(x, col, batch, g);
            bool inPlace = z.Overlaps(y, out int offset) && offset == 0 && !y.IsEmpty;
            Epilogue fused = !inPlace ? Epilogue.None : activation switch
            {
                Activation.ReLU => Epilogue.ReLU,
                Activation.LeakyReLU => Epilogue.LeakyReLU,
                _ => Epilogue.None,
            };
            Gemm.MultiplyNN(g.Filters, n, g.PatchSize, weight, col, z, accumulate: false, fused, ReadOnlySpan<float>.Empty,
                bias.IsEmpty ? ReadOnlySpan<float>.Empty : bias.Slice(0, g.Filters));
            if (fused == Epilogue.None)
            {
                Activations.Apply(activation, z.Slice(0, g.Filters * n), y.Slice(0, g.Filters * n));
            }
        }

        /// <summary><c>dW = dz·colᵀ</c> and <c>db[f] = Σ dz[f, :]</c>, overwritten.</summary>
        public static void BackwardParameters(ReadOnlySpan<float> dz, ReadOnlySpan<float> col, Span<float> weightGrad, Span<float> biasGrad,
            int batch, in ConvGeometry g)
        {
            int n = batch * g.OutPositions;
            if (g.PatchSize < g.Filters && g.PatchSize < 16 && g.Filters <= 256)
            {
                // Few taps per filter (a first layer on one channel): the dot tiles fill better computing
                // dWᵀ = col·dzᵀ, [taps, filters], then transposing the few hundred results.
                Span<float> transposed = stackalloc float[g.PatchSize * g.Filters];
                Gemm.MultiplyNT(g.PatchSize, g.Filters, n, col, dz, transposed, accumulate: false);
                for (int t = 0; t < g.PatchSize; t++)
                {
                    for (int f = 0; f < g.Filters; f++)
                    {
                        weightGrad[f * g.PatchSize + t] = transposed[t * g.Filters + f];
                    }
                }
            }
            else
            {
                Gemm.MultiplyNT(g.Filters, g.PatchSize, n, dz, col, weightGrad, accumulate: false);
            }
            if (!biasGrad.IsEmpty)
            {
                for (int f = 0; f < g.Filters; f++)
                {
                    biasGrad[f] = TensorPrimitives.Sum(dz.Slice(f * n, n));
                }
            }
        }

        /// <summary><c>dx = col2im(Wᵀ·dz)</c>, overwritten; <paramref name="dcol"/> is scratch of the col size (the col buffer may be reused once the weight gradient is done).</summary>
        public static void BackwardInput(ReadOnlySpan<float> dz, ReadOnlySpan<float> weight, Span<float> dcol, Span<float> dx,
            int batch, in ConvGeometry g)
        {
            int n = batch * g.OutPositions;
            Gemm.MultiplyTNByColumns(g.PatchSize, n, g.Filters, weight, dz, dcol);
            Col2Im(dcol, dx, batch, g);
        }

        private struct UnfoldJob
        {
            public float* X, Col;
            public int Batch;
            public ConvGeometry Geometry;
        }

        /// <summary>col[(c,i,j), (b,oh,ow)] = x[c, b, oh·s − pt + i·d, ow·s − pl + j·d], or 0 in the padding.</summary>
        public static void Im2Col(ReadOnlySpan<float> x, Span<float> col, int batch, in ConvGeometry g)
        {
            CheckLength(x.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(x));
            CheckLength(col.Length, (long)g.PatchSize * batch * g.OutPositions, nameof(col));
            fixed (float* px = x, pcol = col)
            {
                var job = new UnfoldJob { X = px, Col = pcol, Batch = batch, Geometry = g };
                // One block per sample: its columns of col, the same columns the product then splits
                // between cores (from the front and from the back), so each core reads what it wrote.
                WorkerPool.Run(batch, Threads(g.PatchSize * (long)batch * g.OutPositions), &UnfoldSample, &job);
            }
        }

        private static void UnfoldSample(void* state, int b) => Unfold(ref *(UnfoldJob*)state, b);

        private static void Unfold(ref UnfoldJob job, int b)
        {
            ConvGeometry g = job.Geometry;
            long rowLength = (long)job.Batch * g.OutPositions;
            for (int row = 0; row < g.PatchSize; row++)
            {
                int c = row / (g.Kernel * g.Kernel), i = row / g.Kernel % g.Kernel, j = row % g.Kernel;
                float* dst = job.Col + row * rowLength + (long)b * g.OutPositions;
                float* plane = job.X + ((long)c * job.Batch + b) * g.Height * g.Width;
                for (int oh = 0; oh < g.OutHeight; oh++, dst += g.OutWidth)
                {
                    int h = oh * g.Stride - g.PadTop + i * g.Dilation;
                    if ((uint)h >= (uint)g.Height)
                    {
                        new Span<float>(dst, g.OutWidth).Clear();
                        continue;
                    }
                    float* src = plane + (long)h * g.Width;
                    int w0 = -g.PadLeft + j * g.Dilation;
                    if (g.Stride == 1)
                    {
                        // A contiguous run of the input row, zeros where it hangs over either edge.
                        int first = Math.Max(0, -w0), last = Math.Min(g.OutWidth, g.Width - w0);
                        if (first == 0 && last == g.OutWidth)
                        {
                            CopyRun(src + w0, dst, g.OutWidth);
                            continue;
                        }
                        for (int ow = 0; ow < g.OutWidth; ow++)
                        {
                            dst[ow] = ow >= first && ow < last ? src[w0 + ow] : 0f;
                        }
                    }
                    else
                    {
                        for (int ow = 0; ow < g.OutWidth; ow++)
                        {
                            int w = w0 + ow * g.Stride;
                            dst[ow] = (uint)w < (uint)g.Width ? src[w] : 0f;
                        }
                    }
                }
            }
        }

        /// <summary>dst[i] += src[i] over a short run, eight at a time.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void AddRun(float* src, float* dst, int count)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + 8 <= count; i += 8)
                {
                    (Vector256.Load(dst + i) + Vector256.Load(src + i)).Store(dst + i);
                }
            }
            for (; i < count; i++)
            {
                dst[i] += src[i];
            }
        }

        /// <summary>Copies a short run: two overlapping 8-float vectors when it has 8 to 16 floats, else float by float.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void CopyRun(float* src, float* dst, int count)
        {
            if (count >= 8 && count <= 16 && Vector256.IsHardwareAccelerated)
            {
                Vector256<float> head = Vector256.Load(src);
                Vector256<float> tail = Vector256.Load(src + count - 8);
                head.Store(dst);
                tail.Store(dst + count - 8);
                return;
            }
            if (count > 16)
            {
                new ReadOnlySpan<float>(src, count).CopyTo(new Span<float>(dst, count));
                return;
            }
            for (int i = 0; i < count; i++)
            {
                dst[i] = src[i];
            }
        }

        /// <summary>dx[c, b, h, w] = Σ over the taps that read (h, w) of dcol; dx is overwritten.</summary>
        public static void Col2Im(ReadOnlySpan<float> dcol, Span<float> dx, int batch, in ConvGeometry g)
        {
            CheckLength(dx.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(dx));
            CheckLength(dcol.Length, (long)g.PatchSize * batch * g.OutPositions, nameof(dcol));
            fixed (float* pdx = dx, pcol = dcol)
            {
                var job = new UnfoldJob { X = pdx, Col = pcol, Batch = batch, Geometry = g };
                // One block per sample: a sample's taps add into its own planes only, in a fixed order
                // (channel, kernel row, kernel column), and its columns of dcol are the ones this core
                // computed in the product before.
                WorkerPool.Run(batch, Threads(g.PatchSize * (long)batch * g.OutPositions), &FoldSample, &job);
            }
        }

        private static void FoldSample(void* state, int b) => Fold(ref *(UnfoldJob*)state, b);

        private static void Fold(ref UnfoldJob job, int b)
        {
            ConvGeometry g = job.Geometry;
            long planeSize = (long)g.Height * g.Width, rowLength = (long)job.Batch * g.OutPositions;
            for (int c = 0; c < g.Channels; c++)
            {
                float* plane = job.X + ((long)c * job.Batch + b) * planeSize;
                new Span<float>(plane, (int)planeSize).Clear();
                for (int i = 0; i < g.Kernel; i++)
                {
                    for (int j = 0; j < g.Kernel; j++)
                    {
                        int row = (c * g.Kernel + i) * g.Kernel + j;
                        float* src = job.Col + row * rowLength + (long)b * g.OutPositions;
                        for (int oh = 0; oh < g.OutHeight; oh++, src += g.OutWidth)
                        {
                            int h = oh * g.Stride - g.PadTop + i * g.Dilation;
                            if ((uint)h >= (uint)g.Height)
                            {
                                continue;
                            }
                            float* dst = plane + (long)h * g.Width;
                            int w0 = -g.PadLeft + j * g.Dilation;
                            if (g.Stride == 1)
                            {
                                int first = Math.Max(0, -w0), last = Math.Min(g.OutWidth, g.Width - w0);
                                AddRun(src + first, dst + w0 + first, last - first);
                            }
                            else
                            {
                                for (int ow = 0; ow < g.OutWidth; ow++)
                                {
                                    int w = w0 + ow * g.Stride;
                                    if ((uint)w < (uint)g.Width)
                                    {
                                        dst[w] += src[ow];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Threads worth forking for a pass over <paramref name="values"/> floats: one below 64 K.</summary>
        internal static int Threads(long values) => values < 64 * 1024 ? 1 : Parallelism.MaxThreads;

        private static void CheckLength(int actual, long expected, string name)
        {
            if (actual < expected)
            {
                throw new ArgumentException($"{name} has {actual} values; the convolution needs {expected}.", name);
            }
        }
    }
}

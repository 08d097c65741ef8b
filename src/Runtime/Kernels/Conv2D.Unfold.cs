using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels
{
    /// <summary>
    /// The convolution's data movement: im2col (<see cref="Im2Col"/>, unfolding input windows into the
    /// columns the GEMM reads) and col2im (<see cref="Col2Im"/>, folding column gradients back onto the
    /// input, each tap added in a fixed order). Split from the products in Conv2D.cs.
    /// </summary>
    public static unsafe partial class Conv2D
    {
        private struct UnfoldJob
        {
            public float* X, Col;
            public int Batch, FirstSample;
            public long ColRowLength;
            public ConvGeometry Geometry;
        }

        /// <summary>col[(c,i,j), (b,oh,ow)] = x[c, b, oh·s − pt + i·d, ow·s − pl + j·d], or 0 in the padding: the whole batch at once.</summary>
        public static void Im2Col(ReadOnlySpan<float> x, Span<float> col, int batch, in ConvGeometry g)
        {
            CheckLength(x.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(x));
            CheckLength(col.Length, (long)g.PatchSize * batch * g.OutPositions, nameof(col));
            fixed (float* px = x, pcol = col)
            {
                var job = new UnfoldJob { X = px, Col = pcol, Batch = batch, Geometry = g, ColRowLength = (long)batch * g.OutPositions };
                WorkerPool.Run(batch, Parallelism.ThreadsForPass((long)g.PatchSize * batch * g.OutPositions), &UnfoldSample, &job);
            }
        }

        private static void UnfoldSample(void* state, int b) => Unfold(ref *(UnfoldJob*)state, b);

        private static void Unfold(ref UnfoldJob job, int b)
        {
            ConvGeometry g = job.Geometry;
            // The geometry in locals: the loops below run once per output row of every tap.
            int kernel = g.Kernel, width = g.Width, outHeight = g.OutHeight, outWidth = g.OutWidth, stride = g.Stride, dilation = g.Dilation;
            long rowLength = job.ColRowLength, planeSize = (long)g.Height * width;
            float* sampleCol = job.Col + (long)(b - job.FirstSample) * g.OutPositions;
            int row = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                float* plane = job.X + ((long)c * job.Batch + b) * planeSize;
                for (int i = 0; i < kernel; i++)
                {
                    int hOffset = i * dilation - g.PadTop;
                    (int ohFirst, int ohEnd) = InsideRows(hOffset, stride, g.Height, outHeight);
                    for (int j = 0; j < kernel; j++, row++)
                    {
                        float* dst = sampleCol + row * rowLength;
                        int w0 = j * dilation - g.PadLeft;
                        // Output rows whose input row is padding: zeros.
                        if (ohFirst > 0)
                        {
                            new Span<float>(dst, ohFirst * outWidth).Clear();
                        }
                        if (ohEnd < outHeight)
                        {
                            new Span<float>(dst + ohEnd * outWidth, (outHeight - ohEnd) * outWidth).Clear();
                        }
                        float* src = plane + (long)(ohFirst * stride + hOffset) * width + w0;
                        float* d = dst + ohFirst * outWidth;
                        if (stride == 1)
                        {
                            // A contiguous run of the input row, zeros where it hangs over either edge.
                            int first = Math.Max(0, -w0), last = Math.Min(outWidth, width - w0);
                            if (first == 0 && last == outWidth)
                            {
                                CopyRows(src, width, d, outWidth, ohEnd - ohFirst);
                                continue;
                            }
                            // Padding on the left or right: zeros there, the rest copied.
                            first = Math.Min(first, outWidth);
                            last = Math.Max(last, first);
                            for (int oh = ohFirst; oh < ohEnd; oh++, src += width, d += outWidth)
                            {
                                for (int ow = 0; ow < first; ow++)
                                {
                                    d[ow] = 0f;
                                }
                                CopyRun(src + first, d + first, last - first);
                                for (int ow = last; ow < outWidth; ow++)
                                {
                                    d[ow] = 0f;
                                }
                            }
                            continue;
                        }
                        for (int oh = ohFirst; oh < ohEnd; oh++, src += (long)stride * width, d += outWidth)
                        {
                            for (int ow = 0; ow < outWidth; ow++)
                            {
                                d[ow] = (uint)(w0 + ow * stride) < (uint)width ? src[ow * stride] : 0f;
                            }
                        }
                    }
                }
            }
        }

        /// <summary>The output rows [first, end) whose input row <c>oh·stride + offset</c> lies inside the plane's <paramref name="height"/> rows.</summary>
        private static (int First, int End) InsideRows(int offset, int stride, int height, int outHeight)
        {
            int first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
            int last = height - 1 - offset;
            int end = last < 0 ? 0 : Math.Min(outHeight, last / stride + 1);
            first = Math.Min(first, outHeight);
            return (first, Math.Max(first, end));
        }

        /// <summary>
        /// Copies <paramref name="rows"/> runs of <paramref name="count"/> floats, <paramref name="sourceStride"/> (≥ count) apart in
        /// the source and back to back in the target. Every run but the last goes as whole vectors of at most 2·count floats, running
        /// past its end by at most count: the reads stay inside the next source run, the writes inside the next target run,
        /// written right after. The last run, whose neighbours may belong to another sample (another thread), is copied exactly.
        /// </summary>
        private static void CopyRows(float* src, nint sourceStride, float* dst, int count, int rows)
        {
            SimdLevel level = Simd.Level;
            for (; rows > 1; rows--, src += sourceStride, dst += count)
            {
                if (level == SimdLevel.Vector512 && count >= 8)
                {
                    for (int i = 0; i < count; i += 16)
                    {
                        Vector512.Load(src + i).Store(dst + i);
                    }
                }
                else if (level >= SimdLevel.Vector256 && count >= 4)
                {
                    for (int i = 0; i < count; i += 8)
                    {
                        Vector256.Load(src + i).Store(dst + i);
                    }
                }
                else if (level >= SimdLevel.Vector128 && count >= 2)
                {
                    for (int i = 0; i < count; i += 4)
                    {
                        Vector128.Load(src + i).Store(dst + i);
                    }
                }
                else
                {
                    break;
                }
            }
            for (; rows > 0; rows--, src += sourceStride, dst += count)
            {
                CopyRun(src, dst, count);
            }
        }

        /// <summary>dst[i] += src[i] over a short run, eight (then four) at a time as <see cref="Simd.Level"/> allows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddRun(float* src, float* dst, int count)
        {
            int i = 0;
            SimdLevel level = Simd.Level;
            if (level >= SimdLevel.Vector256)
            {
                for (; i + 8 <= count; i += 8)
                {
                    (Vector256.Load(dst + i) + Vector256.Load(src + i)).Store(dst + i);
                }
            }
            if (level >= SimdLevel.Vector128)
            {
                for (; i + 4 <= count; i += 4)
                {
                    (Vector128.Load(dst + i) + Vector128.Load(src + i)).Store(dst + i);
                }
            }
            for (; i < count; i++)
            {
                dst[i] += src[i];
            }
        }

        /// <summary>
        /// Copies a short run exactly: two overlapping vectors of 16 (17 to 32 floats) or of 8 (8 to 16), or
        /// vectors of 4 with an overlapping last one (4 to 16), as wide as <see cref="Simd.Level"/> allows, else float by float.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CopyRun(float* src, float* dst, int count)
        {
            SimdLevel level = Simd.Level;
            if (count > 16 && count <= 32 && level == SimdLevel.Vector512)
            {
                Vector512<float> head = Vector512.Load(src);
                Vector512<float> tail = Vector512.Load(src + count - 16);
                head.Store(dst);
                tail.Store(dst + count - 16);
                return;
            }
            if (count >= 8 && count <= 16 && level >= SimdLevel.Vector256)
            {
                Vector256<float> head = Vector256.Load(src);
                Vector256<float> tail = Vector256.Load(src + count - 8);
                head.Store(dst);
                tail.Store(dst + count - 8);
                return;
            }
            if (count >= 4 && count <= 16 && level >= SimdLevel.Vector128)
            {
                for (int i = 0; i < count - 4; i += 4)
                {
                    Vector128.Load(src + i).Store(dst + i);
                }
                Vector128.Load(src + count - 4).Store(dst + count - 4);
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

        /// <summary>dx[c, b, h, w] = Σ over the taps that read (h, w) of dcol; dx is overwritten: the whole batch at once.</summary>
        public static void Col2Im(ReadOnlySpan<float> dcol, Span<float> dx, int batch, in ConvGeometry g)
        {
            CheckLength(dx.Length, (long)g.Channels * batch * g.Height * g.Width, nameof(dx));
            CheckLength(dcol.Length, (long)g.PatchSize * batch * g.OutPositions, nameof(dcol));
            fixed (float* pdx = dx, pcol = dcol)
            {
                var job = new UnfoldJob { X = pdx, Col = pcol, Batch = batch, Geometry = g, ColRowLength = (long)batch * g.OutPositions };
                // One block per sample: a sample's taps add into its own planes only, in a fixed order
                // (channel, kernel row, kernel column).
                WorkerPool.Run(batch, Parallelism.ThreadsForPass((long)g.PatchSize * batch * g.OutPositions), &FoldSample, &job);
            }
        }

        private static void FoldSample(void* state, int b) => Fold(ref *(UnfoldJob*)state, b);

        private static void Fold(ref UnfoldJob job, int b)
        {
            if (FoldRows512(ref job, b))
            {
                return;
            }
            ConvGeometry g = job.Geometry;
            int kernel = g.Kernel, width = g.Width, outHeight = g.OutHeight, outWidth = g.OutWidth, stride = g.Stride, dilation = g.Dilation;
            long planeSize = (long)g.Height * width, rowLength = job.ColRowLength;
            float* sampleCol = job.Col + (long)(b - job.FirstSample) * g.OutPositions;
            int row = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                float* plane = job.X + ((long)c * job.Batch + b) * planeSize;
                new Span<float>(plane, (int)planeSize).Clear();
                for (int i = 0; i < kernel; i++)
                {
                    int hOffset = i * dilation - g.PadTop;
                    (int ohFirst, int ohEnd) = InsideRows(hOffset, stride, g.Height, outHeight);
                    for (int j = 0; j < kernel; j++, row++)
                    {
                        int w0 = j * dilation - g.PadLeft;
                        float* src = sampleCol + row * rowLength + ohFirst * outWidth;
                        float* dst = plane + (long)(ohFirst * stride + hOffset) * width + w0;
                        if (stride == 1)
                        {
                            int first = Math.Max(0, -w0), last = Math.Min(outWidth, width - w0);
                            for (int oh = ohFirst; oh < ohEnd; oh++, src += outWidth, dst += width)
                            {
                                AddRun(src + first, dst + first, last - first);
                            }
                            continue;
                        }
                        for (int oh = ohFirst; oh < ohEnd; oh++, src += outWidth, dst += (long)stride * width)
                        {
                            for (int ow = 0; ow < outWidth; ow++)
                            {
                                if ((uint)(w0 + ow * stride) < (uint)width)
                                {
                                    dst[ow * stride] += src[ow];
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Most masks (vector columns × kernel columns) a register fold precomputes per sample; wider planes fold tap by tap.</summary>
        private const int MaxFoldMasks = 64;

        /// <summary>
        /// col2im of one sample at stride 1, a plane row at a time in registers (16 columns a vector): each row of dx is the
        /// sum of its taps' shifted rows of dcol, added in tap order (kernel row, then column) as the tap-by-tap fold adds
        /// them, with lanes outside a tap's columns loaded as zero (+0 added to a sum that starts at +0, and so is never −0,
        /// leaves it unchanged), then stored once: no clearing pass and no load and store of dx per tap. The same bits as the
        /// tap-by-tap fold. Returns false, writing nothing, where it does not apply.
        /// </summary>
        private static bool FoldRows512(ref UnfoldJob job, int b)
        {
            ConvGeometry g = job.Geometry;
            int kernel = g.Kernel, width = g.Width, chunks = (width + 15) / 16;
            if (g.Stride != 1 || Simd.Level != SimdLevel.Vector512 || !Avx512F.IsSupported || chunks * kernel > MaxFoldMasks)
            {
                return false;
            }
            int dilation = g.Dilation, height = g.Height, outWidth = g.OutWidth, outHeight = g.OutHeight;
            // masks[chunk·k + j]: the lanes of that chunk of a dx row that tap column j reaches (its ow in [0, OW), w < W).
            Vector512<float>* masks = stackalloc Vector512<float>[chunks * kernel];
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                Vector512<int> w = Vector512<int>.Indices + Vector512.Create(chunk * 16);
                for (int j = 0; j < kernel; j++)
                {
                    Vector512<int> ow = w + Vector512.Create(g.PadLeft - j * dilation);
                    masks[chunk * kernel + j] = (Vector512.LessThan(ow.AsUInt32(), Vector512.Create((uint)outWidth)).AsInt32()
                        & Vector512.LessThan(w, Vector512.Create(width))).AsSingle();
                }
            }
            long planeSize = (long)height * width, rowLength = job.ColRowLength;
            float* sampleCol = job.Col + (long)(b - job.FirstSample) * g.OutPositions;
            for (int c = 0; c < g.Channels; c++)
            {
                float* plane = job.X + ((long)c * job.Batch + b) * planeSize;
                float* channelCol = sampleCol + (long)c * kernel * kernel * rowLength;
                for (int h = 0; h < height; h++)
                {
                    for (int chunk = 0; chunk < chunks; chunk++)
                    {
                        Vector512<float> sum = Vector512<float>.Zero;
                        for (int i = 0; i < kernel; i++)
                        {
                            int oh = h + g.PadTop - i * dilation;
                            if ((uint)oh < (uint)outHeight)
                            {
                                // Tap (i, j) at this chunk's lane 0: dcol row (c, i, j), output column chunk·16 + pl − j·d.
                                float* tap = channelCol + (long)i * kernel * rowLength + (long)oh * outWidth + chunk * 16 + g.PadLeft;
                                for (int j = 0; j < kernel; j++, tap += rowLength - dilation)
                                {
                                    sum += Avx512F.MaskLoad(tap, masks[chunk * kernel + j], Vector512<float>.Zero);
                                }
                            }
                        }
                        long at = (long)h * width + chunk * 16;
                        if (at + 16 <= planeSize)
                        {
                            // Lanes past the row (zeros) land on later rows of this plane, written after.
                            sum.Store(plane + at);
                        }
                        else
                        {
                            Avx512F.MaskStore(plane + at, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create((int)(planeSize - at))).AsSingle(), sum);
                        }
                    }
                }
            }
            return true;
        }
    }
}

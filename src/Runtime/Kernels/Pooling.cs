using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels
{
    /// <summary>The shape of one 2-D pooling: input planes H×W, a size×size window, stride and padding (top/left).</summary>
    public readonly struct PoolGeometry
    {
        /// <summary>
        /// Describes a pooling; throws if the output size does not follow from the rest: every window must lie within the
        /// input and its padding on both sides (PyTorch's floor mode, as the generator sizes its outputs), so that no kernel
        /// reads past a plane.
        /// </summary>
        public PoolGeometry(int height, int width, int size, int stride, int padTop, int padLeft, int outHeight, int outWidth)
        {
            if (height < 1 || width < 1 || size < 1 || stride < 1 || padTop < 0 || padLeft < 0 || outHeight < 1 || outWidth < 1
                || padTop >= size || padLeft >= size
                || (long)(outHeight - 1) * stride + size > height + 2L * padTop || (long)(outWidth - 1) * stride + size > width + 2L * padLeft)
            {
                throw new ArgumentException(
                    $"Inconsistent pooling: input [{height}, {width}], window {size}, stride {stride}, padding {padTop}/{padLeft}, output [{outHeight}, {outWidth}].");
            }
            Height = height;
            Width = width;
            Size = size;
            Stride = stride;
            PadTop = padTop;
            PadLeft = padLeft;
            OutHeight = outHeight;
            OutWidth = outWidth;
        }

        /// <summary>Input height.</summary>
        public int Height { get; }

        /// <summary>Input width.</summary>
        public int Width { get; }

        /// <summary>Window side.</summary>
        public int Size { get; }

        /// <summary>Step between windows.</summary>
        public int Stride { get; }

        /// <summary>Padding above.</summary>
        public int PadTop { get; }

        /// <summary>Padding on the left.</summary>
        public int PadLeft { get; }

        /// <summary>Output height.</summary>
        public int OutHeight { get; }

        /// <summary>Output width.</summary>
        public int OutWidth { get; }
    }

    /// <summary>
    /// Max, average and global-average pooling over planes of a channel-major tensor
    /// (<c>[C, B, H, W]</c>: <c>C·B</c> planes). Max pooling keeps the first maximum of each window
    /// (PyTorch's choice), remembers where it was, and routes the gradient there; padding never wins.
    /// Average pooling divides by the full window (PyTorch's <c>count_include_pad=True</c>).
    /// </summary>
    public static unsafe class Pooling
    {
        private enum Operation
        {
            MaxForward,
            MaxBackward,
            AverageForward,
            AverageBackward,
        }

        private struct Job
        {
            public float* X, Y;
            public int* Index;
            public float* Gate;
            public float GateSlope;
            public int Planes, PlanesPerBlock;
            public PoolGeometry Geometry;
            public Operation Operation;
        }

        /// <summary>
        /// Runs the job's operation over every plane, in blocks of planes big enough (about 16 K inputs)
        /// that claiming a block costs nothing next to the work in it.
        /// </summary>
        private static void ForEachPlane(ref Job job, Operation operation)
        {
            long planeSize = (long)job.Geometry.Height * job.Geometry.Width;
            job.PlanesPerBlock = (int)Math.Max(1, Math.Min(job.Planes, 16 * 1024 / planeSize));
            job.Operation = operation;
            int blocks = (job.Planes + job.PlanesPerBlock - 1) / job.PlanesPerBlock;
            fixed (Job* state = &job)
            {
                WorkerPool.Run(blocks, Parallelism.ThreadsForPass(job.Planes * planeSize), &RunBlock, state);
            }
        }

        /// <summary>A thin dispatcher (see <see cref="WorkerPool"/>): the loops live in methods it calls.</summary>
        private static void RunBlock(void* state, int block) => RunPlanes(ref *(Job*)state, block);

        private static void RunPlanes(ref Job job, int block)
        {
            int first = block * job.PlanesPerBlock, last = Math.Min(job.Planes, first + job.PlanesPerBlock);
            for (int plane = first; plane < last; plane++)
            {
                switch (job.Operation)
                {
                    case Operation.MaxForward:
                        MaxPlane(ref job, plane);
                        break;
                    case Operation.MaxBackward:
                        MaxPlaneBackward(ref job, plane);
                        break;
                    case Operation.AverageForward:
                        AveragePlane(ref job, plane);
                        break;
                    default:
                        AveragePlaneBackward(ref job, plane);
                        break;
                }
            }
        }

        /// <summary>Max pooling; <paramref name="argmax"/> receives, per output, the index of the winner in its plane.</summary>
        public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int planes, in PoolGeometry g)
        {
            Check(x.Length, y.Length, planes, g);
            if (argmax.Length < (long)planes * g.OutHeight * g.OutWidth)
            {
                throw new ArgumentException($"argmax has {argmax.Length} values; the pooling writes {(long)planes * g.OutHeight * g.OutWidth}.", nameof(argmax));
            }
            fixed (float* px = x, py = y)
            fixed (int* pi = argmax)
            {
                var job = new Job { X = px, Y = py, Index = pi, Planes = planes, Geometry = g };
                ForEachPlane(ref job, Operation.MaxForward);
            }
        }

        private static void MaxPlane(ref Job job, int plane)
        {
            PoolGeometry g = job.Geometry;
            int height = g.Height, width = g.Width, size = g.Size, stride = g.Stride, outHeight = g.OutHeight, outWidth = g.OutWidth;
            float* x = job.X + (long)plane * height * width;
            float* y = job.Y + (long)plane * outHeight * outWidth;
            int* index = job.Index + (long)plane * outHeight * outWidth;
            int first = 0;
            if (size == 2 && stride == 2 && g.PadTop == 0 && g.PadLeft == 0)
            {
                SimdLevel level = Simd.Level;
                first = level == SimdLevel.Vector512 ? MaxPlane2x2(x, y, index, height, width, outHeight, outWidth) :
                    level == SimdLevel.Vector256 && Avx2.IsSupported && outWidth >= 8 ? MaxPlane2x2By8(x, y, index, width, outHeight, outWidth) :
                    level >= SimdLevel.Vector128 ? MaxPlane2x2By4(x, y, index, width, outHeight, outWidth) : 0;
            }
            for (int oh = 0; oh < outHeight; oh++)
            {
                int h0 = oh * stride - g.PadTop;
                int top = Math.Max(0, h0), bottom = Math.Min(height, h0 + size);
                for (int ow = first; ow < outWidth; ow++)
                {
                    int w0 = ow * stride - g.PadLeft;
                    int left = Math.Max(0, w0), right = Math.Min(width, w0 + size);
                    // The first valid element starts the search; padding never wins.
                    int at = top * width + left;
                    float best = x[at];
                    for (int i = top; i < bottom; i++)
                    {
                        float* row = x + i * width;
                        for (int j = left; j < right; j++)
                        {
                            float v = row[j];
                            if (v > best || float.IsNaN(v)) // NaN propagates, as in PyTorch
                            {
                                best = v;
                                at = i * width + j;
                                if (float.IsNaN(v))
                                {
                                    i = bottom;
                                    break;
                                }
                            }
                        }
                    }
                    y[oh * outWidth + ow] = best;
                    index[oh * outWidth + ow] = at;
                }
            }
        }

        /// <summary>
        /// The common 2×2, stride-2, unpadded case, sixteen windows at a time without a branch: the four corners are
        /// deinterleaved from two rows, then compared as a tree — the winner of (top left, top right) against the winner of
        /// (bottom left, bottom right), a later value winning only if greater and a NaN always winning, as in the scalar path,
        /// which picks the same value and index in two dependent steps instead of three. Rows are read whole (only a read that
        /// would leave the plane is masked: lanes past a row's windows come from the next row, and their results are either
        /// not stored or overwritten by the next row's). Handles every column (returns the width).
        /// </summary>
        private static int MaxPlane2x2(float* x, float* y, int* index, int height, int width, int outHeight, int outWidth)
        {
            Vector512<int> evens = Vector512<int>.Indices * 2, odds = evens + Vector512<int>.One;
            Vector512<float> zero = Vector512<float>.Zero;
            long planeSize = (long)height * width, outputs = (long)outHeight * outWidth;
            // The last block of a row may hold fewer than sixteen windows: its masks, the same for every row.
            int tail = outWidth - (outWidth - 1) / 16 * 16;
            Vector512<float> tailLow = Mask(2 * tail), tailHigh = Mask(2 * tail - 16), tailOut = Mask(tail), all = Mask(16);
            for (int oh = 0; oh < outHeight; oh++)
            {
                for (int ow = 0; ow < outWidth; ow += 16)
                {
                    bool last = ow + 16 >= outWidth;
                    long topAt = 2L * oh * width + 2 * ow, bottomAt = topAt + width;
                    float* top = x + topAt, bottom = x + bottomAt;
                    Vector512<float> t0, t1, b0, b1;
                    if (bottomAt + 32 <= planeSize)
                    {
                        t0 = Vector512.Load(top); t1 = Vector512.Load(top + 16);
                        b0 = Vector512.Load(bottom); b1 = Vector512.Load(bottom + 16);
                    }
                    else
                    {
                        Vector512<float> low = last ? tailLow : all, high = last ? tailHigh : all;
                        t0 = Avx512F.MaskLoad(top, low, zero); t1 = Avx512F.MaskLoad(top + 16, high, zero);
                        b0 = Avx512F.MaskLoad(bottom, low, zero); b1 = Avx512F.MaskLoad(bottom + 16, high, zero);
                    }
                    Vector512<int> at = Vector512.Create((int)topAt) + evens;
                    (Vector512<float> upper, Vector512<int> upperAt) = Larger(
                        Avx512F.PermuteVar16x32x2(t0, evens, t1), at, Avx512F.PermuteVar16x32x2(t0, odds, t1), at + Vector512<int>.One);
                    (Vector512<float> lower, Vector512<int> lowerAt) = Larger(
                        Avx512F.PermuteVar16x32x2(b0, evens, b1), at + Vector512.Create(width),
                        Avx512F.PermuteVar16x32x2(b0, odds, b1), at + Vector512.Create(width + 1));
                    (Vector512<float> best, Vector512<int> where) = Larger(upper, upperAt, lower, lowerAt);
                    long o = (long)oh * outWidth + ow;
                    if (o + 16 <= outputs)
                    {
                        // Lanes past the row land on later rows of this plane, written after: whole stores
                        // (masked stores cost several times more on AMD cores). Never past the plane, whose
                        // neighbour may belong to another thread.
                        best.Store(y + o);
                        where.AsSingle().Store((float*)(index + o));
                    }
                    else
                    {
                        Vector512<float> outMask = last ? tailOut : all;
                        Avx512F.MaskStore(y + o, outMask, best);
                        Avx512F.MaskStore((float*)(index + o), outMask, where.AsSingle());
                    }
                }
            }
            return outWidth;

            static (Vector512<float>, Vector512<int>) Larger(Vector512<float> first, Vector512<int> firstAt, Vector512<float> second, Vector512<int> secondAt)
            {
                // The second wins if greater or NaN (not equal to itself), unless the first is NaN already (nothing compares greater).
                Vector512<float> wins = (Vector512.GreaterThan(second, first) | ~Vector512.Equals(second, second)) & Vector512.Equals(first, first);
                return (Vector512.ConditionalSelect(wins, second, first), Vector512.ConditionalSelect(wins.AsInt32(), secondAt, firstAt));
            }
        }

        /// <summary>
        /// <see cref="MaxPlane2x2"/> eight windows at a time with AVX2 (at least eight windows a row): each row's corners are
        /// deinterleaved in-lane (vshufps) and put in order across the two lanes (vpermpd), then compared as the tree does. A
        /// row's last eight windows start at <c>outWidth − 8</c>, overlapping the ones before when the row is not a multiple
        /// of eight; those windows get the same value and index twice. Returns the width.
        /// </summary>
        private static int MaxPlane2x2By8(float* x, float* y, int* index, int width, int outHeight, int outWidth)
        {
            Vector256<int> evens = Vector256<int>.Indices * 2;
            for (int oh = 0; oh < outHeight; oh++)
            {
                float* top = x + 2 * oh * width, bottom = top + width;
                for (int start = 0; start < outWidth; start += 8)
                {
                    // Sixteen columns of each row: 2·ow … 2·ow + 15 < 2·outWidth ≤ width.
                    int ow = Math.Min(start, outWidth - 8);
                    Vector256<float> t0 = Vector256.Load(top + 2 * ow), t1 = Vector256.Load(top + 2 * ow + 8);
                    Vector256<float> b0 = Vector256.Load(bottom + 2 * ow), b1 = Vector256.Load(bottom + 2 * ow + 8);
                    Vector256<int> at = Vector256.Create(2 * oh * width + 2 * ow) + evens;
                    (Vector256<float> upper, Vector256<int> upperAt) = Larger(Evens(t0, t1), at, Odds(t0, t1), at + Vector256<int>.One);
                    (Vector256<float> lower, Vector256<int> lowerAt) = Larger(
                        Evens(b0, b1), at + Vector256.Create(width), Odds(b0, b1), at + Vector256.Create(width + 1));
                    (Vector256<float> best, Vector256<int> where) = Larger(upper, upperAt, lower, lowerAt);
                    best.Store(y + oh * outWidth + ow);
                    where.Store(index + oh * outWidth + ow);
                }
            }
            return outWidth;

            static Vector256<float> Evens(Vector256<float> a, Vector256<float> b) =>
                Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

            static Vector256<float> Odds(Vector256<float> a, Vector256<float> b) =>
                Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

        }

        /// <summary>
        /// One step of the 2×2 tree, eight windows at a time (as in <see cref="MaxPlane2x2"/>): the second corner and its index
        /// win if greater or NaN, unless the first is NaN already. Also used by the convolution's pooling from Winograd tiles.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static (Vector256<float> Value, Vector256<int> Index) Larger(Vector256<float> first, Vector256<int> firstAt,
            Vector256<float> second, Vector256<int> secondAt)
        {
            Vector256<float> wins = (Vector256.GreaterThan(second, first) | ~Vector256.Equals(second, second)) & Vector256.Equals(first, first);
            return (Vector256.ConditionalSelect(wins, second, first), Vector256.ConditionalSelect(wins.AsInt32(), secondAt, firstAt));
        }

        /// <summary>
        /// <see cref="MaxPlane2x2"/> four windows at a time (Vector128: SSE, NEON; and the Vector256 level,
        /// whose cross-lane shuffles would cost more than they save here). Returns the columns it did, a
        /// multiple of four: the scalar loop does the rest of every row. Returns 0 where no two-vector
        /// deinterleave exists.
        /// </summary>
        private static int MaxPlane2x2By4(float* x, float* y, int* index, int width, int outHeight, int outWidth)
        {
            if (!Sse.IsSupported && !AdvSimd.Arm64.IsSupported)
            {
                return 0;
            }
            int done = outWidth & ~3;
            Vector128<int> evens = Vector128<int>.Indices * 2;
            for (int oh = 0; oh < outHeight; oh++)
            {
                float* top = x + 2 * oh * width, bottom = top + width;
                for (int ow = 0; ow < done; ow += 4)
                {
                    // Eight columns of each row: 2·ow … 2·ow + 7 < 2·outWidth ≤ width.
                    Vector128<float> t0 = Vector128.Load(top + 2 * ow), t1 = Vector128.Load(top + 2 * ow + 4);
                    Vector128<float> b0 = Vector128.Load(bottom + 2 * ow), b1 = Vector128.Load(bottom + 2 * ow + 4);
                    Vector128<int> at = Vector128.Create(2 * oh * width + 2 * ow) + evens;
                    Vector128<float> best = Evens(t0, t1);
                    Vector128<int> where = at;
                    Take(ref best, ref where, Odds(t0, t1), at + Vector128<int>.One);
                    Take(ref best, ref where, Evens(b0, b1), at + Vector128.Create(width));
                    Take(ref best, ref where, Odds(b0, b1), at + Vector128.Create(width + 1));
                    best.Store(y + oh * outWidth + ow);
                    where.Store(index + oh * outWidth + ow);
                }
            }
            return done;

            static Vector128<float> Evens(Vector128<float> a, Vector128<float> b) =>
                Sse.IsSupported ? Sse.Shuffle(a, b, 0b10_00_10_00) : AdvSimd.Arm64.UnzipEven(a, b);

            static Vector128<float> Odds(Vector128<float> a, Vector128<float> b) =>
                Sse.IsSupported ? Sse.Shuffle(a, b, 0b11_01_11_01) : AdvSimd.Arm64.UnzipOdd(a, b);

            static void Take(ref Vector128<float> best, ref Vector128<int> where, Vector128<float> candidate, Vector128<int> at)
            {
                // As in MaxPlane2x2: greater wins, NaN wins, a NaN already held stays.
                Vector128<float> wins = Vector128.GreaterThan(candidate, best) | ~Vector128.Equals(candidate, candidate);
                wins &= Vector128.Equals(best, best);
                best = Vector128.ConditionalSelect(wins, candidate, best);
                where = Vector128.ConditionalSelect(wins.AsInt32(), at, where);
            }
        }

        /// <summary>The first <paramref name="count"/> lanes (none if it is not positive).</summary>
        private static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

        /// <summary>dx = 0, then each output's gradient added at its window's winner.</summary>
        public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int planes, in PoolGeometry g) =>
            MaxBackward(dy, argmax, dx, planes, g, Activation.None, ReadOnlySpan<float>.Empty);

        /// <summary>
        /// As <see cref="MaxBackward(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, in PoolGeometry)"/>,
        /// with the derivative of the ReLU or LeakyReLU before the pooling folded in: a window's winner is
        /// the pooled value <paramref name="pooled"/> itself, so its sign decides the gradient that passes.
        /// </summary>
        public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int planes, in PoolGeometry g,
            Activation inputActivation, ReadOnlySpan<float> pooled)
        {
            Check(dx.Length, dy.Length, planes, g);
            float slope = GateSlope(inputActivation);
            if (inputActivation != Activation.None && pooled.Length < dy.Length)
            {
                throw new ArgumentException($"pooled has {pooled.Length} values; the pooling has {dy.Length} outputs.", nameof(pooled));
            }
            fixed (float* pdx = dx, pdy = dy, pgate = pooled)
            fixed (int* pi = argmax)
            {
                var job = new Job
                {
                    X = pdx, Y = pdy, Index = pi, Planes = planes, Geometry = g,
                    Gate = inputActivation == Activation.None ? null : pgate, GateSlope = slope,
                };
                ForEachPlane(ref job, Operation.MaxBackward);
            }
        }

        /// <summary>Whether max pooling can apply the derivative of <paramref name="activation"/> (before it) from the pooled values' signs.</summary>
        public static bool CanGate(Activation activation) => activation is Activation.None or Activation.ReLU or Activation.LeakyReLU;

        /// <summary>The factor for gradients whose pooled value is not positive.</summary>
        internal static float GateSlope(Activation activation) => activation switch
        {
            Activation.None => 1f,
            Activation.ReLU => 0f,
            Activation.LeakyReLU => Activations.LeakySlope,
            _ => throw new ArgumentException($"The derivative of {activation} cannot be folded into max pooling.", nameof(activation)),
        };

        /// <summary>Max pooling of <paramref name="planes"/> consecutive planes on this thread (for kernels that split work themselves).</summary>
        internal static void MaxForwardPlanes(float* x, float* y, int* index, int planes, in PoolGeometry g)
        {
            var job = new Job { X = x, Y = y, Index = index, Planes = planes, Geometry = g };
            for (int plane = 0; plane < planes; plane++)
            {
                MaxPlane(ref job, plane);
            }
        }

        /// <summary>
        /// The max-pooling gradient of <paramref name="planes"/> consecutive planes on this thread, with an
        /// activation derivative gated by <paramref name="gate"/> (the pooled values) unless it is null.
        /// </summary>
        internal static void MaxBackwardPlanes(float* dy, int* index, float* dx, int planes, in PoolGeometry g, float* gate, float gateSlope)
        {
            var job = new Job { X = dx, Y = dy, Index = index, Planes = planes, Geometry = g, Gate = gate, GateSlope = gateSlope };
            for (int plane = 0; plane < planes; plane++)
            {
                MaxPlaneBackward(ref job, plane);
            }
        }

        private static void MaxPlaneBackward(ref Job job, int plane)
        {
            PoolGeometry g = job.Geometry;
            float* dx = job.X + (long)plane * g.Height * g.Width;
            float* dy = job.Y + (long)plane * g.OutHeight * g.OutWidth;
            int* index = job.Index + (long)plane * g.OutHeight * g.OutWidth;
            // The vector path pays for its masked stores (slow on AMD cores) from about eight windows a row.
            if (g.Size == 2 && g.Stride == 2 && g.PadTop == 0 && g.PadLeft == 0 && g.OutWidth >= 8 && Simd.Level == SimdLevel.Vector512)
            {
                MaxPlaneBackward2x2(dy, index, dx, job.Gate is null ? null : job.Gate + (long)plane * g.OutHeight * g.OutWidth, job.GateSlope, g);
                return;
            }
            if (g.Size == 2 && g.Stride == 2 && g.PadTop == 0 && g.PadLeft == 0 && g.OutWidth >= 8 && Simd.Level == SimdLevel.Vector256 && Avx2.IsSupported)
            {
                MaxPlaneBackward2x2By8(dy, index, dx, job.Gate is null ? null : job.Gate + (long)plane * g.OutHeight * g.OutWidth, job.GateSlope, g);
                return;
            }
            new Span<float>(dx, g.Height * g.Width).Clear();
            int outputs = g.OutHeight * g.OutWidth;
            if (job.Gate is null)
            {
                for (int o = 0; o < outputs; o++)
                {
                    dx[index[o]] += dy[o];
                }
                return;
            }
            float* gate = job.Gate + (long)plane * outputs;
            for (int o = 0; o < outputs; o++)
            {
                dx[index[o]] += gate[o] > 0 ? dy[o] : job.GateSlope * dy[o];
            }
        }

        /// <summary>
        /// The gradient of the 2×2, stride-2, unpadded case, sixteen windows at a time: the windows do not
        /// overlap, so each pair of input rows is written once, whole — the gradient where the window's
        /// index points, zero elsewhere — with no clearing pass and no scattered adds. Loads are whole vectors except where
        /// they would leave the plane: lanes past a row's windows read the next row's gradients and indices, which never point
        /// into this pair of rows. Rows of at most sixteen windows (one block) are stored whole too unless that would leave the
        /// plane (masked stores cost several times more on AMD cores): the top row's spill is overwritten by the bottom row's
        /// store right after; the bottom row's (zeros, or a next-row gradient at a next-row position) lands on columns cleared
        /// below or on rows written later.
        /// </summary>
        /// <summary>
        /// <see cref="MaxPlaneBackward2x2"/> eight windows at a time with AVX2 (at least eight windows a row): each window's
        /// gradient goes to whichever of its four corners its index names, zeros to the other three, written as whole
        /// rows (in-lane unpacks put each corner pair side by side, vperm2f128 puts the lanes in order). A row's last eight
        /// windows start at <c>outWidth − 8</c>, writing the same values again where they overlap the ones before.
        /// </summary>
        private static void MaxPlaneBackward2x2By8(float* dy, int* index, float* dx, float* gate, float gateSlope, in PoolGeometry g)
        {
            int width = g.Width, outWidth = g.OutWidth;
            Vector256<int> evens = Vector256<int>.Indices * 2;
            Vector256<float> zero = Vector256<float>.Zero;
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                float* top = dx + 2 * oh * width, bottom = top + width;
                for (int start = 0; start < outWidth; start += 8)
                {
                    int ow = Math.Min(start, outWidth - 8);
                    long o = (long)oh * outWidth + ow;
                    Vector256<float> d = Vector256.Load(dy + o);
                    Vector256<int> at = Vector256.Load(index + o);
                    if (gate is not null)
                    {
                        d = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(gate + o), zero), d, d * gateSlope);
                    }
                    Vector256<int> corner = Vector256.Create(2 * oh * width + 2 * ow) + evens;
                    Vector256<float> a = Vector256.ConditionalSelect(Vector256.Equals(at, corner).AsSingle(), d, zero);
                    Vector256<float> b = Vector256.ConditionalSelect(Vector256.Equals(at, corner + Vector256<int>.One).AsSingle(), d, zero);
                    Vector256<float> c = Vector256.ConditionalSelect(Vector256.Equals(at, corner + Vector256.Create(width)).AsSingle(), d, zero);
                    Vector256<float> e = Vector256.ConditionalSelect(Vector256.Equals(at, corner + Vector256.Create(width + 1)).AsSingle(), d, zero);
                    StoreInterleaved(a, b, top + 2 * ow);
                    StoreInterleaved(c, e, bottom + 2 * ow);
                }
                if (width > 2 * outWidth)
                {
                    // Columns no window reaches.
                    new Span<float>(top + 2 * outWidth, width - 2 * outWidth).Clear();
                    new Span<float>(bottom + 2 * outWidth, width - 2 * outWidth).Clear();
                }
            }
            // Rows no window reaches.
            new Span<float>(dx + 2 * g.OutHeight * width, (g.Height - 2 * g.OutHeight) * width).Clear();

            // target[2i] = left[i], target[2i + 1] = right[i], i < 8.
            static void StoreInterleaved(Vector256<float> left, Vector256<float> right, float* target)
            {
                Vector256<float> low = Avx.UnpackLow(left, right), high = Avx.UnpackHigh(left, right);
                Avx.Permute2x128(low, high, 0x20).Store(target);
                Avx.Permute2x128(low, high, 0x31).Store(target + 8);
            }
        }

        private static void MaxPlaneBackward2x2(float* dy, int* index, float* dx, float* gate, float gateSlope, in PoolGeometry g)
        {
            int width = g.Width, outWidth = g.OutWidth;
            long planeSize = (long)g.Height * width, outputs = (long)g.OutHeight * outWidth;
            // Interleaving two 16-lane vectors into 32 floats: lanes 0..7 and 8..15 of each, alternately.
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            Vector512<int> high = low + Vector512.Create(8);
            Vector512<int> evens = Vector512<int>.Indices * 2;
            Vector512<float> zero = Vector512<float>.Zero;
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                float* top = dx + 2 * oh * width, bottom = top + width;
                for (int ow = 0; ow < outWidth; ow += 16)
                {
                    int windows = Math.Min(16, outWidth - ow);
                    long o = (long)oh * outWidth + ow;
                    Vector512<float> d, pooled = default;
                    Vector512<int> at;
                    if (o + 16 <= outputs)
                    {
                        d = Vector512.Load(dy + o);
                        at = Vector512.Load(index + o);
                        if (gate is not null)
                        {
                            pooled = Vector512.Load(gate + o);
                        }
                    }
                    else
                    {
                        Vector512<float> outMask = Mask(windows);
                        d = Avx512F.MaskLoad(dy + o, outMask, zero);
                        at = Avx512F.MaskLoad((float*)(index + o), outMask, zero).AsInt32();
                        if (gate is not null)
                        {
                            pooled = Avx512F.MaskLoad(gate + o, outMask, zero);
                        }
                    }
                    if (gate is not null)
                    {
                        d = Vector512.ConditionalSelect(Vector512.GreaterThan(pooled, zero), d, d * gateSlope);
                    }
                    Vector512<int> corner = Vector512.Create(2 * oh * width + 2 * ow) + evens;
                    Vector512<float> a = Vector512.ConditionalSelect(Vector512.Equals(at, corner).AsSingle(), d, zero);
                    Vector512<float> b = Vector512.ConditionalSelect(Vector512.Equals(at, corner + Vector512<int>.One).AsSingle(), d, zero);
                    Vector512<float> c = Vector512.ConditionalSelect(Vector512.Equals(at, corner + Vector512.Create(width)).AsSingle(), d, zero);
                    Vector512<float> e = Vector512.ConditionalSelect(Vector512.Equals(at, corner + Vector512.Create(width + 1)).AsSingle(), d, zero);
                    if (outWidth <= 16 && (2L * oh + 1) * width + 32 <= planeSize)
                    {
                        Avx512F.PermuteVar16x32x2(a, low, b).Store(top + 2 * ow);
                        Avx512F.PermuteVar16x32x2(a, high, b).Store(top + 2 * ow + 16);
                        Avx512F.PermuteVar16x32x2(c, low, e).Store(bottom + 2 * ow);
                        Avx512F.PermuteVar16x32x2(c, high, e).Store(bottom + 2 * ow + 16);
                    }
                    else
                    {
                        Vector512<float> lowMask = Mask(2 * windows), highMask = Mask(2 * windows - 16);
                        Avx512F.MaskStore(top + 2 * ow, lowMask, Avx512F.PermuteVar16x32x2(a, low, b));
                        Avx512F.MaskStore(top + 2 * ow + 16, highMask, Avx512F.PermuteVar16x32x2(a, high, b));
                        Avx512F.MaskStore(bottom + 2 * ow, lowMask, Avx512F.PermuteVar16x32x2(c, low, e));
                        Avx512F.MaskStore(bottom + 2 * ow + 16, highMask, Avx512F.PermuteVar16x32x2(c, high, e));
                    }
                }
                if (width > 2 * outWidth)
                {
                    // Columns no window reaches.
                    new Span<float>(top + 2 * outWidth, width - 2 * outWidth).Clear();
                    new Span<float>(bottom + 2 * outWidth, width - 2 * outWidth).Clear();
                }
            }
            // Rows no window reaches.
            new Span<float>(dx + 2 * g.OutHeight * width, (g.Height - 2 * g.OutHeight) * width).Clear();
        }

        /// <summary>Average pooling, dividing by the whole window (padding counts as zeros).</summary>
        public static void AverageForward(ReadOnlySpan<float> x, Span<float> y, int planes, in PoolGeometry g)
        {
            Check(x.Length, y.Length, planes, g);
            fixed (float* px = x, py = y)
            {
                var job = new Job { X = px, Y = py, Planes = planes, Geometry = g };
                ForEachPlane(ref job, Operation.AverageForward);
            }
        }

        private static void AveragePlane(ref Job job, int plane)
        {
            PoolGeometry g = job.Geometry;
            int height = g.Height, width = g.Width, size = g.Size, stride = g.Stride, outHeight = g.OutHeight, outWidth = g.OutWidth;
            float* x = job.X + (long)plane * height * width;
            float* y = job.Y + (long)plane * outHeight * outWidth;
            float scale = 1f / (size * size);
            for (int oh = 0; oh < outHeight; oh++)
            {
                int h0 = oh * stride - g.PadTop;
                int top = Math.Max(0, h0), bottom = Math.Min(height, h0 + size);
                for (int ow = 0; ow < outWidth; ow++)
                {
                    int w0 = ow * stride - g.PadLeft;
                    int left = Math.Max(0, w0), right = Math.Min(width, w0 + size);
                    float sum = 0;
                    for (int i = top; i < bottom; i++)
                    {
                        float* row = x + i * width;
                        for (int j = left; j < right; j++)
                        {
                            sum += row[j];
                        }
                    }
                    y[oh * outWidth + ow] = sum * scale;
                }
            }
        }

        /// <summary>dx = Σ over the windows covering each input of dy / window area; dx is overwritten.</summary>
        public static void AverageBackward(ReadOnlySpan<float> dy, Span<float> dx, int planes, in PoolGeometry g)
        {
            Check(dx.Length, dy.Length, planes, g);
            fixed (float* pdx = dx, pdy = dy)
            {
                var job = new Job { X = pdx, Y = pdy, Planes = planes, Geometry = g };
                ForEachPlane(ref job, Operation.AverageBackward);
            }
        }

        private static void AveragePlaneBackward(ref Job job, int plane)
        {
            PoolGeometry g = job.Geometry;
            float* dx = job.X + (long)plane * g.Height * g.Width;
            float* dy = job.Y + (long)plane * g.OutHeight * g.OutWidth;
            float scale = 1f / (g.Size * g.Size);
            new Span<float>(dx, g.Height * g.Width).Clear();
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                int h0 = oh * g.Stride - g.PadTop;
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    int w0 = ow * g.Stride - g.PadLeft;
                    float share = dy[oh * g.OutWidth + ow] * scale;
                    for (int i = Math.Max(0, h0); i < Math.Min(g.Height, h0 + g.Size); i++)
                    {
                        for (int j = Math.Max(0, w0); j < Math.Min(g.Width, w0 + g.Size); j++)
                        {
                            dx[i * g.Width + j] += share;
                        }
                    }
                }
            }
        }

        /// <summary>y[b, c] = mean of plane x[c, b, :, :]: channel-major in, batch-major [B, C] out.</summary>
        public static void GlobalAverageForward(ReadOnlySpan<float> x, Span<float> y, int channels, int batch, int planeSize)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int b = 0; b < batch; b++)
                {
                    y[b * channels + c] = System.Numerics.Tensors.TensorPrimitives.Sum(x.Slice((c * batch + b) * planeSize, planeSize)) / planeSize;
                }
            }
        }

        /// <summary>dx[c, b, :, :] = dy[b, c] / plane size.</summary>
        public static void GlobalAverageBackward(ReadOnlySpan<float> dy, Span<float> dx, int channels, int batch, int planeSize)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int b = 0; b < batch; b++)
                {
                    dx.Slice((c * batch + b) * planeSize, planeSize).Fill(dy[b * channels + c] / planeSize);
                }
            }
        }

        /// <summary>The argmax buffer of a max pooling, kept in a float workspace: the same bits, read as integers.</summary>
        public static Span<int> Indices(Span<float> workspace) => MemoryMarshal.Cast<float, int>(workspace);

        private static void Check(int inputLength, int outputLength, int planes, in PoolGeometry g)
        {
            long input = (long)planes * g.Height * g.Width, output = (long)planes * g.OutHeight * g.OutWidth;
            if (inputLength < input || outputLength < output)
            {
                throw new ArgumentException($"Pooling over {planes} planes needs {input} inputs and {output} outputs; got {inputLength} and {outputLength}.");
            }
        }
    }
}

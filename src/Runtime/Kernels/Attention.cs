using System;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// The core of multi-head self-attention, between the fused q/k/v projection and the output
    /// projection, exactly as PyTorch's <c>nn.MultiheadAttention(batch_first=True)</c>:
    /// <c>qkv [B, T, 3D]</c> holds q | k | v along the last axis, each <c>D = heads·dh</c> wide, head h
    /// being columns <c>[h·dh, (h+1)·dh)</c> of each; <c>S = q_h·k_hᵀ/√dh</c> (−∞ where masked),
    /// <c>P = softmax</c> over the keys, <c>P′ = P⊙dropout</c> in training, <c>out_h = P′·v_h</c>, and
    /// <c>output [B, T, D]</c> = the heads side by side.
    /// <para>
    /// Every (sample, head) pair is one block of work: its <c>T×T</c> scores are formed in the slot of
    /// <c>saved</c> that keeps P for backward, turned into P in place row by row, and multiplied by v
    /// while still in cache. Queries go in groups of <see cref="QueryBlock"/> rows; with a causal mask a
    /// group only looks at the keys up to its last query. The blocks write disjoint outputs and their
    /// arithmetic never depends on which thread runs them, so results are the same for any thread count.
    /// A query row with no visible key (a causal row before the first real token) gets P = 0 and output 0
    /// where PyTorch would give NaN.
    /// </para>
    /// </summary>
    public static unsafe class Attention
    {
        /// <summary>Query rows per group: a multiple of the 6- and 12-row product tiles.</summary>
        internal const int QueryBlock = 24;

        /// <summary>Below this many floating-point operations per thread, a job stays on one thread.</summary>
        private const long MinFlopsPerThread = 2_000_000;

        /// <summary>Each thread's workspace for one (sample, head) pair, grown when a larger pair comes along.</summary>
        [ThreadStatic]
        private static float[]? t_workspace;

        /// <summary>Floats of <c>saved</c> per sample: P before dropout, <c>[heads, T, T]</c>.</summary>
        public static int SavedSize(int steps, int heads) => checked(heads * steps * steps);

        /// <summary>Floats of <c>scratch</c> per sample for <see cref="Step(ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, int, int, int)"/>: one row of probabilities per head.</summary>
        public static int StepScratchSize(int maxSteps, int heads) => checked(heads * maxSteps);

        /// <summary>
        /// <c>output [B, T, D]</c> from <c>qkv [B, T, 3D]</c>; fills <paramref name="saved"/> (<c>B ×</c> <see cref="SavedSize"/>,
        /// P as <c>[B, heads, T, T]</c>) for <see cref="Backward"/>. <paramref name="keyPadding"/> <c>[B, T]</c> (nonzero = a
        /// masked key) or empty; <paramref name="causal"/>: key j &gt; query i is masked. <paramref name="dropoutMask"/>
        /// <c>[B, heads, T, T]</c> (0 or 1/(1−p)) multiplies P after the softmax, or is empty.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> qkv, Span<float> output, Span<float> saved, ReadOnlySpan<float> keyPadding, bool causal,
            ReadOnlySpan<float> dropoutMask, int batch, int steps, int heads, int headDim)
        {
            CheckShapes(qkv.Length, saved.Length, keyPadding.Length, dropoutMask.Length, batch, steps, heads, headDim);
            Recurrent.Require(output.Length, (long)batch * steps * heads * headDim, nameof(output));
            fixed (float* pQkv = qkv, pOutput = output, pSaved = saved, pPadding = keyPadding, pDropout = dropoutMask)
            {
                var job = new Job
                {
                    Qkv = pQkv,
                    Output = pOutput,
                    Saved = pSaved,
                    KeyPadding = keyPadding.IsEmpty ? null : pPadding,
                    Dropout = dropoutMask.IsEmpty ? null : pDropout,
                    Batch = batch,
                    Steps = steps,
                    Heads = heads,
                    HeadDim = headDim,
                    Causal = causal,
                };
                Run(&job, 4L * steps * steps * headDim, &ForwardBlock);
            }
        }

        /// <summary>
        /// <c>dQkv [B, T, 3D]</c> (overwritten) from <c>dOutput [B, T, D]</c>, given the forward pass's
        /// <paramref name="qkv"/>, <paramref name="saved"/>, masks and dropout mask.
        /// </summary>
        public static void Backward(ReadOnlySpan<float> qkv, ReadOnlySpan<float> saved, ReadOnlySpan<float> dOutput, Span<float> dQkv,
            ReadOnlySpan<float> keyPadding, bool causal, ReadOnlySpan<float> dropoutMask, int batch, int steps, int heads, int headDim)
        {
            CheckShapes(qkv.Length, saved.Length, keyPadding.Length, dropoutMask.Length, batch, steps, heads, headDim);
            Recurrent.Require(dOutput.Length, (long)batch * steps * heads * headDim, nameof(dOutput));
            Recurrent.Require(dQkv.Length, 3L * batch * steps * heads * headDim, nameof(dQkv));
            fixed (float* pQkv = qkv, pSaved = saved, pDOutput = dOutput, pDQkv = dQkv, pPadding = keyPadding, pDropout = dropoutMask)
            {
                var job = new Job
                {
                    Qkv = pQkv,
                    Saved = pSaved,
                    Output = pDOutput,
                    DQkv = pDQkv,
                    KeyPadding = keyPadding.IsEmpty ? null : pPadding,
                    Dropout = dropoutMask.IsEmpty ? null : pDropout,
                    Batch = batch,
                    Steps = steps,
                    Heads = heads,
                    HeadDim = headDim,
                    Causal = causal,
                };
                Run(&job, 8L * steps * steps * headDim, &BackwardBlock);
            }
        }

        /// <summary>
        /// One step of causal generation with a key/value cache: <c>qkvStep [B, 3D]</c> is the projection of
        /// the token at <paramref name="position"/> (0-based); its k and v are written to row
        /// <paramref name="position"/> of <c>keyCache, valueCache [B, maxSteps, D]</c>, and <c>output [B, D]</c>
        /// attends to positions <c>0..position</c> — the same values as that row of a causal <see cref="Forward"/>.
        /// <paramref name="scratch"/>: <c>B ×</c> <see cref="StepScratchSize"/>.
        /// </summary>
        public static void Step(ReadOnlySpan<float> qkvStep, Span<float> keyCache, Span<float> valueCache, Span<float> output, Span<float> scratch,
            int position, int batch, int maxSteps, int heads, int headDim) =>
            Step(qkvStep, keyCache, valueCache, output, scratch, ReadOnlySpan<float>.Empty, position, batch, maxSteps, heads, headDim);

        /// <summary>
        /// <see cref="Step(ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, int, int, int, int, int)"/> with the
        /// streams' key-padding flags <c>[B, maxSteps]</c> (1 = that position held padding; read for 0..position; empty for none):
        /// padding keys are masked as in <see cref="Forward"/>, and a position that sees no key outputs 0.
        /// </summary>
        public static void Step(ReadOnlySpan<float> qkvStep, Span<float> keyCache, Span<float> valueCache, Span<float> output, Span<float> scratch,
            ReadOnlySpan<float> keyPadding, int position, int batch, int maxSteps, int heads, int headDim)
        {
            CheckSizes(batch, maxSteps, heads, headDim);
            if (position < 0 || position >= maxSteps)
            {
                throw new ArgumentOutOfRangeException(nameof(position), position, $"The position must be in [0, {maxSteps}).");
            }
            long width = (long)heads * headDim;
            Recurrent.Require(qkvStep.Length, 3 * batch * width, nameof(qkvStep));
            Recurrent.Require(keyCache.Length, batch * maxSteps * width, nameof(keyCache));
            Recurrent.Require(valueCache.Length, batch * maxSteps * width, nameof(valueCache));
            Recurrent.Require(output.Length, batch * width, nameof(output));
            Recurrent.Require(scratch.Length, (long)batch * StepScratchSize(maxSteps, heads), nameof(scratch));
            if (!keyPadding.IsEmpty)
            {
                Recurrent.Require(keyPadding.Length, (long)batch * maxSteps, nameof(keyPadding));
            }
            fixed (float* pQkv = qkvStep, pKeys = keyCache, pValues = valueCache, pOutput = output, pScratch = scratch, pPadding = keyPadding)
            {
                var job = new StepJob
                {
                    KeyPadding = keyPadding.IsEmpty ? null : pPadding,
                    Qkv = pQkv,
                    Keys = pKeys,
                    Values = pValues,
                    Output = pOutput,
                    Scratch = pScratch,
                    Position = position,
                    MaxSteps = maxSteps,
                    Heads = heads,
                    HeadDim = headDim,
                };
                long flops = 4L * batch * heads * (position + 1) * headDim;
                int threads = (int)Math.Min(Parallelism.MaxThreads, Math.Max(1, flops / MinFlopsPerThread));
                WorkerPool.Run(batch * heads, threads, &StepBlock, &job);
            }
        }

        /// <summary>Runs <paramref name="body"/> on every (sample, head) pair, on as many threads as the work deserves.</summary>
        private static void Run(Job* job, long flopsPerPair, delegate*<void*, int, void> body)
        {
            int pairs = job->Batch * job->Heads;
            int threads = (int)Math.Min(Parallelism.MaxThreads, Math.Max(1, pairs * flopsPerPair / MinFlopsPerThread));
            WorkerPool.Run(pairs, threads, body, job);
        }

        /// <summary>One (sample, head) pair forward (a thin dispatcher: see <see cref="WorkerPool"/>).</summary>
        private static void ForwardBlock(void* state, int block)
        {
            ref Job job = ref *(Job*)state;
            ForwardPair(ref job, block / job.Heads, block % job.Heads);
        }

        /// <summary>One (sample, head) pair backward (a thin dispatcher).</summary>
        private static void BackwardBlock(void* state, int block)
        {
            ref Job job = ref *(Job*)state;
            BackwardPair(ref job, block / job.Heads, block % job.Heads);
        }

        /// <summary>One generation step of one (sample, head) pair (a thin dispatcher).</summary>
        private static void StepBlock(void* state, int block)
        {
            ref StepJob job = ref *(StepJob*)state;
            StepPair(ref job, block / job.Heads, block % job.Heads);
        }

        /// <summary>
        /// <c>P = softmax(q·kᵀ/√dh + mask)</c> into the pair's slot of saved, then <c>out = P′·v</c>, a group of
        /// queries at a time. Workspace: <c>kᵀ/√dh [dh, T]</c> and, with dropout, <c>P′ [T, T]</c>.
        /// </summary>
        private static void ForwardPair(ref Job job, int b, int h)
        {
            int steps = job.Steps, headDim = job.HeadDim, width = job.Heads * headDim, stride = 3 * width;
            float* q = job.Qkv + (nint)b * steps * stride + h * headDim, k = q + width, v = q + 2 * width;
            nint pairOffset = ((nint)b * job.Heads + h) * steps * steps;
            float* p = job.Saved + pairOffset;
            float* dropout = job.Dropout is null ? null : job.Dropout + pairOffset;
            float* padding = job.KeyPadding is null ? null : job.KeyPadding + (nint)b * steps;
            float* output = job.Output + (nint)b * steps * width + h * headDim;
            float scale = 1f / MathF.Sqrt(headDim);
            SimdLevel level = Simd.Level;
            fixed (float* workspace = Workspace(headDim * steps + (dropout is null ? 0 : steps * steps)))
            {
                float* keysT = workspace, weights = dropout is null ? p : workspace + headDim * steps;
                Transpose(k, stride, keysT, steps, headDim, scale);
                for (int first = 0; first < steps; first += QueryBlock)
                {
                    int rows = Math.Min(QueryBlock, steps - first), keys = job.Causal ? first + rows : steps;
                    float* pRows = p + (nint)first * steps;
                    Gemm.SerialNN(rows, keys, headDim, q + (nint)first * stride, stride, keysT, steps, pRows, steps, false, Epilogue.None, null);
                    for (int i = first; i < first + rows; i++)
                    {
                        SoftmaxRow(p + (nint)i * steps, job.Causal ? i + 1 : steps, steps, padding, level);
                    }
                    if (dropout is not null)
                    {
                        nint offset = (nint)first * steps, count = (nint)rows * steps;
                        TensorPrimitives.Multiply(new ReadOnlySpan<float>(pRows, (int)count), new ReadOnlySpan<float>(dropout + offset, (int)count),
                            new Span<float>(weights + offset, (int)count));
                    }
                    Gemm.SerialNN(rows, headDim, keys, weights + (nint)first * steps, steps, v, stride, output + (nint)first * width, width,
                        false, Epilogue.None, null);
                }
            }
        }

        /// <summary>
        /// One pair backward: <c>dP′ = dO·vᵀ</c>, <c>dS = P⊙(dP − Σ P·dP)/√dh</c> with <c>dP = dP′⊙dropout</c>,
        /// <c>dq = dS·k</c>; then <c>dk = dSᵀ·q</c> and <c>dv = P′ᵀ·dO</c> a group of keys at a time (with a causal
        /// mask, only the queries from the group's first key on). Workspace: <c>vᵀ [dh, T]</c>, <c>dS [T, T]</c> and,
        /// with dropout, <c>P′ [T, T]</c>.
        /// </summary>
        private static void BackwardPair(ref Job job, int b, int h)
        {
            int steps = job.Steps, headDim = job.HeadDim, width = job.Heads * headDim, stride = 3 * width;
            nint sampleOffset = (nint)b * steps * stride + h * headDim;
            float* q = job.Qkv + sampleOffset, k = q + width, v = q + 2 * width;
            float* dq = job.DQkv + sampleOffset, dk = dq + width, dv = dq + 2 * width;
            float* dOutput = job.Output + (nint)b * steps * width + h * headDim;
            nint pairOffset = ((nint)b * job.Heads + h) * steps * steps;
            float* p = job.Saved + pairOffset;
            float* dropout = job.Dropout is null ? null : job.Dropout + pairOffset;
            float scale = 1f / MathF.Sqrt(headDim);
            SimdLevel level = Simd.Level;
            int square = steps * steps;
            fixed (float* workspace = Workspace(headDim * steps + square + (dropout is null ? 0 : square)))
            {
                float* valuesT = workspace, dScores = workspace + headDim * steps;
                float* weights = dropout is null ? p : dScores + square;
                Transpose(v, stride, valuesT, steps, headDim, 1f);
                for (int first = 0; first < steps; first += QueryBlock)
                {
                    int rows = Math.Min(QueryBlock, steps - first), keys = job.Causal ? first + rows : steps;
                    nint offset = (nint)first * steps;
                    Gemm.SerialNN(rows, keys, headDim, dOutput + (nint)first * width, width, valuesT, steps, dScores + offset, steps,
                        false, Epilogue.None, null);
                    for (int i = first; i < first + rows; i++)
                    {
                        nint row = (nint)i * steps;
                        SoftmaxGradientRow(p + row, dropout is null ? null : dropout + row, dScores + row, keys, scale, level);
                        if (dropout is not null)
                        {
                            TensorPrimitives.Multiply(new ReadOnlySpan<float>(p + row, keys), new ReadOnlySpan<float>(dropout + row, keys),
                                new Span<float>(weights + row, keys));
                        }
                    }
                    Gemm.SerialNN(rows, headDim, keys, dScores + offset, steps, k, stride, dq + (nint)first * stride, stride, false, Epilogue.None, null);
                }
                for (int first = 0; first < steps; first += QueryBlock)
                {
                    // Keys [first, first + count) hear from queries [from, T): with a causal mask, none before the group.
                    int count = Math.Min(QueryBlock, steps - first), from = job.Causal ? first : 0, queries = steps - from;
                    nint corner = (nint)from * steps + first;
                    Gemm.SerialTN(count, headDim, queries, dScores + corner, steps, q + (nint)from * stride, stride, dk + (nint)first * stride, stride, false);
                    Gemm.SerialTN(count, headDim, queries, weights + corner, steps, dOutput + (nint)from * width, width, dv + (nint)first * stride, stride, false);
                }
            }
        }

        /// <summary>
        /// One generation step of a pair: store k and v at the position, <c>P = softmax(q·kᵀ/√dh)</c> over
        /// positions <c>0..position</c> (with the same scaled keys and row softmax as <see cref="Forward"/>),
        /// <c>out = P·v</c>.
        /// </summary>
        private static void StepPair(ref StepJob job, int b, int h)
        {
            int headDim = job.HeadDim, width = job.Heads * headDim, keys = job.Position + 1;
            float* q = job.Qkv + (nint)b * 3 * width + h * headDim;
            nint cacheOffset = (nint)b * job.MaxSteps * width + h * headDim;
            float* keyCache = job.Keys + cacheOffset, valueCache = job.Values + cacheOffset;
            nint slot = (nint)job.Position * width;
            new ReadOnlySpan<float>(q + width, headDim).CopyTo(new Span<float>(keyCache + slot, headDim));
            new ReadOnlySpan<float>(q + 2 * width, headDim).CopyTo(new Span<float>(valueCache + slot, headDim));
            float* weights = job.Scratch + ((nint)b * job.Heads + h) * job.MaxSteps;
            float scale = 1f / MathF.Sqrt(headDim);
            for (int j = 0; j < keys; j++)
            {
                float* key = keyCache + (nint)j * width;
                float sum = 0;
                for (int d = 0; d < headDim; d++)
                {
                    sum += q[d] * (key[d] * scale);
                }
                weights[j] = sum;
            }
            SoftmaxRow(weights, keys, keys, job.KeyPadding is null ? null : job.KeyPadding + (nint)b * job.MaxSteps, Simd.Level);
            var output = new Span<float>(job.Output + (nint)b * width + h * headDim, headDim);
            output.Clear();
            for (int j = 0; j < keys; j++)
            {
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(valueCache + (nint)j * width, headDim), weights[j], output, output);
            }
        }

        /// <summary><c>target[d, j] = source[j, d]·scale</c>: a head's <c>[T, dh]</c> slice (rows <paramref name="stride"/> apart) as <c>[dh, T]</c>.</summary>
        private static void Transpose(float* source, int stride, float* target, int steps, int headDim, float scale) =>
            Kernels.Transpose.Copy(source, steps, headDim, stride, target, steps, scale);

        /// <summary>
        /// One row of scores becomes probabilities in place: softmax over the first <paramref name="keys"/>
        /// values, skipping those whose <paramref name="padding"/> is nonzero (null: none), and zeros up to
        /// <paramref name="width"/>. A row with no visible key becomes all zeros.
        /// </summary>
        internal static void SoftmaxRow(float* row, int keys, int width, float* padding, SimdLevel level)
        {
            float max = MaskedMax(row, keys, padding, level);
            if (float.IsNegativeInfinity(max))
            {
                new Span<float>(row, width).Clear();
                return;
            }
            float sum = ExponentiateAndSum(row, keys, padding, max, level);
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(row, keys), 1f / sum, new Span<float>(row, keys));
            new Span<float>(row + keys, width - keys).Clear();
        }

        /// <summary>The largest value of the row among its visible keys (−∞ if none).</summary>
        private static float MaskedMax(float* row, int n, float* padding, SimdLevel level)
        {
            int j = 0;
            float max = float.NegativeInfinity;
            if (level == SimdLevel.Vector512 && n >= Vector512<float>.Count)
            {
                Vector512<float> best = Vector512.Create(float.NegativeInfinity);
                for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    Vector512<float> s = Vector512.Load(row + j);
                    if (padding is not null)
                    {
                        s = Vector512.ConditionalSelect(Vector512.Equals(Vector512.Load(padding + j), Vector512<float>.Zero), s, best);
                    }
                    best = Vector512.Max(best, s);
                }
                max = HorizontalMax(best.GetLower());
                max = Math.Max(max, HorizontalMax(best.GetUpper()));
            }
            if (level >= SimdLevel.Vector256 && n - j >= Vector256<float>.Count)
            {
                Vector256<float> best = Vector256.Create(max);
                for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    Vector256<float> s = Vector256.Load(row + j);
                    if (padding is not null)
                    {
                        s = Vector256.ConditionalSelect(Vector256.Equals(Vector256.Load(padding + j), Vector256<float>.Zero), s, best);
                    }
                    best = Vector256.Max(best, s);
                }
                max = HorizontalMax(best);
            }
            if (level >= SimdLevel.Vector128 && n - j >= Vector128<float>.Count)
            {
                Vector128<float> best = Vector128.Create(max);
                for (; j <= n - Vector128<float>.Count; j += Vector128<float>.Count)
                {
                    Vector128<float> s = Vector128.Load(row + j);
                    if (padding is not null)
                    {
                        s = Vector128.ConditionalSelect(Vector128.Equals(Vector128.Load(padding + j), Vector128<float>.Zero), s, best);
                    }
                    best = Vector128.Max(best, s);
                }
                max = HorizontalMax(best);
            }
            for (; j < n; j++)
            {
                if (padding is null || padding[j] == 0)
                {
                    max = Math.Max(max, row[j]);
                }
            }
            return max;
        }

        private static float HorizontalMax(Vector256<float> v)
        {
            return HorizontalMax(Vector128.Max(v.GetLower(), v.GetUpper()));
        }

        private static float HorizontalMax(Vector128<float> m) => Math.Max(Math.Max(m[0], m[1]), Math.Max(m[2], m[3]));

        /// <summary><c>row[j] = e^(row[j] − max)</c> at visible keys, 0 at masked ones; returns their sum.</summary>
        private static float ExponentiateAndSum(float* row, int n, float* padding, float max, SimdLevel level)
        {
            int j = 0;
            float sum = 0;
            if (level == SimdLevel.Vector512 && n >= Vector512<float>.Count)
            {
                Vector512<float> m = Vector512.Create(max), total = Vector512<float>.Zero;
                for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    Vector512<float> e = FloatMath.Exp(Vector512.Load(row + j) - m);
                    if (padding is not null)
                    {
                        e = Vector512.ConditionalSelect(Vector512.Equals(Vector512.Load(padding + j), Vector512<float>.Zero), e, Vector512<float>.Zero);
                    }
                    e.Store(row + j);
                    total += e;
                }
                sum = Vector512.Sum(total);
            }
            if (level >= SimdLevel.Vector256 && n - j >= Vector256<float>.Count)
            {
                Vector256<float> m = Vector256.Create(max), total = Vector256<float>.Zero;
                for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    Vector256<float> e = FloatMath.Exp(Vector256.Load(row + j) - m);
                    if (padding is not null)
                    {
                        e = Vector256.ConditionalSelect(Vector256.Equals(Vector256.Load(padding + j), Vector256<float>.Zero), e, Vector256<float>.Zero);
                    }
                    e.Store(row + j);
                    total += e;
                }
                sum += Vector256.Sum(total);
            }
            if (level >= SimdLevel.Vector128 && n - j >= Vector128<float>.Count)
            {
                Vector128<float> m = Vector128.Create(max), total = Vector128<float>.Zero;
                for (; j <= n - Vector128<float>.Count; j += Vector128<float>.Count)
                {
                    Vector128<float> e = FloatMath.Exp(Vector128.Load(row + j) - m);
                    if (padding is not null)
                    {
                        e = Vector128.ConditionalSelect(Vector128.Equals(Vector128.Load(padding + j), Vector128<float>.Zero), e, Vector128<float>.Zero);
                    }
                    e.Store(row + j);
                    total += e;
                }
                sum += Vector128.Sum(total);
            }
            for (; j < n; j++)
            {
                float e = padding is null || padding[j] == 0 ? FloatMath.Exp(row[j] - max) : 0f;
                row[j] = e;
                sum += e;
            }
            return sum;
        }

        /// <summary>
        /// One row of the softmax's backward: <paramref name="gradient"/> holds <c>dP′</c> and becomes
        /// <c>dS = scale·P⊙(dP − Σ P·dP)</c> with <c>dP = dP′⊙dropout</c> (<paramref name="dropout"/> null: none).
        /// </summary>
        private static void SoftmaxGradientRow(float* p, float* dropout, float* gradient, int n, float scale, SimdLevel level)
        {
            float dot = dropout is null ? Dot(p, gradient, null, n, level) : Dot(p, gradient, dropout, n, level);
            int j = 0;
            if (level == SimdLevel.Vector512)
            {
                Vector512<float> c = Vector512.Create(dot), s = Vector512.Create(scale);
                for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    Vector512<float> g = Vector512.Load(gradient + j);
                    if (dropout is not null)
                    {
                        g *= Vector512.Load(dropout + j);
                    }
                    ((g - c) * Vector512.Load(p + j) * s).Store(gradient + j);
                }
            }
            if (level >= SimdLevel.Vector256)
            {
                Vector256<float> c = Vector256.Create(dot), s = Vector256.Create(scale);
                for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    Vector256<float> g = Vector256.Load(gradient + j);
                    if (dropout is not null)
                    {
                        g *= Vector256.Load(dropout + j);
                    }
                    ((g - c) * Vector256.Load(p + j) * s).Store(gradient + j);
                }
            }
            if (level >= SimdLevel.Vector128)
            {
                Vector128<float> c = Vector128.Create(dot), s = Vector128.Create(scale);
                for (; j <= n - Vector128<float>.Count; j += Vector128<float>.Count)
                {
                    Vector128<float> g = Vector128.Load(gradient + j);
                    if (dropout is not null)
                    {
                        g *= Vector128.Load(dropout + j);
                    }
                    ((g - c) * Vector128.Load(p + j) * s).Store(gradient + j);
                }
            }
            for (; j < n; j++)
            {
                float g = dropout is null ? gradient[j] : gradient[j] * dropout[j];
                gradient[j] = (g - dot) * p[j] * scale;
            }
        }

        /// <summary><c>Σ p·g</c>, or <c>Σ p·g·m</c> when <paramref name="m"/> is not null, over n values.</summary>
        private static float Dot(float* p, float* g, float* m, int n, SimdLevel level)
        {
            int j = 0;
            float sum = 0;
            if (level == SimdLevel.Vector512 && n >= Vector512<float>.Count)
            {
                Vector512<float> total = Vector512<float>.Zero;
                for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    Vector512<float> x = Vector512.Load(p + j);
                    if (m is not null)
                    {
                        x *= Vector512.Load(m + j);
                    }
                    total = Vector512.FusedMultiplyAdd(x, Vector512.Load(g + j), total);
                }
                sum = Vector512.Sum(total);
            }
            if (level >= SimdLevel.Vector256 && n - j >= Vector256<float>.Count)
            {
                Vector256<float> total = Vector256<float>.Zero;
                for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    Vector256<float> x = Vector256.Load(p + j);
                    if (m is not null)
                    {
                        x *= Vector256.Load(m + j);
                    }
                    total = Vector256.FusedMultiplyAdd(x, Vector256.Load(g + j), total);
                }
                sum += Vector256.Sum(total);
            }
            if (level >= SimdLevel.Vector128 && n - j >= Vector128<float>.Count)
            {
                Vector128<float> total = Vector128<float>.Zero;
                for (; j <= n - Vector128<float>.Count; j += Vector128<float>.Count)
                {
                    Vector128<float> x = Vector128.Load(p + j);
                    if (m is not null)
                    {
                        x *= Vector128.Load(m + j);
                    }
                    total = Vector128.MultiplyAddEstimate(x, Vector128.Load(g + j), total);
                }
                sum += Vector128.Sum(total);
            }
            for (; j < n; j++)
            {
                float x = m is null ? p[j] : p[j] * m[j];
                sum = MathF.FusedMultiplyAdd(x, g[j], sum);
            }
            return sum;
        }

        /// <summary>This thread's workspace of at least <paramref name="length"/> floats (allocated once, then reused).</summary>
        private static float[] Workspace(int length)
        {
            float[]? workspace = t_workspace;
            if (workspace is null || workspace.Length < length)
            {
                t_workspace = workspace = new float[length];
            }
            return workspace;
        }

        private static void CheckSizes(int batch, int steps, int heads, int headDim)
        {
            if (batch < 0 || steps < 1 || heads < 1 || headDim < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(steps),
                    $"Need batch ≥ 0, steps ≥ 1, heads ≥ 1, headDim ≥ 1: batch={batch}, steps={steps}, heads={heads}, headDim={headDim}.");
            }
        }

        private static void CheckShapes(int qkv, int saved, int keyPadding, int dropoutMask, int batch, int steps, int heads, int headDim)
        {
            CheckSizes(batch, steps, heads, headDim);
            Recurrent.Require(qkv, 3L * batch * steps * heads * headDim, nameof(qkv));
            Recurrent.Require(saved, (long)batch * SavedSize(steps, heads), nameof(saved));
            if (keyPadding != 0)
            {
                Recurrent.Require(keyPadding, (long)batch * steps, nameof(keyPadding));
            }
            if (dropoutMask != 0)
            {
                Recurrent.Require(dropoutMask, (long)batch * SavedSize(steps, heads), nameof(dropoutMask));
            }
        }

        /// <summary>
        /// A forward or backward pass over a batch: <c>Qkv [B, T, 3D]</c>, <c>Saved</c> = P <c>[B, heads, T, T]</c>,
        /// <c>Output [B, T, D]</c> (forward: the output; backward: dOutput), <c>DQkv [B, T, 3D]</c> (backward),
        /// <c>KeyPadding [B, T]</c> and <c>Dropout [B, heads, T, T]</c> (or null).
        /// </summary>
        private struct Job
        {
            public float* Qkv, Saved, Output, DQkv, KeyPadding, Dropout;
            public int Batch, Steps, Heads, HeadDim;
            public bool Causal;
        }

        /// <summary>A generation step: <c>Qkv [B, 3D]</c>, the caches <c>[B, maxSteps, D]</c>, <c>Output [B, D]</c>, <c>Scratch [B, heads, maxSteps]</c>.</summary>
        private struct StepJob
        {
            public float* Qkv, Keys, Values, Output, Scratch, KeyPadding;
            public int Position, MaxSteps, Heads, HeadDim;
        }
    }
}

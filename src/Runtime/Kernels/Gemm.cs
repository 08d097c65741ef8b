using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// The one seam through which all matrix products pass: the three row-major products a dense
    /// layer needs. Every operand is row-major and dense (leading dimension = column count).
    /// <para>
    /// Hand-written rather than a BLAS: NetGen ships no native code, and these shapes (a batch of
    /// tens of rows against weights of hundreds) are where a general library loses the most. None
    /// of the three needs packing: <c>X·Wᵀ</c> runs a dot-product kernel along k (both operands
    /// contiguous there); <c>dZ·W</c> and <c>dZᵀ·X</c> run a broadcast kernel that reads B's rows in
    /// place. Each product is cut into fixed column blocks that threads claim one by one; a block's
    /// arithmetic never depends on who computes it, so results are bit-identical for any thread count.
    /// </para>
    /// </summary>
    public static unsafe class Gemm
    {
        /// <summary>
        /// Below this many floating-point operations per thread, a product stays on one thread: a part
        /// of 64 K FLOPs is about a microsecond of arithmetic, several times a fork/join's cost while the
        /// helper is awake (~0.2 µs). Measured on two cores: products from 0.16 MFLOP up (W2's 128→64
        /// and, at batch 128, 64→10 layers) ran 30-45% faster split. Settable only so that a benchmark
        /// can force a split and measure what it would gain.
        /// </summary>
        internal static long MinFlopsPerPart { get; set; } = 64 * 1024;

        /// <summary>
        /// Products shallower than this (multiply-adds per output) need <see cref="ShallowPenalty"/> times
        /// as many FLOPs per thread: they are mostly stores, and handing half of C to another core cost
        /// more than it saved (<c>[128,10]·[10,64]</c>: 1.2-1.4× slower on two threads).
        /// </summary>
        private const int MinDepthToSplit = 16;

        private const long ShallowPenalty = 32;

        /// <summary>Below this many multiply-adds, tiles cost more than they save: plain loops do the product.</summary>
        private const long TinyProduct = 2048;

        /// <summary>
        /// Dot products longer than this are done in chunks of this length (a multiple of every vector
        /// width): each chunk's slices of A and B stay in cache while all tiles pass. The boundaries are
        /// fixed, so the sums are the same for any thread count.
        /// </summary>
        private const int DotChunk = 1024;

        /// <summary>
        /// With 256-bit vectors, broadcast tiles walk the shared dimension k in pieces: over all of k, a strip of B and the rows
        /// of A beside it outgrow the L1 cache and its TLB (W1's weight gradient at batch 256, <c>dZᵀ·X</c> with k = 256, reads
        /// A and B each a row 2–3 KB apart: some 300 pages per tile), and every tile of a strip then reads them from L2. A
        /// weight gradient (TN: both operands strided) goes 32 rows of k at a time, the others (NN) 128; products with k ≤ 128
        /// (W1's and W2's at batch 64) fit as they are (in pieces, their training steps measured 1–2% slower, within the
        /// noise). The accumulators go to C and come back between pieces, whose boundaries are fixed, so the sums do not
        /// depend on the thread count. Measured on Zen 4 limited to AVX2 (`gemm` probe, one thread): 500×784×256 TN 69–70% →
        /// 76–79% of the peak, 256×784×500 NN 76–79% → 81–88% (with pieces of 32 it fell to 74%); whole steps W5 −5 to −9%,
        /// W6 −2 to −4%. AVX-512 tiles (32 columns: twice the work per line of B) measured slower in pieces and keep whole k.
        /// </summary>
        private static int BroadcastPiece(Product product, SimdLevel level, int k) =>
            level != SimdLevel.Vector256 || k <= 128 ? k : product == Product.TN ? 32 : 128;

        /// <summary>Rows per block of a row-partitioned product: two 12-row AVX-512 tiles, four 6-row AVX2 or Vector128 ones.</summary>
        private const int RowBlock = 24;

        /// <summary>The fewest blocks a weight gradient (TN) is cut into, parting its columns when its rows make fewer.</summary>
        private const int MinBlocks = 8;

        private enum Product
        {
            NT,
            NN,
            TN,
        }

        private struct Job
        {
            public Product Product;
            public SimdLevel Level;
            public int M, N, K, BlockColumns, ColumnParts, PartColumns;
            public nint Lda, Ldb;
            public float* A, B, C, Bias, Y, ColumnSums, RowBias;
            public bool Accumulate, ByColumns;
            public Epilogue Epilogue;
        }

        /// <summary><c>C[m,n] = A[m,k]·B[n,k]ᵀ</c>, or <c>+=</c> when <paramref name="accumulate"/>: a dense forward, <c>x·Wᵀ</c>.</summary>
        public static void MultiplyNT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate) =>
            MultiplyNT(m, n, k, a, b, c, accumulate, ReadOnlySpan<float>.Empty);

        /// <summary><c>C[m,n] = A[m,k]·B[n,k]ᵀ + bias[n]</c> (or <c>+=</c>): a dense forward with its bias fused.</summary>
        public static void MultiplyNT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate,
            ReadOnlySpan<float> bias)
        {
            MultiplyNT(m, n, k, a, b, c, accumulate, bias, Epilogue.None);
        }

        /// <summary><c>C = epilogue(A·Bᵀ + bias)</c>: a dense forward with bias and a cheap activation fused.</summary>
        internal static void MultiplyNT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate,
            ReadOnlySpan<float> bias, Epilogue epilogue)
        {
            CheckSizes(m, n, k, a.Length, (long)m * k, b.Length, (long)n * k, c.Length);
            if (!bias.IsEmpty && bias.Length < n)
            {
                throw new ArgumentException($"The bias has {bias.Length} values; the product has {n} columns.", nameof(bias));
            }
            if (BroadcastsTransposed(m, n, k) && !Epilogues.ReadsY(epilogue))
            {
                MultiplyNTAsNN(m, n, k, a, b, c, accumulate, bias, epilogue);
                return;
            }
            if (TransposesOutput(m, n, k, accumulate, epilogue))
            {
                MultiplyNTTransposed(m, n, k, a, b, c, bias, epilogue);
                return;
            }
            Run(Product.NT, m, n, k, a, b, c, accumulate, bias, epilogue, ReadOnlySpan<float>.Empty, Span<float>.Empty, ReadOnlySpan<float>.Empty);
        }

        /// <summary>Rows of A (samples) per block of <see cref="MultiplyNTTransposed"/>: one 32-column AVX-512 broadcast tile.</summary>
        private const int TransposedRows = 32;

        /// <summary>
        /// Whether <c>A·Bᵀ</c> with long dot products (k &gt; 256: W1's 784→500 layer) runs as <c>Cᵀ = B·Aᵀ</c> by broadcast
        /// tiles, 32 rows of A at a time: with AVX-512 only, where the dot tiles' closing horizontal sums leave the product at
        /// 85–91% of the peak and the broadcast tiles reach 95–98% (measured on Zen 4, one thread, 64×500×784: 487 → 450 µs, both
        /// transposes included; 256×500×784: 1,975 → 1,842 µs). With AVX2 the two ran alike (512 and 515 µs). The choice never
        /// depends on the thread count, so neither do the bits.
        /// </summary>
        private static bool TransposesOutput(int m, int n, int k, bool accumulate, Epilogue epilogue) =>
            Simd.Level == SimdLevel.Vector512 && k > 256 && m >= TransposedRows && n >= 16 && !accumulate && !Epilogues.ReadsY(epilogue);

        [ThreadStatic]
        private static AlignedBuffer? t_transposedRows;

        /// <summary>
        /// <c>C = epilogue(A·Bᵀ + bias)</c> a block of <see cref="TransposedRows"/> rows of A at a time (and, when the blocks do
        /// not share out evenly, a part of B's rows): the block's rows transposed into scratch (<c>Aᵀ [k, 32]</c>),
        /// <c>Cᵀ [n, 32] = B·Aᵀ</c> by broadcast tiles with the bias starting each row's sums, then transposed into C. A block's
        /// arithmetic does not depend on the others or on how B's rows were parted.
        /// </summary>
        private static void MultiplyNTTransposed(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
            ReadOnlySpan<float> bias, Epilogue epilogue)
        {
            fixed (float* pa = a, pb = b, pc = c, pbias = bias)
            {
                var job = new Job
                {
                    Product = Product.NT,
                    Level = Simd.Level,
                    M = m,
                    N = n,
                    K = k,
                    A = pa,
                    B = pb,
                    C = pc,
                    Bias = bias.IsEmpty ? null : pbias,
                    Epilogue = epilogue,
                };
                // Blocks of A's rows, each parted in rows of B when they do not share out evenly between the threads: at
                // multiples of 12 rows, so every part is tiled as the whole (12-row tiles, then the same 4-row remainder).
                int blocks = (m + TransposedRows - 1) / TransposedRows, threads = Threads(2L * m * n * k, k);
                int parts = blocks % threads == 0 ? 1 : threads;
                job.ColumnParts = parts;
                job.PartColumns = (n / parts + 11) / 12 * 12;
                WorkerPool.Run(blocks * parts, threads, &TransposedBlock, &job);
            }
        }

        // A thin dispatcher (see WorkerPool).
        private static void TransposedBlock(void* state, int block)
        {
            ref Job job = ref *(Job*)state;
            int first = block / job.ColumnParts * TransposedRows, rows = Math.Min(TransposedRows, job.M - first);
            int from = Math.Min(job.N, block % job.ColumnParts * job.PartColumns);
            int to = block % job.ColumnParts == job.ColumnParts - 1 ? job.N : Math.Min(job.N, from + job.PartColumns);
            if (to <= from)
            {
                return;
            }
            fixed (float* scratch = AlignedBuffer.Grown(ref t_transposedRows, (long)(job.K + job.N) * TransposedRows).Span)
            {
                float* aT = scratch, cT = scratch + (long)job.K * TransposedRows;
                Transpose.Copy(job.A + (long)first * job.K, rows, job.K, job.K, aT, TransposedRows);
                Gemm512.BroadcastTile(to - from, rows, job.K, job.B + (long)from * job.K, job.K, 1, aT, TransposedRows, cT, TransposedRows,
                    accumulate: false, job.Epilogue, null, job.Bias is null ? null : job.Bias + from, null);
                Transpose.Copy(cT, to - from, rows, TransposedRows, job.C + (long)first * job.N + from, job.N);
            }
        }

        /// <summary>
        /// Whether <c>A·Bᵀ</c> runs as broadcast tiles over a transposed copy of B: short dot products (k ≤ 256, a Transformer's
        /// or a small network's layers) over enough rows and columns. Dot tiles end every output with a horizontal sum, which at
        /// k = 64 costs as much as the multiply-adds (measured on Zen 4, one thread, 2048×192×64: 62 GFLOP/s as dot products,
        /// 98 transposed, the copy included; 2048×64×256: 89 and 111). Fewer rows do not repay the copy; fewer columns than one
        /// broadcast tile leave it mostly masked (64×10×64: 39 and 26).
        /// </summary>
        private static bool BroadcastsTransposed(int m, int n, int k) => k <= 256 && m >= 16 && n >= 32 && (long)m * n * k > TinyProduct;

        [ThreadStatic]
        private static AlignedBuffer? t_transposedB;

        /// <summary>
        /// <c>C = epilogue(A·Bᵀ + bias)</c> as <c>A·(Bᵀ)</c>: B [n, k] transposed into this thread's scratch (workers only read it
        /// during this call), the broadcast tiles' accumulators starting from the bias (see <see cref="BroadcastStrip"/>).
        /// </summary>
        private static void MultiplyNTAsNN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate,
            ReadOnlySpan<float> bias, Epilogue epilogue)
        {
            Span<float> bT;
            fixed (float* source = b)
            {
                bT = new Span<float>(TransposedB(source, n, k, k), n * k);
            }
            Run(Product.NN, m, n, k, a, bT, c, accumulate, bias.IsEmpty ? bias : bias.Slice(0, n), epilogue, ReadOnlySpan<float>.Empty,
                Span<float>.Empty, ReadOnlySpan<float>.Empty);
        }

        /// <summary>
        /// <c>C[m,n] (+)= A[m,k]·B[n,k]ᵀ</c> on this thread as broadcast tiles over Bᵀ (in this thread's scratch): for kernels that
        /// split the work themselves and whose dot products are short (a convolution's weight gradient over a chunk's positions).
        /// </summary>
        internal static void SerialNTAsNN(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate) =>
            SerialNN(m, n, k, a, lda, TransposedB(b, n, k, ldb), n, c, ldc, accumulate, Epilogue.None, null);

        /// <summary>B [n, k] (rows <paramref name="ldb"/> apart) transposed into this thread's scratch, [k, n]: grown once, then reused.</summary>
        private static float* TransposedB(float* b, int n, int k, nint ldb)
        {
            fixed (float* target = AlignedBuffer.Grown(ref t_transposedB, (long)n * k).Span)
            {
                Transpose.Copy(b, n, k, ldb, target, n);
                return target;
            }
        }

        /// <summary><c>C[m,n] = A[m,k]·B[k,n]</c>, or <c>+=</c>: a dense input gradient, <c>dZ·W</c>.</summary>
        public static void MultiplyNN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        {
            MultiplyNN(m, n, k, a, b, c, accumulate, Epilogue.None, ReadOnlySpan<float>.Empty);
        }

        /// <summary><c>C = (A·B) ⊙ f′(y)</c>: an input gradient with the previous layer's activation derivative fused.</summary>
        internal static void MultiplyNN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate,
            Epilogue epilogue, ReadOnlySpan<float> y) =>
            MultiplyNN(m, n, k, a, b, c, accumulate, epilogue, y, ReadOnlySpan<float>.Empty);

        /// <summary>
        /// <c>C = epilogue(A·B + rowBias[m])</c>: a convolution, <c>W·col</c>, with its per-filter bias
        /// starting the accumulators and its activation (or a derivative of <paramref name="y"/>) applied at the store.
        /// </summary>
        internal static void MultiplyNN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate,
            Epilogue epilogue, ReadOnlySpan<float> y, ReadOnlySpan<float> rowBias)
        {
            CheckSizes(m, n, k, a.Length, (long)m * k, b.Length, (long)k * n, c.Length);
            if (!rowBias.IsEmpty && rowBias.Length < m)
            {
                throw new ArgumentException($"The row bias has {rowBias.Length} values; the product has {m} rows.", nameof(rowBias));
            }
            if (Epilogues.ReadsY(epilogue) && y.Length < (long)m * n)
            {
                throw new ArgumentException($"The activations have {y.Length} values; the product has {(long)m * n}.", nameof(y));
            }
            Run(Product.NN, m, n, k, a, b, c, accumulate, ReadOnlySpan<float>.Empty, epilogue, y, Span<float>.Empty, rowBias);
        }

        /// <summary><c>C[m,n] = A[k,m]ᵀ·B[k,n]</c>, or <c>+=</c>: a dense weight gradient, <c>dZᵀ·X</c>.</summary>
        public static void MultiplyTN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        {
            MultiplyTN(m, n, k, a, b, c, accumulate, Span<float>.Empty);
        }

        /// <summary>
        /// <c>C = Aᵀ·B</c> split between cores by columns of C rather than rows: for a convolution's
        /// <c>Wᵀ·dz</c>, whose columns are output positions, the same split as the col2im that follows.
        /// </summary>
        internal static void MultiplyTNByColumns(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
        {
            CheckSizes(m, n, k, a.Length, (long)k * m, b.Length, (long)k * n, c.Length);
            Run(Product.TN, m, n, k, a, b, c, false, ReadOnlySpan<float>.Empty, Epilogue.None, ReadOnlySpan<float>.Empty, Span<float>.Empty,
                ReadOnlySpan<float>.Empty, byColumns: true);
        }

        /// <summary>
        /// <c>C = Aᵀ·B</c> and, as a by-product of the same job, <c>sums[i] = Σ_p A[p, i]</c>: a weight
        /// gradient and its bias gradient. The sums ride along with the first column block, so they
        /// overlap with the other blocks instead of costing a pass of their own.
        /// </summary>
        internal static void MultiplyTN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate,
            Span<float> columnSumsOfA)
        {
            CheckSizes(m, n, k, a.Length, (long)k * m, b.Length, (long)k * n, c.Length);
            if (!columnSumsOfA.IsEmpty && columnSumsOfA.Length < m)
            {
                throw new ArgumentException($"The sums have room for {columnSumsOfA.Length} values; A has {m} columns.", nameof(columnSumsOfA));
            }
            if (!columnSumsOfA.IsEmpty && (n == 0 || (long)m * n * k <= TinyProduct || k == 0))
            {
                Dense.ColumnSums(a, k, m, columnSumsOfA);
                columnSumsOfA = Span<float>.Empty;
            }
            Run(Product.TN, m, n, k, a, b, c, accumulate, ReadOnlySpan<float>.Empty, Epilogue.None, ReadOnlySpan<float>.Empty, columnSumsOfA, ReadOnlySpan<float>.Empty);
        }

        private static void Run(Product product, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
            bool accumulate, ReadOnlySpan<float> bias, Epilogue epilogue, ReadOnlySpan<float> y, Span<float> columnSums,
            ReadOnlySpan<float> rowBias, bool byColumns = false)
        {
            if (m == 0 || n == 0)
            {
                return;
            }
            if ((long)m * n * k <= TinyProduct || k == 0)
            {
                fixed (float* pa = a, pb = b, pc = c, pbias = bias, py = y, prow = rowBias)
                {
                    Tiny(product, m, n, k, pa, pb, pc, bias.IsEmpty ? null : pbias, accumulate, epilogue, py, rowBias.IsEmpty ? null : prow);
                }
                return;
            }
            SimdLevel level = Simd.Level;
            int blockColumns = BlockColumns(product, level);
            // A weight gradient (TN) is cut into blocks of rows — whole rows of dW, the same weight rows a
            // core owns in the forward product and in the optimizer's pass; the others into column blocks.
            bool byRows = product == Product.TN && !byColumns;
            int strips = (n + blockColumns - 1) / blockColumns, rowBlocks = (m + RowBlock - 1) / RowBlock;
            // Few blocks of rows (a Transformer's 64-row dW is three) leave a core idle for a third of the product: their
            // columns are then parted too, for at least MinBlocks blocks. Each output is still one block's sum over all of k
            // (with 256-bit vectors in fixed pieces of k: see BroadcastPiece).
            int columnParts = byRows ? Math.Clamp((MinBlocks + rowBlocks - 1) / rowBlocks, 1, strips) : 1;
            int blocks = byRows ? rowBlocks * columnParts : strips;
            fixed (float* pa = a, pb = b, pc = c, pbias = bias, py = y, psums = columnSums, prow = rowBias)
            {
                var job = new Job
                {
                    Product = product,
                    Level = level,
                    M = m,
                    N = n,
                    K = k,
                    Lda = k,
                    Ldb = k,
                    BlockColumns = blockColumns,
                    ColumnParts = columnParts,
                    PartColumns = (strips + columnParts - 1) / columnParts * blockColumns,
                    A = pa,
                    B = pb,
                    C = pc,
                    Bias = bias.IsEmpty ? null : pbias,
                    Y = py,
                    ColumnSums = columnSums.IsEmpty ? null : psums,
                    RowBias = rowBias.IsEmpty ? null : prow,
                    Accumulate = accumulate,
                    ByColumns = !byRows,
                    Epilogue = epilogue,
                };
                if (product != Product.NT || k <= DotChunk)
                {
                    WorkerPool.Run(blocks, Threads(2L * m * n * k, k), &RunBlock, &job);
                    return;
                }
                // A long dot product: one pass per chunk of k, each adding to what the last one left.
                for (int start = 0; start < k; start += DotChunk)
                {
                    int length = Math.Min(DotChunk, k - start);
                    job.K = length;
                    job.A = pa + start;
                    job.B = pb + start;
                    job.Accumulate = accumulate || start > 0;
                    job.Bias = start == 0 && !bias.IsEmpty ? pbias : null;
                    job.Epilogue = start + length == k ? epilogue : Epilogue.None;
                    WorkerPool.Run(blocks, Threads(2L * m * n * length, length), &RunBlock, &job);
                }
            }
        }

        /// <summary>
        /// <c>C[m,n] (+)= epilogue(A[m,k]·B[k,n] + rowBias)</c> on this thread, with leading dimensions of
        /// their own: for kernels that split the work themselves (a convolution, by samples).
        /// </summary>
        internal static void SerialNN(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Epilogue epilogue, float* rowBias) =>
            SerialBroadcast(m, n, k, a, lda, 1, b, ldb, c, ldc, accumulate, epilogue, rowBias);

        /// <summary><c>C[m,n] (+)= A[k,m]ᵀ·B[k,n]</c> on this thread, A stored <c>[k, m]</c> with leading dimension <paramref name="lda"/>.</summary>
        internal static void SerialTN(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate) =>
            SerialBroadcast(m, n, k, a, 1, lda, b, ldb, c, ldc, accumulate, Epilogue.None, null);

        private static void SerialBroadcast(int m, int n, int k, float* a, nint rowStride, nint colStride, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Epilogue epilogue, float* rowBias)
        {
            SimdLevel level = Simd.Level;
            int strip = BlockColumns(Product.NN, level);
            for (int j = 0; j < n; j += strip)
            {
                int columns = Math.Min(strip, n - j);
                switch (level)
                {
                    case SimdLevel.Vector512:
                        Gemm512.BroadcastTile(m, columns, k, a, rowStride, colStride, b + j, ldb, c + j, ldc, accumulate, epilogue, null, rowBias, null);
                        break;
                    case SimdLevel.Vector256:
                        Gemm256.BroadcastTile(m, columns, k, a, rowStride, colStride, b + j, ldb, c + j, ldc, accumulate, epilogue, null, rowBias, null);
                        break;
                    case SimdLevel.Vector128:
                        Gemm128.BroadcastTile(m, columns, k, a, rowStride, colStride, b + j, ldb, c + j, ldc, accumulate, epilogue, null, rowBias, null);
                        break;
                    default:
                        GemmScalar.BroadcastTile(m, columns, k, a, rowStride, colStride, b + j, ldb, c + j, ldc, accumulate, epilogue, null, rowBias, null);
                        break;
                }
            }
        }

        /// <summary>
        /// <c>C[m,n] (+)= A[m,k]·B[n,k]ᵀ</c> on this thread, with leading dimensions of their own; long
        /// dot products go in chunks of <see cref="DotChunk"/> (fixed boundaries, so fixed sums).
        /// </summary>
        internal static void SerialNT(int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        {
            SimdLevel level = Simd.Level;
            int strip = BlockColumns(Product.NT, level);
            int rowsPerTile = level switch
            {
                SimdLevel.Vector512 => Gemm512.DotRows,
                SimdLevel.Vector256 => Gemm256.DotRows,
                SimdLevel.Vector128 => Gemm128.DotRows,
                _ => m,
            };
            if (k == 0)
            {
                for (int i = 0; i < m && !accumulate; i++)
                {
                    new Span<float>(c + i * ldc, n).Clear();
                }
                return;
            }
            for (int start = 0; start < k; start += DotChunk)
            {
                int length = Math.Min(DotChunk, k - start);
                bool add = accumulate || start > 0;
                for (int j = 0; j < n; j += strip)
                {
                    int columns = Math.Min(strip, n - j);
                    for (int i = 0; i < m; i += rowsPerTile)
                    {
                        int rows = Math.Min(rowsPerTile, m - i);
                        float* ta = a + i * lda + start, tb = b + j * ldb + start, tc = c + i * ldc + j;
                        switch (level)
                        {
                            case SimdLevel.Vector512:
                                Gemm512.DotTile(rows, columns, length, ta, lda, tb, ldb, tc, ldc, null, add, Epilogue.None);
                                break;
                            case SimdLevel.Vector256:
                                Gemm256.DotTile(rows, columns, length, ta, lda, tb, ldb, tc, ldc, null, add, Epilogue.None);
                                break;
                            case SimdLevel.Vector128:
                                Gemm128.DotTile(rows, columns, length, ta, lda, tb, ldb, tc, ldc, null, add, Epilogue.None);
                                break;
                            default:
                                GemmScalar.DotTile(rows, columns, length, ta, lda, tb, ldb, tc, ldc, null, add, Epilogue.None);
                                break;
                        }
                    }
                }
            }
        }

        /// <summary>Threads worth forking for a product of <paramref name="flops"/> FLOPs, <paramref name="depth"/> multiply-adds per output.</summary>
        private static int Threads(long flops, int depth)
        {
            long perPart = depth < MinDepthToSplit ? MinFlopsPerPart * ShallowPenalty : MinFlopsPerPart;
            return Parallelism.ThreadsFor(flops, perPart);
        }

        private static int BlockColumns(Product product, SimdLevel level) => (product, level) switch
        {
            (Product.NT, SimdLevel.Vector512) => Gemm512.DotColumns,
            (Product.NT, SimdLevel.Vector256) => Gemm256.DotColumns,
            (Product.NT, SimdLevel.Vector128) => Gemm128.DotColumns,
            (_, SimdLevel.Vector512) => Gemm512.BroadcastColumns,
            (_, SimdLevel.Vector256) => Gemm256.BroadcastColumns,
            (_, SimdLevel.Vector128) => Gemm128.BroadcastColumns,
            _ => GemmScalar.Columns,
        };

        /// <summary>A product of a few thousand multiply-adds at most (a tiny layer, a small batch): direct loops.</summary>
        private static void Tiny(Product product, int m, int n, int k, float* a, float* b, float* c, float* bias, bool accumulate,
            Epilogue epilogue, float* y, float* rowBias)
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float sum = 0;
                    for (int p = 0; p < k; p++)
                    {
                        float left = product == Product.TN ? a[p * m + i] : a[i * k + p];
                        float right = product == Product.NT ? b[j * k + p] : b[p * n + j];
                        sum += left * right;
                    }
                    if (bias is not null)
                    {
                        sum += bias[j];
                    }
                    if (rowBias is not null)
                    {
                        sum += rowBias[i];
                    }
                    float value = accumulate ? c[i * n + j] + sum : sum;
                    c[i * n + j] = Epilogues.Apply(epilogue, value, Epilogues.ReadsY(epilogue) ? y[i * n + j] : 0f);
                }
            }
        }

        /// <summary>One block, whichever thread claims it (a thin dispatcher: see <see cref="WorkerPool"/>).</summary>
        private static void RunBlock(void* state, int block)
        {
            ref Job job = ref *(Job*)state;
            if (block == 0 && job.ColumnSums is not null)
            {
                Dense.ColumnSums(new ReadOnlySpan<float>(job.A, job.K * job.M), job.K, job.M, new Span<float>(job.ColumnSums, job.M));
            }
            int piece = BroadcastPiece(job.Product, job.Level, job.K);
            if (!job.ByColumns)
            {
                // A piece of the block's rows of A stays in L1 while it meets every strip of B.
                int first = block / job.ColumnParts * RowBlock, rows = Math.Min(RowBlock, job.M - first);
                int start = block % job.ColumnParts * job.PartColumns, end = Math.Min(job.N, start + job.PartColumns);
                for (int p = 0; p < job.K; p += piece)
                {
                    for (int j = start; j < end; j += job.BlockColumns)
                    {
                        BroadcastStrip(ref job, j, Math.Min(job.BlockColumns, end - j), first, rows, p, Math.Min(piece, job.K - p));
                    }
                }
                return;
            }
            int column = block * job.BlockColumns;
            int columns = Math.Min(job.BlockColumns, job.N - column);
            if (job.Product == Product.NT)
            {
                DotStrip(ref job, column, columns);
                return;
            }
            // A piece of the strip of B stays in L1 while every row tile of A meets it.
            for (int p = 0; p < job.K; p += piece)
            {
                BroadcastStrip(ref job, column, columns, 0, job.M, p, Math.Min(piece, job.K - p));
            }
        }

        /// <summary>C[:, j:j+columns] of X·Wᵀ: B's rows j… stay in L1 while every row block of A passes.</summary>
        private static void DotStrip(ref Job job, int j, int columns)
        {
            nint lda = job.Lda, ldb = job.Ldb, n = job.N;
            float* b = job.B + j * ldb;
            float* bias = job.Bias is null ? null : job.Bias + j;
            int rowsPerTile = job.Level switch
            {
                SimdLevel.Vector512 => Gemm512.DotRows,
                SimdLevel.Vector256 => Gemm256.DotRows,
                SimdLevel.Vector128 => Gemm128.DotRows,
                _ => job.M,
            };
            for (int i = 0; i < job.M; i += rowsPerTile)
            {
                int rows = Math.Min(rowsPerTile, job.M - i);
                float* a = job.A + i * lda;
                float* c = job.C + i * n + j;
                switch (job.Level)
                {
                    case SimdLevel.Vector512:
                        Gemm512.DotTile(rows, columns, job.K, a, lda, b, ldb, c, n, bias, job.Accumulate, job.Epilogue);
                        break;
                    case SimdLevel.Vector256:
                        Gemm256.DotTile(rows, columns, job.K, a, lda, b, ldb, c, n, bias, job.Accumulate, job.Epilogue);
                        break;
                    case SimdLevel.Vector128:
                        Gemm128.DotTile(rows, columns, job.K, a, lda, b, ldb, c, n, bias, job.Accumulate, job.Epilogue);
                        break;
                    default:
                        GemmScalar.DotTile(rows, columns, job.K, a, lda, b, ldb, c, n, bias, job.Accumulate, job.Epilogue);
                        break;
                }
            }
        }

        /// <summary>C[first:first+rows, j:j+columns] of dZ·W (A row-major) or dZᵀ·X (A transposed).</summary>
        private static void BroadcastStrip(ref Job job, int j, int columns, int first, int rows, int p, int length)
        {
            nint m = job.M, n = job.N, k = job.K;
            // a(i,p): NN reads A[i, p] (row stride k), TN reads A[p, i] (row stride 1).
            (nint rowStride, nint colStride) = job.Product == Product.NN ? (k, (nint)1) : ((nint)1, m);
            float* a = job.A + first * rowStride + p * colStride;
            float* b = job.B + p * n + j;
            float* c = job.C + first * n + j;
            float* y = job.Y + first * n + j;
            // Only the first piece of k starts from the biases (or C); only the last applies the epilogue.
            bool opening = p == 0;
            Epilogue epilogue = p + length == k ? job.Epilogue : Epilogue.None;
            float* rowBias = job.RowBias is null || !opening ? null : job.RowBias + first;
            // A column bias (X·Wᵀ run over Wᵀ): the tiles start from it — or, when adding onto C, it is first added to this strip of C.
            bool accumulate = job.Accumulate || !opening;
            float* columnBias = job.Bias is null || !opening ? null : job.Bias + j;
            if (columnBias is not null && accumulate)
            {
                AddBias(c, n, rows, columnBias, columns);
                columnBias = null;
            }
            switch (job.Level)
            {
                case SimdLevel.Vector512:
                    Gemm512.BroadcastTile(rows, columns, length, a, rowStride, colStride, b, n, c, n, accumulate, epilogue, y, rowBias, columnBias);
                    break;
                case SimdLevel.Vector256:
                    Gemm256.BroadcastTile(rows, columns, length, a, rowStride, colStride, b, n, c, n, accumulate, epilogue, y, rowBias, columnBias);
                    break;
                case SimdLevel.Vector128:
                    Gemm128.BroadcastTile(rows, columns, length, a, rowStride, colStride, b, n, c, n, accumulate, epilogue, y, rowBias, columnBias);
                    break;
                default:
                    GemmScalar.BroadcastTile(rows, columns, length, a, rowStride, colStride, b, n, c, n, accumulate, epilogue, y, rowBias, columnBias);
                    break;
            }
        }

        /// <summary><c>C[i, 0:columns] += bias</c> for each of <paramref name="rows"/> rows <paramref name="ldc"/> apart.</summary>
        private static void AddBias(float* c, nint ldc, int rows, float* bias, int columns)
        {
            var columnBias = new ReadOnlySpan<float>(bias, columns);
            for (int i = 0; i < rows; i++, c += ldc)
            {
                var row = new Span<float>(c, columns);
                TensorPrimitives.Add(row, columnBias, row);
            }
        }

        private static void CheckSizes(int m, int n, int k, int aLength, long aNeeded, int bLength, long bNeeded, int cLength)
        {
            if (m < 0 || n < 0 || k < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(m), $"Matrix sizes must not be negative: m={m}, n={n}, k={k}.");
            }
            if (aLength < aNeeded || bLength < bNeeded || cLength < (long)m * n)
            {
                throw new ArgumentException(
                    $"Operands too short for m={m}, n={n}, k={k}: A has {aLength} (needs {aNeeded}), " +
                    $"B has {bLength} (needs {bNeeded}), C has {cLength} (needs {(long)m * n}).");
            }
        }
    }
}

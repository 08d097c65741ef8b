using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels
{
    /// <summary>
    /// AVX-512 micro-kernels. Two shapes cover the three products of a dense layer without packing:
    /// <list type="bullet">
    /// <item><b>Broadcast</b> (C rows as vectors): <c>C[12×32] += Σ_p a(i,p)·B[p, 0:32]</c>, with
    /// <c>a(i,p) = a[i·rowStride + p·colStride]</c>, so one kernel reads A either row-major (dZ·W) or
    /// transposed (dZᵀ·X). 24 accumulators; B rows are contiguous, A values are broadcast.</item>
    /// <item><b>Dot</b> (for X·Wᵀ, where both operands are contiguous along k): <c>C[3×8] = A[3, k]·B[8, k]ᵀ</c>,
    /// 24 vector accumulators along k, folded by a shuffle tree into one 8-wide vector per row, to
    /// which the bias is added before one store.</item>
    /// </list>
    /// Tails: masked loads and stores for columns and for the last k chunk; 4-row and 1-row
    /// variants (broadcast) or clamped row pointers (dot) for rows.
    /// </summary>
    internal static unsafe class Gemm512
    {
        public const int BroadcastRows = 12, BroadcastColumns = 32;
        public const int DotRows = 3, DotColumns = 8;

        private static Vector512<float> Mask(int count) =>
            Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

        // ---- Broadcast kernels ------------------------------------------------------------------

        /// <summary>
        /// One tile of a broadcast product: <paramref name="rows"/> ≤ 12 rows and <paramref name="columns"/> ≤ 32 columns. Unless
        /// <paramref name="accumulate"/>, the sums start from <paramref name="rowBias"/>[row] or <paramref name="columnBias"/>[column]
        /// (at most one of them is given), else from zero.
        /// </summary>
        public static void BroadcastTile(int rows, int columns, int k, float* a, nint rowStride, nint colStride,
            float* b, nint ldb, float* c, nint ldc, bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias)
        {
            // Sixteen columns or fewer (an attention head of 16: p·v, dS·k) run one vector wide: a second, all-masked vector
            // would double the multiply-adds for nothing.
            if (columns == BroadcastColumns)
            {
                Broadcast<Full, TwoVectors>(rows, k, a, rowStride, colStride, b, ldb, c, ldc, accumulate, default, default, e, y, rowBias, columnBias);
            }
            else if (columns == 16)
            {
                Broadcast<Full, OneVector>(rows, k, a, rowStride, colStride, b, ldb, c, ldc, accumulate, default, default, e, y, rowBias, columnBias);
            }
            else if (columns < 16)
            {
                Broadcast<Masked, OneVector>(rows, k, a, rowStride, colStride, b, ldb, c, ldc, accumulate, Mask(columns), default, e, y, rowBias, columnBias);
            }
            else
            {
                Broadcast<Masked, TwoVectors>(rows, k, a, rowStride, colStride, b, ldb, c, ldc, accumulate,
                    Mask(columns), Mask(columns - 16), e, y, rowBias, columnBias);
            }
        }

        /// <summary>The epilogue of one stored vector; <paramref name="y"/> sits where the vector goes, in y's buffer.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Finish<T>(Epilogue e, Vector512<float> value, float* y, Vector512<float> mask) where T : struct, IAccess =>
            e == Epilogue.None ? value : Epilogues.Apply(e, value, Epilogues.ReadsY(e) ? T.Load(y, mask) : default);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Broadcast<T, W>(int rows, int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Vector512<float> m0, Vector512<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess where W : struct, IColumns
        {
            nint biasStep = rowBias is null ? 0 : 1;
            while (rows >= 12)
            {
                Broadcast12<T, W>(k, a, rs, cs, b, ldb, c, ldc, accumulate, m0, m1, e, y, rowBias, columnBias);
                rowBias += 12 * biasStep;
                a += 12 * rs;
                c += 12 * ldc;
                y += 12 * ldc;
                rows -= 12;
            }
            while (rows >= 4)
            {
                Broadcast4<T, W>(k, a, rs, cs, b, ldb, c, ldc, accumulate, m0, m1, e, y, rowBias, columnBias);
                rowBias += 4 * biasStep;
                a += 4 * rs;
                c += 4 * ldc;
                y += 4 * ldc;
                rows -= 4;
            }
            while (rows > 0)
            {
                Broadcast1<T, W>(k, a, cs, b, ldb, c, accumulate, m0, m1, e, y, rowBias, columnBias);
                rowBias += biasStep;
                a += rs;
                c += ldc;
                y += ldc;
                rows--;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast12<T, W>(int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Vector512<float> m0, Vector512<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess where W : struct, IColumns
        {
            Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
            Vector512<float> c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1;
            if (accumulate)
            {
                c00 = T.Load(c, m0); c01 = W.Second ? T.Load(c + 16, m1) : default;
                c10 = T.Load(c + ldc, m0); c11 = W.Second ? T.Load(c + ldc + 16, m1) : default;
                c20 = T.Load(c + 2 * ldc, m0); c21 = W.Second ? T.Load(c + 2 * ldc + 16, m1) : default;
                c30 = T.Load(c + 3 * ldc, m0); c31 = W.Second ? T.Load(c + 3 * ldc + 16, m1) : default;
                c40 = T.Load(c + 4 * ldc, m0); c41 = W.Second ? T.Load(c + 4 * ldc + 16, m1) : default;
                c50 = T.Load(c + 5 * ldc, m0); c51 = W.Second ? T.Load(c + 5 * ldc + 16, m1) : default;
                c60 = T.Load(c + 6 * ldc, m0); c61 = W.Second ? T.Load(c + 6 * ldc + 16, m1) : default;
                c70 = T.Load(c + 7 * ldc, m0); c71 = W.Second ? T.Load(c + 7 * ldc + 16, m1) : default;
                c80 = T.Load(c + 8 * ldc, m0); c81 = W.Second ? T.Load(c + 8 * ldc + 16, m1) : default;
                c90 = T.Load(c + 9 * ldc, m0); c91 = W.Second ? T.Load(c + 9 * ldc + 16, m1) : default;
                ca0 = T.Load(c + 10 * ldc, m0); ca1 = W.Second ? T.Load(c + 10 * ldc + 16, m1) : default;
                cb0 = T.Load(c + 11 * ldc, m0); cb1 = W.Second ? T.Load(c + 11 * ldc + 16, m1) : default;
            }
            else if (rowBias is not null)
            {
                c00 = c01 = Vector512.Create(rowBias[0]);
                c10 = c11 = Vector512.Create(rowBias[1]);
                c20 = c21 = Vector512.Create(rowBias[2]);
                c30 = c31 = Vector512.Create(rowBias[3]);
                c40 = c41 = Vector512.Create(rowBias[4]);
                c50 = c51 = Vector512.Create(rowBias[5]);
                c60 = c61 = Vector512.Create(rowBias[6]);
                c70 = c71 = Vector512.Create(rowBias[7]);
                c80 = c81 = Vector512.Create(rowBias[8]);
                c90 = c91 = Vector512.Create(rowBias[9]);
                ca0 = ca1 = Vector512.Create(rowBias[10]);
                cb0 = cb1 = Vector512.Create(rowBias[11]);
            }
            else if (columnBias is not null)
            {
                Vector512<float> b0 = T.Load(columnBias, m0), b1 = W.Second ? T.Load(columnBias + 16, m1) : default;
                c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = c80 = c90 = ca0 = cb0 = b0;
                c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = c81 = c91 = ca1 = cb1 = b1;
            }
            else
            {
                c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
                c60 = c61 = c70 = c71 = c80 = c81 = c90 = c91 = ca0 = ca1 = cb0 = cb1 = Vector512<float>.Zero;
            }
            for (int p = 0; p < k; p++)
            {
                Vector512<float> b0 = T.Load(b, m0), b1 = W.Second ? T.Load(b + 16, m1) : default, x;
                x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); if (W.Second) { c01 = Avx512F.FusedMultiplyAdd(x, b1, c01); }
                x = Vector512.Create(a[rs]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); if (W.Second) { c11 = Avx512F.FusedMultiplyAdd(x, b1, c11); }
                x = Vector512.Create(a[2 * rs]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); if (W.Second) { c21 = Avx512F.FusedMultiplyAdd(x, b1, c21); }
                x = Vector512.Create(a[3 * rs]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); if (W.Second) { c31 = Avx512F.FusedMultiplyAdd(x, b1, c31); }
                x = Vector512.Create(a[4 * rs]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); if (W.Second) { c41 = Avx512F.FusedMultiplyAdd(x, b1, c41); }
                x = Vector512.Create(a[5 * rs]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); if (W.Second) { c51 = Avx512F.FusedMultiplyAdd(x, b1, c51); }
                x = Vector512.Create(a[6 * rs]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); if (W.Second) { c61 = Avx512F.FusedMultiplyAdd(x, b1, c61); }
                x = Vector512.Create(a[7 * rs]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); if (W.Second) { c71 = Avx512F.FusedMultiplyAdd(x, b1, c71); }
                x = Vector512.Create(a[8 * rs]); c80 = Avx512F.FusedMultiplyAdd(x, b0, c80); if (W.Second) { c81 = Avx512F.FusedMultiplyAdd(x, b1, c81); }
                x = Vector512.Create(a[9 * rs]); c90 = Avx512F.FusedMultiplyAdd(x, b0, c90); if (W.Second) { c91 = Avx512F.FusedMultiplyAdd(x, b1, c91); }
                x = Vector512.Create(a[10 * rs]); ca0 = Avx512F.FusedMultiplyAdd(x, b0, ca0); if (W.Second) { ca1 = Avx512F.FusedMultiplyAdd(x, b1, ca1); }
                x = Vector512.Create(a[11 * rs]); cb0 = Avx512F.FusedMultiplyAdd(x, b0, cb0); if (W.Second) { cb1 = Avx512F.FusedMultiplyAdd(x, b1, cb1); }
                a += cs;
                b += ldb;
            }
            T.Store(c, m0, Finish<T>(e, c00, y, m0)); if (W.Second) { T.Store(c + 16, m1, Finish<T>(e, c01, y + 16, m1)); }
            T.Store(c + ldc, m0, Finish<T>(e, c10, y + ldc, m0)); if (W.Second) { T.Store(c + ldc + 16, m1, Finish<T>(e, c11, y + ldc + 16, m1)); }
            T.Store(c + 2 * ldc, m0, Finish<T>(e, c20, y + 2 * ldc, m0)); if (W.Second) { T.Store(c + 2 * ldc + 16, m1, Finish<T>(e, c21, y + 2 * ldc + 16, m1)); }
            T.Store(c + 3 * ldc, m0, Finish<T>(e, c30, y + 3 * ldc, m0)); if (W.Second) { T.Store(c + 3 * ldc + 16, m1, Finish<T>(e, c31, y + 3 * ldc + 16, m1)); }
            T.Store(c + 4 * ldc, m0, Finish<T>(e, c40, y + 4 * ldc, m0)); if (W.Second) { T.Store(c + 4 * ldc + 16, m1, Finish<T>(e, c41, y + 4 * ldc + 16, m1)); }
            T.Store(c + 5 * ldc, m0, Finish<T>(e, c50, y + 5 * ldc, m0)); if (W.Second) { T.Store(c + 5 * ldc + 16, m1, Finish<T>(e, c51, y + 5 * ldc + 16, m1)); }
            T.Store(c + 6 * ldc, m0, Finish<T>(e, c60, y + 6 * ldc, m0)); if (W.Second) { T.Store(c + 6 * ldc + 16, m1, Finish<T>(e, c61, y + 6 * ldc + 16, m1)); }
            T.Store(c + 7 * ldc, m0, Finish<T>(e, c70, y + 7 * ldc, m0)); if (W.Second) { T.Store(c + 7 * ldc + 16, m1, Finish<T>(e, c71, y + 7 * ldc + 16, m1)); }
            T.Store(c + 8 * ldc, m0, Finish<T>(e, c80, y + 8 * ldc, m0)); if (W.Second) { T.Store(c + 8 * ldc + 16, m1, Finish<T>(e, c81, y + 8 * ldc + 16, m1)); }
            T.Store(c + 9 * ldc, m0, Finish<T>(e, c90, y + 9 * ldc, m0)); if (W.Second) { T.Store(c + 9 * ldc + 16, m1, Finish<T>(e, c91, y + 9 * ldc + 16, m1)); }
            T.Store(c + 10 * ldc, m0, Finish<T>(e, ca0, y + 10 * ldc, m0)); if (W.Second) { T.Store(c + 10 * ldc + 16, m1, Finish<T>(e, ca1, y + 10 * ldc + 16, m1)); }
            T.Store(c + 11 * ldc, m0, Finish<T>(e, cb0, y + 11 * ldc, m0)); if (W.Second) { T.Store(c + 11 * ldc + 16, m1, Finish<T>(e, cb1, y + 11 * ldc + 16, m1)); }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast4<T, W>(int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Vector512<float> m0, Vector512<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess where W : struct, IColumns
        {
            Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31;
            if (accumulate)
            {
                c00 = T.Load(c, m0); c01 = W.Second ? T.Load(c + 16, m1) : default;
                c10 = T.Load(c + ldc, m0); c11 = W.Second ? T.Load(c + ldc + 16, m1) : default;
                c20 = T.Load(c + 2 * ldc, m0); c21 = W.Second ? T.Load(c + 2 * ldc + 16, m1) : default;
                c30 = T.Load(c + 3 * ldc, m0); c31 = W.Second ? T.Load(c + 3 * ldc + 16, m1) : default;
            }
            else if (rowBias is not null)
            {
                c00 = c01 = Vector512.Create(rowBias[0]);
                c10 = c11 = Vector512.Create(rowBias[1]);
                c20 = c21 = Vector512.Create(rowBias[2]);
                c30 = c31 = Vector512.Create(rowBias[3]);
            }
            else if (columnBias is not null)
            {
                Vector512<float> b0 = T.Load(columnBias, m0), b1 = W.Second ? T.Load(columnBias + 16, m1) : default;
                c00 = c10 = c20 = c30 = b0;
                c01 = c11 = c21 = c31 = b1;
            }
            else
            {
                c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector512<float>.Zero;
            }
            for (int p = 0; p < k; p++)
            {
                Vector512<float> b0 = T.Load(b, m0), b1 = W.Second ? T.Load(b + 16, m1) : default, x;
                x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); if (W.Second) { c01 = Avx512F.FusedMultiplyAdd(x, b1, c01); }
                x = Vector512.Create(a[rs]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); if (W.Second) { c11 = Avx512F.FusedMultiplyAdd(x, b1, c11); }
                x = Vector512.Create(a[2 * rs]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); if (W.Second) { c21 = Avx512F.FusedMultiplyAdd(x, b1, c21); }
                x = Vector512.Create(a[3 * rs]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); if (W.Second) { c31 = Avx512F.FusedMultiplyAdd(x, b1, c31); }
                a += cs;
                b += ldb;
            }
            T.Store(c, m0, Finish<T>(e, c00, y, m0)); if (W.Second) { T.Store(c + 16, m1, Finish<T>(e, c01, y + 16, m1)); }
            T.Store(c + ldc, m0, Finish<T>(e, c10, y + ldc, m0)); if (W.Second) { T.Store(c + ldc + 16, m1, Finish<T>(e, c11, y + ldc + 16, m1)); }
            T.Store(c + 2 * ldc, m0, Finish<T>(e, c20, y + 2 * ldc, m0)); if (W.Second) { T.Store(c + 2 * ldc + 16, m1, Finish<T>(e, c21, y + 2 * ldc + 16, m1)); }
            T.Store(c + 3 * ldc, m0, Finish<T>(e, c30, y + 3 * ldc, m0)); if (W.Second) { T.Store(c + 3 * ldc + 16, m1, Finish<T>(e, c31, y + 3 * ldc + 16, m1)); }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast1<T, W>(int k, float* a, nint cs, float* b, nint ldb, float* c,
            bool accumulate, Vector512<float> m0, Vector512<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess where W : struct, IColumns
        {
            // As the wider tiles: C, else the row's bias, else the column biases, else zero.
            bool fromColumns = rowBias is null && columnBias is not null;
            Vector512<float> start = rowBias is null ? Vector512<float>.Zero : Vector512.Create(rowBias[0]);
            Vector512<float> c00 = accumulate ? T.Load(c, m0) : fromColumns ? T.Load(columnBias, m0) : start;
            Vector512<float> c01 = W.Second && accumulate ? T.Load(c + 16, m1) : W.Second && fromColumns ? T.Load(columnBias + 16, m1) : start;
            Vector512<float> d00 = Vector512<float>.Zero, d01 = Vector512<float>.Zero;
            int p = 0;
            // Two independent chains hide the FMA latency of a single row.
            for (; p + 1 < k; p += 2)
            {
                Vector512<float> x0 = Vector512.Create(a[0]), x1 = Vector512.Create(a[cs]);
                c00 = Avx512F.FusedMultiplyAdd(x0, T.Load(b, m0), c00);
                if (W.Second) { c01 = Avx512F.FusedMultiplyAdd(x0, T.Load(b + 16, m1), c01); }
                d00 = Avx512F.FusedMultiplyAdd(x1, T.Load(b + ldb, m0), d00);
                if (W.Second) { d01 = Avx512F.FusedMultiplyAdd(x1, T.Load(b + ldb + 16, m1), d01); }
                a += 2 * cs;
                b += 2 * ldb;
            }
            if (p < k)
            {
                Vector512<float> x0 = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(x0, T.Load(b, m0), c00);
                if (W.Second) { c01 = Avx512F.FusedMultiplyAdd(x0, T.Load(b + 16, m1), c01); }
            }
            T.Store(c, m0, Finish<T>(e, c00 + d00, y, m0));
            if (W.Second) { T.Store(c + 16, m1, Finish<T>(e, c01 + d01, y + 16, m1)); }
        }

        // ---- Dot kernel -------------------------------------------------------------------------

        /// <summary>
        /// <c>C[rows×columns] (+)= A[rows, k]·B[columns, k]ᵀ (+ bias[columns])</c>, rows ≤ 3, columns ≤ 8.
        /// Rows and columns past the edge reuse the last valid pointer and are not stored; a tile of one or two rows
        /// does only its own rows' multiply-adds (<see cref="IDotRows"/>).
        /// </summary>
        public static void DotTile(int rows, int columns, int k, float* a, nint lda, float* b, nint ldb,
            float* c, nint ldc, float* bias, bool accumulate, Epilogue e)
        {
            switch (rows)
            {
                case 1:
                    Dot<OneRow>(rows, columns, k, a, lda, b, ldb, c, ldc, bias, accumulate, e);
                    break;
                case 2:
                    Dot<TwoRows>(rows, columns, k, a, lda, b, ldb, c, ldc, bias, accumulate, e);
                    break;
                default:
                    Dot<ThreeRows>(rows, columns, k, a, lda, b, ldb, c, ldc, bias, accumulate, e);
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Dot<R>(int rows, int columns, int k, float* a, nint lda, float* b, nint ldb,
            float* c, nint ldc, float* bias, bool accumulate, Epilogue e) where R : struct, IDotRows
        {
            Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s04 = default, s05 = default, s06 = default, s07 = default;
            Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default, s16 = default, s17 = default;
            Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s24 = default, s25 = default, s26 = default, s27 = default;
            float* a0 = a, a1 = a + (rows > 1 ? lda : 0), a2 = a + (rows > 2 ? 2 * lda : rows > 1 ? lda : 0);
            float* b0 = b;
            nint o1 = columns > 1 ? ldb : 0, o2 = (columns > 2 ? 2 : columns - 1) * ldb, o3 = (columns > 3 ? 3 : columns - 1) * ldb;
            nint o4 = (columns > 4 ? 4 : columns - 1) * ldb, o5 = (columns > 5 ? 5 : columns - 1) * ldb;
            nint o6 = (columns > 6 ? 6 : columns - 1) * ldb, o7 = (columns > 7 ? 7 : columns - 1) * ldb;

            int p = 0;
            for (; p <= k - 16; p += 16)
            {
                Vector512<float> x0 = Vector512.Load(a0 + p), x1 = R.Count > 1 ? Vector512.Load(a1 + p) : default, x2 = R.Count > 2 ? Vector512.Load(a2 + p) : default, w;
                float* bp = b0 + p;
                w = Vector512.Load(bp); s00 = Avx512F.FusedMultiplyAdd(x0, w, s00); if (R.Count > 1) { s10 = Avx512F.FusedMultiplyAdd(x1, w, s10); } if (R.Count > 2) { s20 = Avx512F.FusedMultiplyAdd(x2, w, s20); }
                w = Vector512.Load(bp + o1); s01 = Avx512F.FusedMultiplyAdd(x0, w, s01); if (R.Count > 1) { s11 = Avx512F.FusedMultiplyAdd(x1, w, s11); } if (R.Count > 2) { s21 = Avx512F.FusedMultiplyAdd(x2, w, s21); }
                w = Vector512.Load(bp + o2); s02 = Avx512F.FusedMultiplyAdd(x0, w, s02); if (R.Count > 1) { s12 = Avx512F.FusedMultiplyAdd(x1, w, s12); } if (R.Count > 2) { s22 = Avx512F.FusedMultiplyAdd(x2, w, s22); }
                w = Vector512.Load(bp + o3); s03 = Avx512F.FusedMultiplyAdd(x0, w, s03); if (R.Count > 1) { s13 = Avx512F.FusedMultiplyAdd(x1, w, s13); } if (R.Count > 2) { s23 = Avx512F.FusedMultiplyAdd(x2, w, s23); }
                w = Vector512.Load(bp + o4); s04 = Avx512F.FusedMultiplyAdd(x0, w, s04); if (R.Count > 1) { s14 = Avx512F.FusedMultiplyAdd(x1, w, s14); } if (R.Count > 2) { s24 = Avx512F.FusedMultiplyAdd(x2, w, s24); }
                w = Vector512.Load(bp + o5); s05 = Avx512F.FusedMultiplyAdd(x0, w, s05); if (R.Count > 1) { s15 = Avx512F.FusedMultiplyAdd(x1, w, s15); } if (R.Count > 2) { s25 = Avx512F.FusedMultiplyAdd(x2, w, s25); }
                w = Vector512.Load(bp + o6); s06 = Avx512F.FusedMultiplyAdd(x0, w, s06); if (R.Count > 1) { s16 = Avx512F.FusedMultiplyAdd(x1, w, s16); } if (R.Count > 2) { s26 = Avx512F.FusedMultiplyAdd(x2, w, s26); }
                w = Vector512.Load(bp + o7); s07 = Avx512F.FusedMultiplyAdd(x0, w, s07); if (R.Count > 1) { s17 = Avx512F.FusedMultiplyAdd(x1, w, s17); } if (R.Count > 2) { s27 = Avx512F.FusedMultiplyAdd(x2, w, s27); }
            }
            if (p < k)
            {
                Vector512<float> m = Mask(k - p), z = Vector512<float>.Zero;
                Vector512<float> x0 = Avx512F.MaskLoad(a0 + p, m, z), x1 = R.Count > 1 ? Avx512F.MaskLoad(a1 + p, m, z) : default, x2 = R.Count > 2 ? Avx512F.MaskLoad(a2 + p, m, z) : default, w;
                float* bp = b0 + p;
                w = Avx512F.MaskLoad(bp, m, z); s00 = Avx512F.FusedMultiplyAdd(x0, w, s00); if (R.Count > 1) { s10 = Avx512F.FusedMultiplyAdd(x1, w, s10); } if (R.Count > 2) { s20 = Avx512F.FusedMultiplyAdd(x2, w, s20); }
                w = Avx512F.MaskLoad(bp + o1, m, z); s01 = Avx512F.FusedMultiplyAdd(x0, w, s01); if (R.Count > 1) { s11 = Avx512F.FusedMultiplyAdd(x1, w, s11); } if (R.Count > 2) { s21 = Avx512F.FusedMultiplyAdd(x2, w, s21); }
                w = Avx512F.MaskLoad(bp + o2, m, z); s02 = Avx512F.FusedMultiplyAdd(x0, w, s02); if (R.Count > 1) { s12 = Avx512F.FusedMultiplyAdd(x1, w, s12); } if (R.Count > 2) { s22 = Avx512F.FusedMultiplyAdd(x2, w, s22); }
                w = Avx512F.MaskLoad(bp + o3, m, z); s03 = Avx512F.FusedMultiplyAdd(x0, w, s03); if (R.Count > 1) { s13 = Avx512F.FusedMultiplyAdd(x1, w, s13); } if (R.Count > 2) { s23 = Avx512F.FusedMultiplyAdd(x2, w, s23); }
                w = Avx512F.MaskLoad(bp + o4, m, z); s04 = Avx512F.FusedMultiplyAdd(x0, w, s04); if (R.Count > 1) { s14 = Avx512F.FusedMultiplyAdd(x1, w, s14); } if (R.Count > 2) { s24 = Avx512F.FusedMultiplyAdd(x2, w, s24); }
                w = Avx512F.MaskLoad(bp + o5, m, z); s05 = Avx512F.FusedMultiplyAdd(x0, w, s05); if (R.Count > 1) { s15 = Avx512F.FusedMultiplyAdd(x1, w, s15); } if (R.Count > 2) { s25 = Avx512F.FusedMultiplyAdd(x2, w, s25); }
                w = Avx512F.MaskLoad(bp + o6, m, z); s06 = Avx512F.FusedMultiplyAdd(x0, w, s06); if (R.Count > 1) { s16 = Avx512F.FusedMultiplyAdd(x1, w, s16); } if (R.Count > 2) { s26 = Avx512F.FusedMultiplyAdd(x2, w, s26); }
                w = Avx512F.MaskLoad(bp + o7, m, z); s07 = Avx512F.FusedMultiplyAdd(x0, w, s07); if (R.Count > 1) { s17 = Avx512F.FusedMultiplyAdd(x1, w, s17); } if (R.Count > 2) { s27 = Avx512F.FusedMultiplyAdd(x2, w, s27); }
            }

            Vector256<float> columnMask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(columns)).AsSingle();
            Vector256<float> add = bias is null ? Vector256<float>.Zero : Avx.MaskLoad(bias, columnMask);
            StoreRow(c, Reduce8(s00, s01, s02, s03, s04, s05, s06, s07) + add, columnMask, accumulate, e);
            if (R.Count > 1 && rows > 1)
            {
                StoreRow(c + ldc, Reduce8(s10, s11, s12, s13, s14, s15, s16, s17) + add, columnMask, accumulate, e);
            }
            if (R.Count > 2 && rows > 2)
            {
                StoreRow(c + 2 * ldc, Reduce8(s20, s21, s22, s23, s24, s25, s26, s27) + add, columnMask, accumulate, e);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRow(float* c, Vector256<float> value, Vector256<float> mask, bool accumulate, Epilogue e)
        {
            if (accumulate)
            {
                value += Avx.MaskLoad(c, mask);
            }
            Avx.MaskStore(c, mask, Epilogues.Apply(e, value, default));
        }

        /// <summary>[Σv0, Σv1, …, Σv7]: a shuffle tree that folds eight accumulators in 21 operations.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Reduce8(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
            Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7)
        {
            // Per 128-bit block, pairwise: [a0+a2, b0+b2, a1+a3, b1+b3].
            Vector512<float> t01 = Avx512F.UnpackLow(v0, v1) + Avx512F.UnpackHigh(v0, v1);
            Vector512<float> t23 = Avx512F.UnpackLow(v2, v3) + Avx512F.UnpackHigh(v2, v3);
            Vector512<float> t45 = Avx512F.UnpackLow(v4, v5) + Avx512F.UnpackHigh(v4, v5);
            Vector512<float> t67 = Avx512F.UnpackLow(v6, v7) + Avx512F.UnpackHigh(v6, v7);
            // Per 128-bit block: [Σa, Σb, Σc, Σd] of that block.
            Vector512<float> u0 = Avx512F.UnpackLow(t01.AsDouble(), t23.AsDouble()).AsSingle() + Avx512F.UnpackHigh(t01.AsDouble(), t23.AsDouble()).AsSingle();
            Vector512<float> u1 = Avx512F.UnpackLow(t45.AsDouble(), t67.AsDouble()).AsSingle() + Avx512F.UnpackHigh(t45.AsDouble(), t67.AsDouble()).AsSingle();
            // Blocks: [u0.0+u0.2, u0.1+u0.3, u1.0+u1.2, u1.1+u1.3], then fold neighbouring blocks.
            Vector512<float> w = Avx512F.Shuffle4x128(u0, u1, 0b01_00_01_00) + Avx512F.Shuffle4x128(u0, u1, 0b11_10_11_10);
            Vector512<float> z = Avx512F.Shuffle4x128(w, w, 0b00_00_10_00) + Avx512F.Shuffle4x128(w, w, 0b00_00_11_01);
            return z.GetLower();
        }

        // ---- Loads and stores, full or masked ---------------------------------------------------

        private interface IAccess
        {
            static abstract Vector512<float> Load(float* p, Vector512<float> mask);
            static abstract void Store(float* p, Vector512<float> mask, Vector512<float> value);
        }

        private readonly struct Full : IAccess
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector512<float> Load(float* p, Vector512<float> mask) => Vector512.Load(p);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(float* p, Vector512<float> mask, Vector512<float> value) => value.Store(p);
        }

        private readonly struct Masked : IAccess
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector512<float> Load(float* p, Vector512<float> mask) => Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(float* p, Vector512<float> mask, Vector512<float> value) => Avx512F.MaskStore(p, mask, value);
        }
    }
}

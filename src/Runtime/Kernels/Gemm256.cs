using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels
{
    /// <summary>
    /// The Vector256 (AVX2) versions of <see cref="Gemm512"/>'s two kernel shapes, sized for 16
    /// registers: broadcast 6×16 (12 accumulators; then 4×16 tiles for what rows are left) and dot 3×4
    /// (12 accumulators). Tails use AVX masked
    /// loads and stores.
    /// </summary>
    internal static unsafe class Gemm256
    {
        public const int BroadcastRows = 6, BroadcastColumns = 16;
        public const int DotRows = 3, DotColumns = 4;

        private static Vector256<float> Mask(int count) =>
            Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

        /// <summary>
        /// One strip of a broadcast product: <paramref name="rows"/> rows, <paramref name="columns"/> ≤ 16 columns, the sums starting
        /// (unless <paramref name="accumulate"/>) from <paramref name="rowBias"/>[row] or <paramref name="columnBias"/>[column], else zero.
        /// Rows go in 6-row tiles, and what is left in 4-row ones where it can (8 accumulators still cover
        /// the FMA latency; a 1-row tile runs at a quarter of the rate): 32 rows are 6+6+6+6+4+4, not 6·5+1+1.
        /// </summary>
        public static void BroadcastTile(int rows, int columns, int k, float* a, nint rs, nint cs,
            float* b, nint ldb, float* c, nint ldc, bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias)
        {
            if (columns == BroadcastColumns)
            {
                Broadcast<Full>(rows, k, a, rs, cs, b, ldb, c, ldc, accumulate, default, default, e, y, rowBias, columnBias);
            }
            else
            {
                Broadcast<Masked>(rows, k, a, rs, cs, b, ldb, c, ldc, accumulate, Mask(columns), Mask(columns - 8), e, y, rowBias, columnBias);
            }
        }

        /// <summary>How many 4-row tiles follow the 6-row ones: one for a remainder of 4 or 5; two for 2 or 3 when a 6-row tile can give up 2 rows.</summary>
        private static int FourRowTiles(int rows)
        {
            int rest = rows % 6;
            return rest >= 4 ? 1 : rest >= 2 && rows >= 6 + rest ? 2 : 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Broadcast<T>(int rows, int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Vector256<float> m0, Vector256<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess
        {
            nint biasStep = rowBias is null ? 0 : 1;
            int fours = FourRowTiles(rows);
            int sixes = (rows - 4 * fours) / 6;
            for (int t = 0; t < sixes; t++)
            {
                Broadcast6<T>(k, a, rs, cs, b, ldb, c, ldc, accumulate, m0, m1, e, y, rowBias, columnBias);
                rowBias += 6 * biasStep;
                a += 6 * rs;
                c += 6 * ldc;
                y += 6 * ldc;
            }
            for (int t = 0; t < fours; t++)
            {
                Broadcast4<T>(k, a, rs, cs, b, ldb, c, ldc, accumulate, m0, m1, e, y, rowBias, columnBias);
                rowBias += 4 * biasStep;
                a += 4 * rs;
                c += 4 * ldc;
                y += 4 * ldc;
            }
            for (int r = rows - 6 * sixes - 4 * fours; r > 0; r--)
            {
                Broadcast1<T>(k, a, cs, b, ldb, c, accumulate, m0, m1, e, y, rowBias, columnBias);
                rowBias += biasStep;
                a += rs;
                c += ldc;
                y += ldc;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast6<T>(int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Vector256<float> m0, Vector256<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess
        {
            Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
            if (accumulate)
            {
                c00 = T.Load(c, m0); c01 = T.Load(c + 8, m1);
                c10 = T.Load(c + ldc, m0); c11 = T.Load(c + ldc + 8, m1);
                c20 = T.Load(c + 2 * ldc, m0); c21 = T.Load(c + 2 * ldc + 8, m1);
                c30 = T.Load(c + 3 * ldc, m0); c31 = T.Load(c + 3 * ldc + 8, m1);
                c40 = T.Load(c + 4 * ldc, m0); c41 = T.Load(c + 4 * ldc + 8, m1);
                c50 = T.Load(c + 5 * ldc, m0); c51 = T.Load(c + 5 * ldc + 8, m1);
            }
            else if (rowBias is not null)
            {
                c00 = c01 = Vector256.Create(rowBias[0]);
                c10 = c11 = Vector256.Create(rowBias[1]);
                c20 = c21 = Vector256.Create(rowBias[2]);
                c30 = c31 = Vector256.Create(rowBias[3]);
                c40 = c41 = Vector256.Create(rowBias[4]);
                c50 = c51 = Vector256.Create(rowBias[5]);
            }
            else if (columnBias is not null)
            {
                Vector256<float> b0 = T.Load(columnBias, m0), b1 = T.Load(columnBias + 8, m1);
                c00 = c10 = c20 = c30 = c40 = c50 = b0;
                c01 = c11 = c21 = c31 = c41 = c51 = b1;
            }
            else
            {
                c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
            }
            for (int p = 0; p < k; p++)
            {
                Vector256<float> b0 = T.Load(b, m0), b1 = T.Load(b + 8, m1), x;
                x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                x = Vector256.Create(a[rs]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                x = Vector256.Create(a[2 * rs]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                x = Vector256.Create(a[3 * rs]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                x = Vector256.Create(a[4 * rs]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
                x = Vector256.Create(a[5 * rs]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
                a += cs;
                b += ldb;
            }
            T.Store(c, m0, Finish<T>(e, c00, y, m0)); T.Store(c + 8, m1, Finish<T>(e, c01, y + 8, m1));
            T.Store(c + ldc, m0, Finish<T>(e, c10, y + ldc, m0)); T.Store(c + ldc + 8, m1, Finish<T>(e, c11, y + ldc + 8, m1));
            T.Store(c + 2 * ldc, m0, Finish<T>(e, c20, y + 2 * ldc, m0)); T.Store(c + 2 * ldc + 8, m1, Finish<T>(e, c21, y + 2 * ldc + 8, m1));
            T.Store(c + 3 * ldc, m0, Finish<T>(e, c30, y + 3 * ldc, m0)); T.Store(c + 3 * ldc + 8, m1, Finish<T>(e, c31, y + 3 * ldc + 8, m1));
            T.Store(c + 4 * ldc, m0, Finish<T>(e, c40, y + 4 * ldc, m0)); T.Store(c + 4 * ldc + 8, m1, Finish<T>(e, c41, y + 4 * ldc + 8, m1));
            T.Store(c + 5 * ldc, m0, Finish<T>(e, c50, y + 5 * ldc, m0)); T.Store(c + 5 * ldc + 8, m1, Finish<T>(e, c51, y + 5 * ldc + 8, m1));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast4<T>(int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Vector256<float> m0, Vector256<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess
        {
            Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31;
            if (accumulate)
            {
                c00 = T.Load(c, m0); c01 = T.Load(c + 8, m1);
                c10 = T.Load(c + ldc, m0); c11 = T.Load(c + ldc + 8, m1);
                c20 = T.Load(c + 2 * ldc, m0); c21 = T.Load(c + 2 * ldc + 8, m1);
                c30 = T.Load(c + 3 * ldc, m0); c31 = T.Load(c + 3 * ldc + 8, m1);
            }
            else if (rowBias is not null)
            {
                c00 = c01 = Vector256.Create(rowBias[0]);
                c10 = c11 = Vector256.Create(rowBias[1]);
                c20 = c21 = Vector256.Create(rowBias[2]);
                c30 = c31 = Vector256.Create(rowBias[3]);
            }
            else if (columnBias is not null)
            {
                Vector256<float> b0 = T.Load(columnBias, m0), b1 = T.Load(columnBias + 8, m1);
                c00 = c10 = c20 = c30 = b0;
                c01 = c11 = c21 = c31 = b1;
            }
            else
            {
                c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector256<float>.Zero;
            }
            for (int p = 0; p < k; p++)
            {
                Vector256<float> b0 = T.Load(b, m0), b1 = T.Load(b + 8, m1), x;
                x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                x = Vector256.Create(a[rs]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                x = Vector256.Create(a[2 * rs]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                x = Vector256.Create(a[3 * rs]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                a += cs;
                b += ldb;
            }
            T.Store(c, m0, Finish<T>(e, c00, y, m0)); T.Store(c + 8, m1, Finish<T>(e, c01, y + 8, m1));
            T.Store(c + ldc, m0, Finish<T>(e, c10, y + ldc, m0)); T.Store(c + ldc + 8, m1, Finish<T>(e, c11, y + ldc + 8, m1));
            T.Store(c + 2 * ldc, m0, Finish<T>(e, c20, y + 2 * ldc, m0)); T.Store(c + 2 * ldc + 8, m1, Finish<T>(e, c21, y + 2 * ldc + 8, m1));
            T.Store(c + 3 * ldc, m0, Finish<T>(e, c30, y + 3 * ldc, m0)); T.Store(c + 3 * ldc + 8, m1, Finish<T>(e, c31, y + 3 * ldc + 8, m1));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast1<T>(int k, float* a, nint cs, float* b, nint ldb, float* c,
            bool accumulate, Vector256<float> m0, Vector256<float> m1, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IAccess
        {
            // As the wider tiles: C, else the row's bias, else the column biases, else zero.
            bool fromColumns = rowBias is null && columnBias is not null;
            Vector256<float> start = rowBias is null ? Vector256<float>.Zero : Vector256.Create(rowBias[0]);
            Vector256<float> c00 = accumulate ? T.Load(c, m0) : fromColumns ? T.Load(columnBias, m0) : start;
            Vector256<float> c01 = accumulate ? T.Load(c + 8, m1) : fromColumns ? T.Load(columnBias + 8, m1) : start;
            Vector256<float> d00 = Vector256<float>.Zero, d01 = Vector256<float>.Zero;
            int p = 0;
            // Two independent chains hide the FMA latency of a single row.
            for (; p + 1 < k; p += 2)
            {
                Vector256<float> x0 = Vector256.Create(a[0]), x1 = Vector256.Create(a[cs]);
                c00 = Vector256.FusedMultiplyAdd(x0, T.Load(b, m0), c00);
                c01 = Vector256.FusedMultiplyAdd(x0, T.Load(b + 8, m1), c01);
                d00 = Vector256.FusedMultiplyAdd(x1, T.Load(b + ldb, m0), d00);
                d01 = Vector256.FusedMultiplyAdd(x1, T.Load(b + ldb + 8, m1), d01);
                a += 2 * cs;
                b += 2 * ldb;
            }
            if (p < k)
            {
                Vector256<float> x0 = Vector256.Create(a[0]);
                c00 = Vector256.FusedMultiplyAdd(x0, T.Load(b, m0), c00);
                c01 = Vector256.FusedMultiplyAdd(x0, T.Load(b + 8, m1), c01);
            }
            T.Store(c, m0, Finish<T>(e, c00 + d00, y, m0));
            T.Store(c + 8, m1, Finish<T>(e, c01 + d01, y + 8, m1));
        }

        /// <summary>
        /// <c>C[rows×columns] (+)= A[rows, k]·B[columns, k]ᵀ (+ bias)</c>, rows ≤ 3, columns ≤ 4: 12 accumulators,
        /// three A vectors and one B vector, all 16 registers (2×4 left the loads of B half used).
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
            Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
            Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default;
            float* a0 = a, a1 = a + (rows > 1 ? lda : 0), a2 = a + (rows > 2 ? 2 * lda : rows > 1 ? lda : 0);
            nint o1 = columns > 1 ? ldb : 0, o2 = (columns > 2 ? 2 : columns - 1) * ldb, o3 = (columns > 3 ? 3 : columns - 1) * ldb;
            int p = 0;
            for (; p <= k - 8; p += 8)
            {
                Vector256<float> x0 = Vector256.Load(a0 + p), x1 = R.Count > 1 ? Vector256.Load(a1 + p) : default, x2 = R.Count > 2 ? Vector256.Load(a2 + p) : default, w;
                float* bp = b + p;
                w = Vector256.Load(bp); s00 = Vector256.FusedMultiplyAdd(x0, w, s00); if (R.Count > 1) { s10 = Vector256.FusedMultiplyAdd(x1, w, s10); } if (R.Count > 2) { s20 = Vector256.FusedMultiplyAdd(x2, w, s20); }
                w = Vector256.Load(bp + o1); s01 = Vector256.FusedMultiplyAdd(x0, w, s01); if (R.Count > 1) { s11 = Vector256.FusedMultiplyAdd(x1, w, s11); } if (R.Count > 2) { s21 = Vector256.FusedMultiplyAdd(x2, w, s21); }
                w = Vector256.Load(bp + o2); s02 = Vector256.FusedMultiplyAdd(x0, w, s02); if (R.Count > 1) { s12 = Vector256.FusedMultiplyAdd(x1, w, s12); } if (R.Count > 2) { s22 = Vector256.FusedMultiplyAdd(x2, w, s22); }
                w = Vector256.Load(bp + o3); s03 = Vector256.FusedMultiplyAdd(x0, w, s03); if (R.Count > 1) { s13 = Vector256.FusedMultiplyAdd(x1, w, s13); } if (R.Count > 2) { s23 = Vector256.FusedMultiplyAdd(x2, w, s23); }
            }
            if (p < k)
            {
                Vector256<float> m = Mask(k - p);
                Vector256<float> x0 = Avx.MaskLoad(a0 + p, m), x1 = R.Count > 1 ? Avx.MaskLoad(a1 + p, m) : default, x2 = R.Count > 2 ? Avx.MaskLoad(a2 + p, m) : default, w;
                float* bp = b + p;
                w = Avx.MaskLoad(bp, m); s00 = Vector256.FusedMultiplyAdd(x0, w, s00); if (R.Count > 1) { s10 = Vector256.FusedMultiplyAdd(x1, w, s10); } if (R.Count > 2) { s20 = Vector256.FusedMultiplyAdd(x2, w, s20); }
                w = Avx.MaskLoad(bp + o1, m); s01 = Vector256.FusedMultiplyAdd(x0, w, s01); if (R.Count > 1) { s11 = Vector256.FusedMultiplyAdd(x1, w, s11); } if (R.Count > 2) { s21 = Vector256.FusedMultiplyAdd(x2, w, s21); }
                w = Avx.MaskLoad(bp + o2, m); s02 = Vector256.FusedMultiplyAdd(x0, w, s02); if (R.Count > 1) { s12 = Vector256.FusedMultiplyAdd(x1, w, s12); } if (R.Count > 2) { s22 = Vector256.FusedMultiplyAdd(x2, w, s22); }
                w = Avx.MaskLoad(bp + o3, m); s03 = Vector256.FusedMultiplyAdd(x0, w, s03); if (R.Count > 1) { s13 = Vector256.FusedMultiplyAdd(x1, w, s13); } if (R.Count > 2) { s23 = Vector256.FusedMultiplyAdd(x2, w, s23); }
            }
            Vector128<float> columnMask = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(columns)).AsSingle();
            Vector128<float> add = bias is null ? Vector128<float>.Zero : Avx.MaskLoad(bias, columnMask);
            StoreRow(c, Reduce4(s00, s01, s02, s03) + add, columnMask, accumulate, e);
            if (R.Count > 1 && rows > 1)
            {
                StoreRow(c + ldc, Reduce4(s10, s11, s12, s13) + add, columnMask, accumulate, e);
            }
            if (R.Count > 2 && rows > 2)
            {
                StoreRow(c + 2 * ldc, Reduce4(s20, s21, s22, s23) + add, columnMask, accumulate, e);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRow(float* c, Vector128<float> value, Vector128<float> mask, bool accumulate, Epilogue e)
        {
            if (accumulate)
            {
                value += Avx.MaskLoad(c, mask);
            }
            Avx.MaskStore(c, mask, Epilogues.Apply(e, value, default));
        }

        /// <summary>[Σv0, Σv1, Σv2, Σv3] by a shuffle tree.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Reduce4(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3)
        {
            Vector256<float> t01 = Avx.UnpackLow(v0, v1) + Avx.UnpackHigh(v0, v1);
            Vector256<float> t23 = Avx.UnpackLow(v2, v3) + Avx.UnpackHigh(v2, v3);
            Vector256<float> u = Avx.UnpackLow(t01.AsDouble(), t23.AsDouble()).AsSingle() + Avx.UnpackHigh(t01.AsDouble(), t23.AsDouble()).AsSingle();
            return u.GetLower() + u.GetUpper();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Finish<T>(Epilogue e, Vector256<float> value, float* y, Vector256<float> mask) where T : struct, IAccess =>
            e == Epilogue.None ? value : Epilogues.Apply(e, value, Epilogues.ReadsY(e) ? T.Load(y, mask) : default);

        private interface IAccess
        {
            static abstract Vector256<float> Load(float* p, Vector256<float> mask);
            static abstract void Store(float* p, Vector256<float> mask, Vector256<float> value);
        }

        private readonly struct Full : IAccess
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> Load(float* p, Vector256<float> mask) => Vector256.Load(p);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(float* p, Vector256<float> mask, Vector256<float> value) => value.Store(p);
        }

        private readonly struct Masked : IAccess
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> Load(float* p, Vector256<float> mask) => Avx.MaskLoad(p, mask);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(float* p, Vector256<float> mask, Vector256<float> value) => Avx.MaskStore(p, mask, value);
        }
    }
}

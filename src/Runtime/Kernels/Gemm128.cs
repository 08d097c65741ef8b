using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels
{
    /// <summary>
    /// The Vector128 versions of <see cref="Gemm256"/>'s two kernel shapes: SSE on any x64 (NativeAOT's
    /// default target, machines without AVX2), NEON on ARM64. Sized for the 16 XMM registers of x64:
    /// broadcast 6×8 (12 accumulators, two B vectors and the broadcast value; then 4×8 tiles for what
    /// rows are left) and dot 3×4 (12 accumulators, three A vectors and one B vector; 2×4 without FMA).
    /// <para>
    /// Multiply-adds go through <see cref="Vector128.MultiplyAddEstimate(Vector128{float}, Vector128{float}, Vector128{float})"/>:
    /// fused where the hardware has FMA (always on ARM64), a multiply then an add where it has not
    /// (x86-64-v2), instead of <c>FusedMultiplyAdd</c>'s exact software emulation there (about 8× slower).
    /// </para>
    /// <para>
    /// There is no portable 128-bit masked load, so tiles use whole vectors only: a strip's last one to
    /// three columns go to <see cref="GemmScalar"/>, and a dot product's last one to three values of k are
    /// added one by one.
    /// </para>
    /// </summary>
    internal static unsafe class Gemm128
    {
        public const int BroadcastRows = 6, BroadcastColumns = 8;
        public const int DotColumns = 4;

        /// <summary>
        /// Rows per dot tile: three where a multiply-add is one instruction; two where it is a multiply and
        /// an add (x64 without FMA3), whose product needs a register of its own: three rows would need 17
        /// of the 16, and the one spilled accumulator made the whole loop wait on memory (59% of the peak).
        /// </summary>
        public static int DotRows => Fused ? 3 : 2;

        private static bool Fused => Fma.IsSupported || AdvSimd.IsSupported;

        private const int Lanes = 4;

        /// <summary>
        /// One strip of a broadcast product: <paramref name="rows"/> rows, <paramref name="columns"/> ≤ 8 columns, the sums starting
        /// (unless <paramref name="accumulate"/>) from <paramref name="rowBias"/>[row] or <paramref name="columnBias"/>[column], else zero:
        /// two vectors, one vector, then scalar columns for what is left over.
        /// </summary>
        public static void BroadcastTile(int rows, int columns, int k, float* a, nint rs, nint cs,
            float* b, nint ldb, float* c, nint ldc, bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias)
        {
            if (columns == BroadcastColumns)
            {
                Broadcast<TwoVectors>(rows, k, a, rs, cs, b, ldb, c, ldc, accumulate, e, y, rowBias, columnBias);
                return;
            }
            int vectorColumns = columns >= Lanes ? Lanes : 0;
            if (vectorColumns > 0)
            {
                Broadcast<OneVector>(rows, k, a, rs, cs, b, ldb, c, ldc, accumulate, e, y, rowBias, columnBias);
            }
            if (columns > vectorColumns)
            {
                GemmScalar.BroadcastTile(rows, columns - vectorColumns, k, a, rs, cs, b + vectorColumns, ldb, c + vectorColumns, ldc,
                    accumulate, e, y + vectorColumns, rowBias, columnBias is null ? null : columnBias + vectorColumns);
            }
        }

        /// <summary>How many 4-row tiles follow the 6-row ones (as in <see cref="Gemm256"/>).</summary>
        private static int FourRowTiles(int rows)
        {
            int rest = rows % 6;
            return rest >= 4 ? 1 : rest >= 2 && rows >= 6 + rest ? 2 : 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Broadcast<T>(int rows, int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IColumns
        {
            nint biasStep = rowBias is null ? 0 : 1;
            int fours = FourRowTiles(rows);
            int sixes = (rows - 4 * fours) / 6;
            for (int t = 0; t < sixes; t++)
            {
                Broadcast6<T>(k, a, rs, cs, b, ldb, c, ldc, accumulate, e, y, rowBias, columnBias);
                rowBias += 6 * biasStep;
                a += 6 * rs;
                c += 6 * ldc;
                y += 6 * ldc;
            }
            for (int t = 0; t < fours; t++)
            {
                Broadcast4<T>(k, a, rs, cs, b, ldb, c, ldc, accumulate, e, y, rowBias, columnBias);
                rowBias += 4 * biasStep;
                a += 4 * rs;
                c += 4 * ldc;
                y += 4 * ldc;
            }
            for (int r = rows - 6 * sixes - 4 * fours; r > 0; r--)
            {
                Broadcast1<T>(k, a, cs, b, ldb, c, accumulate, e, y, rowBias, columnBias);
                rowBias += biasStep;
                a += rs;
                c += ldc;
                y += ldc;
            }
        }

        /// <summary>The accumulators of one row: C's values, the row's bias, the column biases from <paramref name="column"/>, or zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Start(bool accumulate, float* c, float* rowBias, int row, float* columnBias, int column) =>
            accumulate ? Vector128.Load(c) : rowBias is not null ? Vector128.Create(rowBias[row]) :
            columnBias is not null ? Vector128.Load(columnBias + column) : Vector128<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> MultiplyAdd(Vector128<float> x, Vector128<float> b, Vector128<float> c) =>
            Vector128.MultiplyAddEstimate(x, b, c);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast6<T>(int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IColumns
        {
            Vector128<float> c00 = Start(accumulate, c, rowBias, 0, columnBias, 0), c10 = Start(accumulate, c + ldc, rowBias, 1, columnBias, 0);
            Vector128<float> c20 = Start(accumulate, c + 2 * ldc, rowBias, 2, columnBias, 0), c30 = Start(accumulate, c + 3 * ldc, rowBias, 3, columnBias, 0);
            Vector128<float> c40 = Start(accumulate, c + 4 * ldc, rowBias, 4, columnBias, 0), c50 = Start(accumulate, c + 5 * ldc, rowBias, 5, columnBias, 0);
            Vector128<float> c01 = default, c11 = default, c21 = default, c31 = default, c41 = default, c51 = default;
            if (T.Second)
            {
                c01 = Start(accumulate, c + Lanes, rowBias, 0, columnBias, Lanes); c11 = Start(accumulate, c + ldc + Lanes, rowBias, 1, columnBias, Lanes);
                c21 = Start(accumulate, c + 2 * ldc + Lanes, rowBias, 2, columnBias, Lanes); c31 = Start(accumulate, c + 3 * ldc + Lanes, rowBias, 3, columnBias, Lanes);
                c41 = Start(accumulate, c + 4 * ldc + Lanes, rowBias, 4, columnBias, Lanes); c51 = Start(accumulate, c + 5 * ldc + Lanes, rowBias, 5, columnBias, Lanes);
            }
            for (int p = 0; p < k; p++)
            {
                Vector128<float> b0 = Vector128.Load(b), b1 = T.Second ? Vector128.Load(b + Lanes) : default, x;
                x = Vector128.Create(a[0]); c00 = MultiplyAdd(x, b0, c00); if (T.Second) { c01 = MultiplyAdd(x, b1, c01); }
                x = Vector128.Create(a[rs]); c10 = MultiplyAdd(x, b0, c10); if (T.Second) { c11 = MultiplyAdd(x, b1, c11); }
                x = Vector128.Create(a[2 * rs]); c20 = MultiplyAdd(x, b0, c20); if (T.Second) { c21 = MultiplyAdd(x, b1, c21); }
                x = Vector128.Create(a[3 * rs]); c30 = MultiplyAdd(x, b0, c30); if (T.Second) { c31 = MultiplyAdd(x, b1, c31); }
                x = Vector128.Create(a[4 * rs]); c40 = MultiplyAdd(x, b0, c40); if (T.Second) { c41 = MultiplyAdd(x, b1, c41); }
                x = Vector128.Create(a[5 * rs]); c50 = MultiplyAdd(x, b0, c50); if (T.Second) { c51 = MultiplyAdd(x, b1, c51); }
                a += cs;
                b += ldb;
            }
            Finish(e, c00, y).Store(c); Finish(e, c10, y + ldc).Store(c + ldc); Finish(e, c20, y + 2 * ldc).Store(c + 2 * ldc);
            Finish(e, c30, y + 3 * ldc).Store(c + 3 * ldc); Finish(e, c40, y + 4 * ldc).Store(c + 4 * ldc); Finish(e, c50, y + 5 * ldc).Store(c + 5 * ldc);
            if (T.Second)
            {
                Finish(e, c01, y + Lanes).Store(c + Lanes); Finish(e, c11, y + ldc + Lanes).Store(c + ldc + Lanes);
                Finish(e, c21, y + 2 * ldc + Lanes).Store(c + 2 * ldc + Lanes); Finish(e, c31, y + 3 * ldc + Lanes).Store(c + 3 * ldc + Lanes);
                Finish(e, c41, y + 4 * ldc + Lanes).Store(c + 4 * ldc + Lanes); Finish(e, c51, y + 5 * ldc + Lanes).Store(c + 5 * ldc + Lanes);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast4<T>(int k, float* a, nint rs, nint cs, float* b, nint ldb, float* c, nint ldc,
            bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IColumns
        {
            Vector128<float> c00 = Start(accumulate, c, rowBias, 0, columnBias, 0), c10 = Start(accumulate, c + ldc, rowBias, 1, columnBias, 0);
            Vector128<float> c20 = Start(accumulate, c + 2 * ldc, rowBias, 2, columnBias, 0), c30 = Start(accumulate, c + 3 * ldc, rowBias, 3, columnBias, 0);
            Vector128<float> c01 = default, c11 = default, c21 = default, c31 = default;
            if (T.Second)
            {
                c01 = Start(accumulate, c + Lanes, rowBias, 0, columnBias, Lanes); c11 = Start(accumulate, c + ldc + Lanes, rowBias, 1, columnBias, Lanes);
                c21 = Start(accumulate, c + 2 * ldc + Lanes, rowBias, 2, columnBias, Lanes); c31 = Start(accumulate, c + 3 * ldc + Lanes, rowBias, 3, columnBias, Lanes);
            }
            for (int p = 0; p < k; p++)
            {
                Vector128<float> b0 = Vector128.Load(b), b1 = T.Second ? Vector128.Load(b + Lanes) : default, x;
                x = Vector128.Create(a[0]); c00 = MultiplyAdd(x, b0, c00); if (T.Second) { c01 = MultiplyAdd(x, b1, c01); }
                x = Vector128.Create(a[rs]); c10 = MultiplyAdd(x, b0, c10); if (T.Second) { c11 = MultiplyAdd(x, b1, c11); }
                x = Vector128.Create(a[2 * rs]); c20 = MultiplyAdd(x, b0, c20); if (T.Second) { c21 = MultiplyAdd(x, b1, c21); }
                x = Vector128.Create(a[3 * rs]); c30 = MultiplyAdd(x, b0, c30); if (T.Second) { c31 = MultiplyAdd(x, b1, c31); }
                a += cs;
                b += ldb;
            }
            Finish(e, c00, y).Store(c); Finish(e, c10, y + ldc).Store(c + ldc);
            Finish(e, c20, y + 2 * ldc).Store(c + 2 * ldc); Finish(e, c30, y + 3 * ldc).Store(c + 3 * ldc);
            if (T.Second)
            {
                Finish(e, c01, y + Lanes).Store(c + Lanes); Finish(e, c11, y + ldc + Lanes).Store(c + ldc + Lanes);
                Finish(e, c21, y + 2 * ldc + Lanes).Store(c + 2 * ldc + Lanes); Finish(e, c31, y + 3 * ldc + Lanes).Store(c + 3 * ldc + Lanes);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Broadcast1<T>(int k, float* a, nint cs, float* b, nint ldb, float* c,
            bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias) where T : struct, IColumns
        {
            Vector128<float> c00 = Start(accumulate, c, rowBias, 0, columnBias, 0);
            Vector128<float> c01 = T.Second ? Start(accumulate, c + Lanes, rowBias, 0, columnBias, Lanes) : default;
            Vector128<float> d00 = Vector128<float>.Zero, d01 = Vector128<float>.Zero;
            int p = 0;
            // Two independent chains hide the latency of a single row.
            for (; p + 1 < k; p += 2)
            {
                Vector128<float> x0 = Vector128.Create(a[0]), x1 = Vector128.Create(a[cs]);
                c00 = MultiplyAdd(x0, Vector128.Load(b), c00);
                d00 = MultiplyAdd(x1, Vector128.Load(b + ldb), d00);
                if (T.Second)
                {
                    c01 = MultiplyAdd(x0, Vector128.Load(b + Lanes), c01);
                    d01 = MultiplyAdd(x1, Vector128.Load(b + ldb + Lanes), d01);
                }
                a += 2 * cs;
                b += 2 * ldb;
            }
            if (p < k)
            {
                Vector128<float> x0 = Vector128.Create(a[0]);
                c00 = MultiplyAdd(x0, Vector128.Load(b), c00);
                if (T.Second)
                {
                    c01 = MultiplyAdd(x0, Vector128.Load(b + Lanes), c01);
                }
            }
            Finish(e, c00 + d00, y).Store(c);
            if (T.Second)
            {
                Finish(e, c01 + d01, y + Lanes).Store(c + Lanes);
            }
        }

        /// <summary>
        /// <c>C[rows×columns] (+)= A[rows, k]·B[columns, k]ᵀ (+ bias)</c>, rows ≤ <see cref="DotRows"/>, columns ≤ 4.
        /// Rows and columns past the edge reuse the last valid pointer and are not stored; the last
        /// <c>k mod 4</c> products are added one by one.
        /// </summary>
        public static void DotTile(int rows, int columns, int k, float* a, nint lda, float* b, nint ldb,
            float* c, nint ldc, float* bias, bool accumulate, Epilogue e)
        {
            if (rows == 1)
            {
                Dot<OneRow>(rows, columns, k, a, lda, b, ldb, c, ldc, bias, accumulate, e);
            }
            else if (Fused && rows > 2)
            {
                Dot<ThreeRows>(rows, columns, k, a, lda, b, ldb, c, ldc, bias, accumulate, e);
            }
            else
            {
                Dot<TwoRows>(rows, columns, k, a, lda, b, ldb, c, ldc, bias, accumulate, e);
            }
        }

        /// <summary>
        /// The dot tile: 12 accumulators, three A vectors and one B vector with three rows; 8, two and one,
        /// and a register for each product, with two.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Dot<T>(int rows, int columns, int k, float* a, nint lda, float* b, nint ldb,
            float* c, nint ldc, float* bias, bool accumulate, Epilogue e) where T : struct, IDotRows
        {
            Vector128<float> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector128<float> s10 = default, s11 = default, s12 = default, s13 = default;
            Vector128<float> s20 = default, s21 = default, s22 = default, s23 = default;
            float* a0 = a, a1 = a + (rows > 1 ? lda : 0), a2 = a + (rows > 2 ? 2 * lda : rows > 1 ? lda : 0);
            nint o1 = columns > 1 ? ldb : 0, o2 = (columns > 2 ? 2 : columns - 1) * ldb, o3 = (columns > 3 ? 3 : columns - 1) * ldb;
            int p = 0;
            for (; p <= k - Lanes; p += Lanes)
            {
                Vector128<float> x0 = Vector128.Load(a0 + p), x1 = T.Count > 1 ? Vector128.Load(a1 + p) : default, x2 = T.Count > 2 ? Vector128.Load(a2 + p) : default, w;
                float* bp = b + p;
                w = Vector128.Load(bp); s00 = MultiplyAdd(x0, w, s00); if (T.Count > 1) { s10 = MultiplyAdd(x1, w, s10); } if (T.Count > 2) { s20 = MultiplyAdd(x2, w, s20); }
                w = Vector128.Load(bp + o1); s01 = MultiplyAdd(x0, w, s01); if (T.Count > 1) { s11 = MultiplyAdd(x1, w, s11); } if (T.Count > 2) { s21 = MultiplyAdd(x2, w, s21); }
                w = Vector128.Load(bp + o2); s02 = MultiplyAdd(x0, w, s02); if (T.Count > 1) { s12 = MultiplyAdd(x1, w, s12); } if (T.Count > 2) { s22 = MultiplyAdd(x2, w, s22); }
                w = Vector128.Load(bp + o3); s03 = MultiplyAdd(x0, w, s03); if (T.Count > 1) { s13 = MultiplyAdd(x1, w, s13); } if (T.Count > 2) { s23 = MultiplyAdd(x2, w, s23); }
            }
            // Reduce before anything else: no accumulator may live across a call (all vector registers are
            // caller-saved on Unix), or the register allocator spills all twelve inside the loop (3× slower).
            Vector128<float> r0 = Reduce4(s00, s01, s02, s03), r1 = T.Count > 1 ? Reduce4(s10, s11, s12, s13) : default;
            Vector128<float> r2 = T.Count > 2 ? Reduce4(s20, s21, s22, s23) : default;
            Vector128<float> add = bias is null ? Vector128<float>.Zero : LoadPartial(bias, columns);
            StoreRow(c, r0 + Tail(a0, b, o1, o2, o3, p, k) + add, columns, accumulate, e);
            if (T.Count > 1 && rows > 1)
            {
                StoreRow(c + ldc, r1 + Tail(a1, b, o1, o2, o3, p, k) + add, columns, accumulate, e);
            }
            if (T.Count > 2 && rows > 2)
            {
                StoreRow(c + 2 * ldc, r2 + Tail(a2, b, o1, o2, o3, p, k) + add, columns, accumulate, e);
            }
        }

        /// <summary>The dot products of one A row with the four B rows (at offsets 0, o1, o2, o3) over <c>[from, k)</c>, fewer than four values each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Tail(float* a, float* b, nint o1, nint o2, nint o3, int from, int k)
        {
            if (from == k)
            {
                return Vector128<float>.Zero;
            }
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int p = from; p < k; p++)
            {
                float x = a[p];
                s0 += x * b[p];
                s1 += x * b[o1 + p];
                s2 += x * b[o2 + p];
                s3 += x * b[o3 + p];
            }
            return Vector128.Create(s0, s1, s2, s3);
        }

        /// <summary>The first <paramref name="count"/> ≤ 4 floats at <paramref name="p"/>, zeros after them; reads nothing past them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> LoadPartial(float* p, int count) => count switch
        {
            >= Lanes => Vector128.Load(p),
            3 => Vector128.Create(p[0], p[1], p[2], 0f),
            2 => Vector128.Create(p[0], p[1], 0f, 0f),
            _ => Vector128.Create(p[0], 0f, 0f, 0f),
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRow(float* c, Vector128<float> value, int columns, bool accumulate, Epilogue e)
        {
            if (columns == Lanes)
            {
                Epilogues.Apply(e, accumulate ? value + Vector128.Load(c) : value, default).Store(c);
                return;
            }
            for (int j = 0; j < columns; j++)
            {
                float v = value.GetElement(j);
                c[j] = Epilogues.Apply(e, accumulate ? v + c[j] : v, 0f);
            }
        }

        /// <summary>[Σv0, Σv1, Σv2, Σv3]: two rounds of pairwise adds.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Reduce4(Vector128<float> v0, Vector128<float> v1, Vector128<float> v2, Vector128<float> v3)
        {
            if (Sse3.IsSupported)
            {
                return Sse3.HorizontalAdd(Sse3.HorizontalAdd(v0, v1), Sse3.HorizontalAdd(v2, v3));
            }
            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(v0, v1), AdvSimd.Arm64.AddPairwise(v2, v3));
            }
            return Vector128.Create(Vector128.Sum(v0), Vector128.Sum(v1), Vector128.Sum(v2), Vector128.Sum(v3));
        }

        /// <summary>The epilogue of one stored vector; <paramref name="y"/> sits where the vector goes, in y's buffer.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Finish(Epilogue e, Vector128<float> value, float* y) =>
            e == Epilogue.None ? value : Epilogues.Apply(e, value, Epilogues.ReadsY(e) ? Vector128.Load(y) : default);
    }
}

namespace NetGen.Kernels
{
    /// <summary>The scalar path: the same tiles as the vector kernels, one float at a time.</summary>
    internal static unsafe class GemmScalar
    {
        public const int Columns = 16;

        /// <summary>C[rows, columns] (+)= Σ_p a(i,p)·B[p, j], starting (unless accumulating) from rowBias[i] or columnBias[j], else zero.</summary>
        public static void BroadcastTile(int rows, int columns, int k, float* a, nint rs, nint cs,
            float* b, nint ldb, float* c, nint ldc, bool accumulate, Epilogue e, float* y, float* rowBias, float* columnBias)
        {
            for (int i = 0; i < rows; i++)
            {
                float* ci = c + i * ldc;
                if (!accumulate)
                {
                    for (int j = 0; j < columns; j++)
                    {
                        ci[j] = rowBias is not null ? rowBias[i] : columnBias is not null ? columnBias[j] : 0f;
                    }
                }
                for (int p = 0; p < k; p++)
                {
                    float x = a[i * rs + p * cs];
                    float* bp = b + p * ldb;
                    for (int j = 0; j < columns; j++)
                    {
                        ci[j] += x * bp[j];
                    }
                }
                if (e != Epilogue.None)
                {
                    for (int j = 0; j < columns; j++)
                    {
                        ci[j] = Epilogues.Apply(e, ci[j], Epilogues.ReadsY(e) ? y[i * ldc + j] : 0f);
                    }
                }
            }
        }

        /// <summary>C[rows, columns] (+)= A[rows, k]·B[columns, k]ᵀ (+ bias).</summary>
        public static void DotTile(int rows, int columns, int k, float* a, nint lda, float* b, nint ldb,
            float* c, nint ldc, float* bias, bool accumulate, Epilogue e)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    float sum = 0;
                    float* ai = a + i * lda, bj = b + j * ldb;
                    for (int p = 0; p < k; p++)
                    {
                        sum += ai[p] * bj[p];
                    }
                    if (bias is not null)
                    {
                        sum += bias[j];
                    }
                    c[i * ldc + j] = Epilogues.Apply(e, accumulate ? c[i * ldc + j] + sum : sum, 0f);
                }
            }
        }
    }
}

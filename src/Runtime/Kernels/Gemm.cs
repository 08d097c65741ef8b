using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// The one seam through which all matrix products pass: the three row-major products a dense
    /// layer needs. Every operand is row-major and dense (leading dimension = column count).
    /// <para>
    /// This implementation is a plain vectorized one (row dot products and row updates through
    /// TensorPrimitives); a register-blocked, packed kernel can replace the bodies without any
    /// caller changing.
    /// </para>
    /// </summary>
    public static class Gemm
    {
        /// <summary><c>C[m,n] = A[m,k]·B[n,k]ᵀ</c>, or <c>+=</c> when <paramref name="accumulate"/>: a dense forward, <c>x·Wᵀ</c>.</summary>
        public static void MultiplyNT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        {
            CheckSizes(m, n, k, a.Length, b.Length, c.Length);
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> aRow = a.Slice(i * k, k);
                Span<float> cRow = c.Slice(i * n, n);
                for (int j = 0; j < n; j++)
                {
                    float dot = TensorPrimitives.Dot(aRow, b.Slice(j * k, k));
                    cRow[j] = accumulate ? cRow[j] + dot : dot;
                }
            }
        }

        /// <summary><c>C[m,n] = A[m,k]·B[k,n]</c>, or <c>+=</c>: a dense input gradient, <c>dZ·W</c>.</summary>
        public static void MultiplyNN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        {
            CheckSizes(m, n, k, a.Length, b.Length, c.Length);
            for (int i = 0; i < m; i++)
            {
                Span<float> cRow = c.Slice(i * n, n);
                if (!accumulate)
                {
                    cRow.Clear();
                }
                for (int p = 0; p < k; p++)
                {
                    float aip = a[i * k + p];
                    if (aip != 0f)
                    {
                        TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, cRow, cRow);
                    }
                }
            }
        }

        /// <summary><c>C[m,n] = A[k,m]ᵀ·B[k,n]</c>, or <c>+=</c>: a dense weight gradient, <c>dZᵀ·X</c>.</summary>
        public static void MultiplyTN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        {
            CheckSizes(m, n, k, a.Length, b.Length, c.Length);
            for (int i = 0; i < m; i++)
            {
                Span<float> cRow = c.Slice(i * n, n);
                if (!accumulate)
                {
                    cRow.Clear();
                }
                for (int p = 0; p < k; p++)
                {
                    float api = a[p * m + i];
                    if (api != 0f)
                    {
                        TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), api, cRow, cRow);
                    }
                }
            }
        }

        private static void CheckSizes(int m, int n, int k, int aLength, int bLength, int cLength)
        {
            if (m < 0 || n < 0 || k < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(m), $"Matrix sizes must not be negative: m={m}, n={n}, k={k}.");
            }
            if (aLength < (long)m * k || bLength < (long)k * n || cLength < (long)m * n)
            {
                throw new ArgumentException(
                    $"Operands too short for m={m}, n={n}, k={k}: A has {aLength} (needs {(long)m * k}), " +
                    $"B has {bLength} (needs {(long)k * n}), C has {cLength} (needs {(long)m * n}).");
            }
        }
    }
}

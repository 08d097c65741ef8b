using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// The products of a dense layer <c>z = x·Wᵀ + b</c> with <c>W</c> stored <c>[out, in]</c>
    /// (torch.nn.Linear's layout), all through <see cref="Gemm"/>.
    /// </summary>
    public static class Dense
    {
        /// <summary><c>z[B,out] = x[B,in]·Wᵀ + b</c>.</summary>
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> z,
            int batch, int inFeatures, int outFeatures)
        {
            Gemm.MultiplyNT(batch, outFeatures, inFeatures, x, weight, z, accumulate: false, bias.Slice(0, outFeatures));
        }

        /// <summary><c>dW[out,in] = dzᵀ·x</c> and <c>db[out] = Σ_rows dz</c>, both overwritten.</summary>
        public static void BackwardParameters(ReadOnlySpan<float> dz, ReadOnlySpan<float> x, Span<float> weightGrad, Span<float> biasGrad,
            int batch, int inFeatures, int outFeatures)
        {
            Gemm.MultiplyTN(outFeatures, inFeatures, batch, dz, x, weightGrad, accumulate: false);
            ColumnSums(dz, batch, outFeatures, biasGrad.Slice(0, outFeatures));
        }

        /// <summary><c>sums[j] = Σ_r matrix[r, j]</c>, rows added in order (the same bits whatever the thread count).</summary>
        public static void ColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums)
        {
            if (columns == 1)
            {
                sums[0] = TensorPrimitives.Sum(matrix.Slice(0, rows));
                return;
            }
            if (columns >= 32)
            {
                // Wide rows: one vectorized add per row.
                matrix.Slice(0, columns).CopyTo(sums);
                for (int r = 1; r < rows; r++)
                {
                    TensorPrimitives.Add(sums, matrix.Slice(r * columns, columns), sums);
                }
                return;
            }
            // Narrow rows: the call per row would cost more than the adds.
            sums.Slice(0, columns).Clear();
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
                for (int j = 0; j < row.Length; j++)
                {
                    sums[j] += row[j];
                }
            }
        }

        /// <summary><c>dx[B,in] = dz·W</c>, overwritten.</summary>
        public static void BackwardInput(ReadOnlySpan<float> dz, ReadOnlySpan<float> weight, Span<float> dx,
            int batch, int inFeatures, int outFeatures)
        {
            Gemm.MultiplyNN(batch, inFeatures, outFeatures, dz, weight, dx, accumulate: false);
        }
    }
}

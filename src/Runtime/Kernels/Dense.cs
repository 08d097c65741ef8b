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
            Span<float> db = biasGrad.Slice(0, outFeatures);
            dz.Slice(0, outFeatures).CopyTo(db);
            for (int r = 1; r < batch; r++)
            {
                TensorPrimitives.Add(db, dz.Slice(r * outFeatures, outFeatures), db);
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

using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

        /// <summary>
        /// <c>z = x·Wᵀ + b</c> and <c>y = activation(z)</c>; <paramref name="y"/> may be <paramref name="z"/>
        /// itself. In place, ReLU, LeakyReLU and Sigmoid run in the product's epilogue (no extra pass); the others
        /// (vectorized) run right after, while the output is still in cache.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> z, Span<float> y,
            int batch, int inFeatures, int outFeatures, Activation activation)
        {
            bool inPlace = Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(y));
            Epilogue fused = !inPlace ? Epilogue.None : activation switch
            {
                Activation.ReLU => Epilogue.ReLU,
                Activation.LeakyReLU => Epilogue.LeakyReLU,
                Activation.Sigmoid => Epilogue.Sigmoid,
                _ => Epilogue.None,
            };
            Gemm.MultiplyNT(batch, outFeatures, inFeatures, x, weight, z, accumulate: false, bias.Slice(0, outFeatures), fused);
            if (fused != Epilogue.None)
            {
                return;
            }
            int count = batch * outFeatures;
            if (activation == Activation.Softmax)
            {
                Activations.Softmax(z.Slice(0, count), y.Slice(0, count), batch, outFeatures);
            }
            else
            {
                Activations.Apply(activation, z.Slice(0, count), y.Slice(0, count));
            }
        }

        /// <summary>Whether <see cref="BackwardInput(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, Activation, ReadOnlySpan{float})"/> can fold this activation's derivative into its product.</summary>
        public static bool CanFuseDerivative(Activation activation) =>
            activation is Activation.None or Activation.ReLU or Activation.LeakyReLU or Activation.Sigmoid or Activation.Tanh;

        /// <summary><c>dW[out,in] = dzᵀ·x</c> and <c>db[out] = Σ_rows dz</c>, both overwritten.</summary>
        public static void BackwardParameters(ReadOnlySpan<float> dz, ReadOnlySpan<float> x, Span<float> weightGrad, Span<float> biasGrad,
            int batch, int inFeatures, int outFeatures)
        {
            Gemm.MultiplyTN(outFeatures, inFeatures, batch, dz, x, weightGrad, accumulate: false, biasGrad.Slice(0, outFeatures));
        }

        /// <summary><c>sums[j] = Σ_r matrix[r, j]</c>, rows added in order (the same bits whatever the thread count).</summary>
        public static void ColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums)
        {
            if (rows == 0)
            {
                sums.Slice(0, columns).Clear();
                return;
            }
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

        /// <summary>
        /// <c>dz_in[B,in] = (dz·W) ⊙ f′(y_in)</c>: the input gradient, already turned into the previous
        /// layer's pre-activation gradient by its activation <paramref name="inputActivation"/>, whose
        /// output is <paramref name="inputY"/> (see <see cref="CanFuseDerivative"/>).
        /// </summary>
        public static void BackwardInput(ReadOnlySpan<float> dz, ReadOnlySpan<float> weight, Span<float> dx,
            int batch, int inFeatures, int outFeatures, Activation inputActivation, ReadOnlySpan<float> inputY)
        {
            Epilogue derivative = inputActivation switch
            {
                Activation.None => Epilogue.None,
                Activation.ReLU => Epilogue.ReLUDerivative,
                Activation.LeakyReLU => Epilogue.LeakyReLUDerivative,
                Activation.Sigmoid => Epilogue.SigmoidDerivative,
                Activation.Tanh => Epilogue.TanhDerivative,
                _ => throw new ArgumentException($"The derivative of {inputActivation} cannot be fused; apply it separately.", nameof(inputActivation)),
            };
            Gemm.MultiplyNN(batch, inFeatures, outFeatures, dz, weight, dx, accumulate: false, derivative, inputY);
        }

        /// <summary><c>dx[B,in] = dz·W</c>, overwritten.</summary>
        public static void BackwardInput(ReadOnlySpan<float> dz, ReadOnlySpan<float> weight, Span<float> dx,
            int batch, int inFeatures, int outFeatures)
        {
            Gemm.MultiplyNN(batch, inFeatures, outFeatures, dz, weight, dx, accumulate: false);
        }
    }
}

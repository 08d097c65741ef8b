using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// Activation functions and their derivatives. Forward functions work in place on a layer's
    /// output; backward functions turn the gradient with respect to the output, <c>d = ∂L/∂y</c>,
    /// into the gradient with respect to the pre-activation, <c>∂L/∂z</c>, in place.
    /// </summary>
    public static class Activations
    {
        /// <summary>The negative slope of LeakyReLU (PyTorch's default).</summary>
        public const float LeakySlope = 0.01f;

        /// <summary>y = max(0, z). <paramref name="z"/> and <paramref name="y"/> may be the same span.</summary>
        public static void ReLU(ReadOnlySpan<float> z, Span<float> y) => TensorPrimitives.Max(z, 0f, y);

        /// <summary>y = z for z &gt; 0, 0.01·z otherwise. <paramref name="z"/> and <paramref name="y"/> may be the same span.</summary>
        public static void LeakyReLU(ReadOnlySpan<float> z, Span<float> y)
        {
            CopyUnlessSame(z, y);
            Elementwise.Apply<LeakyReLUForwardOp>(y, y);
        }

        /// <summary>
        /// y = 1 / (1 + e^−z), by <see cref="FloatMath"/>'s exponential, the same in every vector lane and in scalar code, so that
        /// a dense layer with the sigmoid fused into its product's store gives these bits. <paramref name="z"/> and
        /// <paramref name="y"/> may be the same span.
        /// </summary>
        public static void Sigmoid(ReadOnlySpan<float> z, Span<float> y)
        {
            CopyUnlessSame(z, y);
            Elementwise.Apply<SigmoidForwardOp>(y, y);
        }

        /// <summary>y = tanh(z). <paramref name="z"/> and <paramref name="y"/> may be the same span.</summary>
        public static void Tanh(ReadOnlySpan<float> z, Span<float> y) => TensorPrimitives.Tanh(z, y);

        /// <summary>y = z·Φ(z), the exact (erf) GELU. <paramref name="z"/> and <paramref name="y"/> may be the same span.</summary>
        public static void Gelu(ReadOnlySpan<float> z, Span<float> y)
        {
            CheckSameLength(z.Length, y.Length);
            Span<float> cdf = stackalloc float[GeluChunk], work = stackalloc float[GeluChunk];
            for (int start = 0; start < z.Length; start += GeluChunk)
            {
                int n = Math.Min(GeluChunk, z.Length - start);
                ReadOnlySpan<float> zc = z.Slice(start, n);
                NormalCdf(zc, cdf.Slice(0, n), work.Slice(0, n));
                TensorPrimitives.Multiply(zc, cdf.Slice(0, n), y.Slice(start, n));
            }
        }

        /// <summary>Elements per pass of the GELU kernels, small enough that their working spans stay in L1.</summary>
        private const int GeluChunk = 256;

        /// <summary>
        /// Φ(x) for each x, vectorized in float: Numerical Recipes' erfc(|x|/√2) = t·exp(−x²/2 − 1.2655… + t·P(t)),
        /// t = 1/(1 + |x|/(2√2)) (about 1e-7 relative before float rounding), each step one TensorPrimitives pass
        /// over the chunk. Φ = 1 − erfc/2 for x ≥ 0, erfc/2 below.
        /// </summary>
        private static void NormalCdf(ReadOnlySpan<float> x, Span<float> cdf, Span<float> t)
        {
            TensorPrimitives.Abs(x, cdf);
            TensorPrimitives.Multiply(cdf, 0.70710678f, cdf);                  // a = |x|/√2
            TensorPrimitives.Multiply(cdf, 0.5f, t);
            TensorPrimitives.Add(t, 1f, t);                                      // 1 + a/2
            TensorPrimitives.Reciprocal(t, t);                                   // t
            TensorPrimitives.Multiply(cdf, cdf, cdf);                            // a²
            Span<float> p = stackalloc float[t.Length];
            p.Fill(0.17087277f);
            ReadOnlySpan<float> coefficients = [-0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f, -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f];
            foreach (float c in coefficients)
            {
                TensorPrimitives.MultiplyAdd(p, t, c, p);                        // Horner: p = p·t + c
            }
            TensorPrimitives.Subtract(p, cdf, p);                                // −a² − 1.2655… + t·P(t)
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Multiply(p, t, p);                                  // erfc(a)
            TensorPrimitives.Multiply(p, 0.5f, p);                               // erfc/2 = Φ(−|x|)
            for (int i = 0; i < x.Length; i++)
            {
                cdf[i] = x[i] >= 0 ? 1f - p[i] : p[i];
            }
        }

        /// <summary>
        /// Softmax over each of <paramref name="rows"/> rows of <paramref name="columns"/> values, computed as
        /// <c>exp(z − max z) / Σ exp(z − max z)</c> like PyTorch's: <c>TensorPrimitives.SoftMax</c> exponentiates z itself, so a
        /// logit above ~88.7 made the row NaN (exp overflowed to ∞, and ∞/∞).
        /// </summary>
        public static void Softmax(ReadOnlySpan<float> z, Span<float> y, int rows, int columns)
        {
            CheckSameLength(z.Length, y.Length);
            for (int r = 0; r < rows && columns > 0; r++)
            {
                ReadOnlySpan<float> input = z.Slice(r * columns, columns);
                Span<float> output = y.Slice(r * columns, columns);
                TensorPrimitives.Subtract(input, TensorPrimitives.Max(input), output);
                TensorPrimitives.Exp(output, output);
                TensorPrimitives.Divide(output, TensorPrimitives.Sum(output), output);
            }
        }

        /// <summary>
        /// y = activation(z) for the element-wise activations (not Softmax, which works per row: use
        /// <see cref="Softmax"/>). <paramref name="z"/> and <paramref name="y"/> may be the same span.
        /// </summary>
        public static void Apply(Activation activation, ReadOnlySpan<float> z, Span<float> y)
        {
            switch (activation)
            {
                case Activation.None:
                    CopyUnlessSame(z, y);
                    break;
                case Activation.ReLU:
                    ReLU(z, y);
                    break;
                case Activation.LeakyReLU:
                    LeakyReLU(z, y);
                    break;
                case Activation.Sigmoid:
                    Sigmoid(z, y);
                    break;
                case Activation.Tanh:
                    Tanh(z, y);
                    break;
                case Activation.Gelu:
                    Gelu(z, y);
                    break;
                default:
                    throw new ArgumentException($"{activation} is not an element-wise activation.", nameof(activation));
            }
        }

        /// <summary>
        /// d ← d·f′ in place, for the element-wise activations: from the output <paramref name="y"/>, or from
        /// the pre-activation <paramref name="z"/> for GELU (the only one that needs it).
        /// </summary>
        public static void Backward(Activation activation, ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> d)
        {
            switch (activation)
            {
                case Activation.None:
                    break;
                case Activation.ReLU:
                    ReLUBackward(y, d);
                    break;
                case Activation.LeakyReLU:
                    LeakyReLUBackward(y, d);
                    break;
                case Activation.Sigmoid:
                    SigmoidBackward(y, d);
                    break;
                case Activation.Tanh:
                    TanhBackward(y, d);
                    break;
                case Activation.Gelu:
                    GeluBackward(z, d);
                    break;
                default:
                    throw new ArgumentException($"{activation} is not an element-wise activation.", nameof(activation));
            }
        }

        /// <summary>d ← d where y &gt; 0, else 0.</summary>
        public static void ReLUBackward(ReadOnlySpan<float> y, Span<float> d) => Elementwise.Apply<ReLUBackwardOp>(y, d);

        /// <summary>d ← d where y &gt; 0, else 0.01·d.</summary>
        public static void LeakyReLUBackward(ReadOnlySpan<float> y, Span<float> d) => Elementwise.Apply<LeakyReLUBackwardOp>(y, d);

        /// <summary>d ← d·y·(1 − y), from the sigmoid's output y.</summary>
        public static void SigmoidBackward(ReadOnlySpan<float> y, Span<float> d) => Elementwise.Apply<SigmoidBackwardOp>(y, d);

        /// <summary>d ← d·(1 − y²), from the tanh's output y.</summary>
        public static void TanhBackward(ReadOnlySpan<float> y, Span<float> d) => Elementwise.Apply<TanhBackwardOp>(y, d);

        /// <summary>d ← d·(Φ(z) + z·φ(z)), from the pre-activation z.</summary>
        public static void GeluBackward(ReadOnlySpan<float> z, Span<float> d)
        {
            CheckSameLength(z.Length, d.Length);
            const float InvSqrt2Pi = 0.39894228f;
            Span<float> cdf = stackalloc float[GeluChunk], density = stackalloc float[GeluChunk];
            for (int start = 0; start < z.Length; start += GeluChunk)
            {
                int n = Math.Min(GeluChunk, z.Length - start);
                ReadOnlySpan<float> zc = z.Slice(start, n);
                Span<float> c = cdf.Slice(0, n), phi = density.Slice(0, n);
                NormalCdf(zc, c, phi);
                TensorPrimitives.Multiply(zc, zc, phi);
                TensorPrimitives.Multiply(phi, -0.5f, phi);
                TensorPrimitives.Exp(phi, phi);                                  // e^(−z²/2)
                TensorPrimitives.Multiply(phi, zc, phi);
                TensorPrimitives.MultiplyAdd(phi, InvSqrt2Pi, c, phi);           // Φ(z) + z·φ(z)
                TensorPrimitives.Multiply(d.Slice(start, n), phi, d.Slice(start, n));
            }
        }

        /// <summary>Per row: dᵢ ← yᵢ·(dᵢ − Σⱼ dⱼ·yⱼ), the softmax Jacobian applied to d.</summary>
        public static void SoftmaxBackward(ReadOnlySpan<float> y, Span<float> d, int rows, int columns)
        {
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> yRow = y.Slice(r * columns, columns);
                Span<float> dRow = d.Slice(r * columns, columns);
                float dot = TensorPrimitives.Dot(yRow, dRow);
                TensorPrimitives.Subtract(dRow, dot, dRow);
                TensorPrimitives.Multiply(dRow, yRow, dRow);
            }
        }

        private static void CopyUnlessSame(ReadOnlySpan<float> z, Span<float> y)
        {
            CheckSameLength(z.Length, y.Length);
            if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(y)))
            {
                z.CopyTo(y);
            }
        }

        private static void CheckSameLength(int a, int b)
        {
            if (a != b)
            {
                throw new ArgumentException($"Lengths differ: {a} and {b}.");
            }
        }

        /// <summary>Φ(x), the standard normal CDF, to about 1e-7 relative (Numerical Recipes' erfc).</summary>
        internal static double NormalCdf(double x) => 0.5 * Erfc(-x * 0.70710678118654752440);

        private static double Erfc(double x)
        {
            double z = Math.Abs(x);
            double t = 1.0 / (1.0 + 0.5 * z);
            double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                t * (-0.82215223 + t * 0.17087277)))))))));
            return x >= 0 ? r : 2.0 - r;
        }

        private readonly struct LeakyReLUForwardOp : IBinaryOperator
        {
            public static float Invoke(float y, float d) => d > 0 ? d : LeakySlope * d;
            public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> d) =>
                Vector128.ConditionalSelect(Vector128.GreaterThan(d, Vector128<float>.Zero), d, d * LeakySlope);
            public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> d) =>
                Vector256.ConditionalSelect(Vector256.GreaterThan(d, Vector256<float>.Zero), d, d * LeakySlope);
            public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> d) =>
                Vector512.ConditionalSelect(Vector512.GreaterThan(d, Vector512<float>.Zero), d, d * LeakySlope);
        }

        private readonly struct SigmoidForwardOp : IBinaryOperator
        {
            public static float Invoke(float y, float d) => FloatMath.Sigmoid(d);
            public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> d) => FloatMath.Sigmoid(d);
            public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> d) => FloatMath.Sigmoid(d);
            public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> d) => FloatMath.Sigmoid(d);
        }

        private readonly struct ReLUBackwardOp : IBinaryOperator
        {
            public static float Invoke(float y, float d) => y > 0 ? d : 0f;
            public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> d) =>
                Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), d, Vector128<float>.Zero);
            public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> d) =>
                Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), d, Vector256<float>.Zero);
            public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> d) =>
                Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), d, Vector512<float>.Zero);
        }

        private readonly struct LeakyReLUBackwardOp : IBinaryOperator
        {
            public static float Invoke(float y, float d) => y > 0 ? d : LeakySlope * d;
            public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> d) =>
                Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), d, d * LeakySlope);
            public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> d) =>
                Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), d, d * LeakySlope);
            public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> d) =>
                Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), d, d * LeakySlope);
        }

        private readonly struct SigmoidBackwardOp : IBinaryOperator
        {
            public static float Invoke(float y, float d) => d * y * (1f - y);
            public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> d) => d * y * (Vector128<float>.One - y);
            public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> d) => d * y * (Vector256<float>.One - y);
            public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> d) => d * y * (Vector512<float>.One - y);
        }

        private readonly struct TanhBackwardOp : IBinaryOperator
        {
            public static float Invoke(float y, float d) => d * (1f - y * y);
            public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> d) => d * (Vector128<float>.One - y * y);
            public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> d) => d * (Vector256<float>.One - y * y);
            public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> d) => d * (Vector512<float>.One - y * y);
        }
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// <c>exp</c>, sigmoid and tanh in float, per vector width and for single floats, each lane by one formula, within a few
    /// ulps: the fused recurrent cells' activations (<see cref="LstmCell"/>, <see cref="GruCell"/>) and attention's softmax.
    /// .NET's vector <c>Exp</c> computes in double and costs several times more. Sigmoid is <c>1 / (1 + e^−x)</c>; tanh is
    /// <c>sign(x)·(1 − e^−2|x|) / (1 + e^−2|x|)</c>, and its Taylor series below |x| = 1/16, where the subtraction would lose digits.
    /// </summary>
    internal static class FloatMath
    {
        /// <summary>Below this magnitude tanh is its series: <c>x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835</c> (error under 1e-12 there).</summary>
        internal const float SeriesBelow = 0.0625f;

        /// <summary>
        /// <c>Σ e^(x_i − shift)</c> (a log-sum-exp's sum, with the row's maximum as <paramref name="shift"/>): a vector at a time
        /// in float, the lanes and the tail added in double.
        /// </summary>
        internal static double SumOfExp(ReadOnlySpan<float> x, float shift)
        {
            int i = 0;
            double sum = 0;
            if (Simd.Level >= SimdLevel.Vector512 && x.Length >= 16)
            {
                Vector512<float> total = Vector512<float>.Zero, s = Vector512.Create(shift);
                for (; i + 16 <= x.Length; i += 16)
                {
                    total += Exp(Vector512.Create(x.Slice(i, 16)) - s);
                }
                sum = Vector512.Sum(Vector512.WidenLower(total)) + Vector512.Sum(Vector512.WidenUpper(total));
            }
            else if (Simd.Level >= SimdLevel.Vector256 && x.Length >= 8)
            {
                Vector256<float> total = Vector256<float>.Zero, s = Vector256.Create(shift);
                for (; i + 8 <= x.Length; i += 8)
                {
                    total += Exp(Vector256.Create(x.Slice(i, 8)) - s);
                }
                sum = Vector256.Sum(Vector256.WidenLower(total)) + Vector256.Sum(Vector256.WidenUpper(total));
            }
            else if (Simd.Level >= SimdLevel.Vector128 && x.Length >= 4)
            {
                Vector128<float> total = Vector128<float>.Zero, s = Vector128.Create(shift);
                for (; i + 4 <= x.Length; i += 4)
                {
                    total += Exp(Vector128.Create(x.Slice(i, 4)) - s);
                }
                sum = Vector128.Sum(Vector128.WidenLower(total)) + Vector128.Sum(Vector128.WidenUpper(total));
            }
            for (; i < x.Length; i++)
            {
                sum += Exp(x[i] - shift);
            }
            return sum;
        }

        internal static float Sigmoid(float x) => 1f / (1f + Exp(-x));

        // e^x as 2^n·p(r), n = round(x·log₂e), r = x − n·ln 2 in two parts, p Cephes' degree-7 polynomial (relative error
        // about 2e-7): the library's vector exp works in double and cost as much as the nine library passes it replaced. The
        // clamp keeps n within a float's exponents (n = 128 at 88.38 would make 2^n infinity); NaN passes through it.
        private const float MinExponent = -87.3f, MaxExponent = 88.3f, Log2E = 1.44269504088896341f;
        private const float Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
        private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f;
        private const float P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.3]: 2^n·p(r), the same formula as the vector lanes.</summary>
        internal static float Exp(float x)
        {
            x = Math.Clamp(x, MinExponent, MaxExponent);
            float n = MathF.Round(x * Log2E);
            float r = x - n * Ln2High - n * Ln2Low;
            float p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
            p = p * (r * r) + r + 1f;
            return p * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
        }

        internal static float Tanh(float x)
        {
            float a = MathF.Abs(x);
            if (a < SeriesBelow)
            {
                float x2 = x * x;
                return x * (1f + x2 * (-1f / 3 + x2 * (2f / 15 + x2 * (-17f / 315 + x2 * (62f / 2835)))));
            }
            float e = Exp(-2f * a);
            return MathF.CopySign((1f - e) / (1f + e), x);
        }

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.3] (<see cref="Exp(float)"/>'s formula in every lane).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> Exp(Vector512<float> x)
        {
            x = Vector512.Min(Vector512.Max(x, Vector512.Create(MinExponent)), Vector512.Create(MaxExponent));
            Vector512<float> n = Vector512.Round(x * Vector512.Create(Log2E));
            Vector512<float> r = x - n * Vector512.Create(Ln2High) - n * Vector512.Create(Ln2Low);
            Vector512<float> p = Vector512.Create(P0) * r + Vector512.Create(P1);
            p = p * r + Vector512.Create(P2);
            p = p * r + Vector512.Create(P3);
            p = p * r + Vector512.Create(P4);
            p = p * r + Vector512.Create(P5);
            p = p * (r * r) + r + Vector512<float>.One;
            Vector512<int> scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23);
            return p * scale.AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> Tanh(Vector512<float> x)
        {
            Vector512<float> a = Vector512.Abs(x), x2 = x * x;
            Vector512<float> e = Exp(a * -2f);
            Vector512<float> large = Vector512.CopySign((Vector512<float>.One - e) / (Vector512<float>.One + e), x);
            Vector512<float> series = x * (Vector512<float>.One + x2 * (Vector512.Create(-1f / 3) + x2 * (Vector512.Create(2f / 15)
                + x2 * (Vector512.Create(-17f / 315) + x2 * Vector512.Create(62f / 2835)))));
            return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SeriesBelow)), series, large);
        }

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.3] (<see cref="Exp(float)"/>'s formula in every lane).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> Exp(Vector256<float> x)
        {
            x = Vector256.Min(Vector256.Max(x, Vector256.Create(MinExponent)), Vector256.Create(MaxExponent));
            Vector256<float> n = Vector256.Round(x * Vector256.Create(Log2E));
            Vector256<float> r = x - n * Vector256.Create(Ln2High) - n * Vector256.Create(Ln2Low);
            Vector256<float> p = Vector256.Create(P0) * r + Vector256.Create(P1);
            p = p * r + Vector256.Create(P2);
            p = p * r + Vector256.Create(P3);
            p = p * r + Vector256.Create(P4);
            p = p * r + Vector256.Create(P5);
            p = p * (r * r) + r + Vector256<float>.One;
            Vector256<int> scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23);
            return p * scale.AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> Tanh(Vector256<float> x)
        {
            Vector256<float> a = Vector256.Abs(x), x2 = x * x;
            Vector256<float> e = Exp(a * -2f);
            Vector256<float> large = Vector256.CopySign((Vector256<float>.One - e) / (Vector256<float>.One + e), x);
            Vector256<float> series = x * (Vector256<float>.One + x2 * (Vector256.Create(-1f / 3) + x2 * (Vector256.Create(2f / 15)
                + x2 * (Vector256.Create(-17f / 315) + x2 * Vector256.Create(62f / 2835)))));
            return Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SeriesBelow)), series, large);
        }

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.3] (<see cref="Exp(float)"/>'s formula in every lane).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> Exp(Vector128<float> x)
        {
            x = Vector128.Min(Vector128.Max(x, Vector128.Create(MinExponent)), Vector128.Create(MaxExponent));
            Vector128<float> n = Vector128.Round(x * Vector128.Create(Log2E));
            Vector128<float> r = x - n * Vector128.Create(Ln2High) - n * Vector128.Create(Ln2Low);
            Vector128<float> p = Vector128.Create(P0) * r + Vector128.Create(P1);
            p = p * r + Vector128.Create(P2);
            p = p * r + Vector128.Create(P3);
            p = p * r + Vector128.Create(P4);
            p = p * r + Vector128.Create(P5);
            p = p * (r * r) + r + Vector128<float>.One;
            Vector128<int> scale = Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23);
            return p * scale.AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> Sigmoid(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> Tanh(Vector128<float> x)
        {
            Vector128<float> a = Vector128.Abs(x), x2 = x * x;
            Vector128<float> e = Exp(a * -2f);
            Vector128<float> large = Vector128.CopySign((Vector128<float>.One - e) / (Vector128<float>.One + e), x);
            Vector128<float> series = x * (Vector128<float>.One + x2 * (Vector128.Create(-1f / 3) + x2 * (Vector128.Create(2f / 15)
                + x2 * (Vector128.Create(-17f / 315) + x2 * Vector128.Create(62f / 2835)))));
            return Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(SeriesBelow)), series, large);
        }
    }
}

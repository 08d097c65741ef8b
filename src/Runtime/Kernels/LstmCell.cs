using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// One row's LSTM cell in one pass over the hidden units, each value loaded and stored once: forward, the four gates'
    /// pre-activations summed, activated, the cell and the hidden state; backward, the gates' gradients and what flows on. Nine passes of library calls over 128 units took 0.74 µs a
    /// row on Zen 4 (about a sixth of a W5 step at batch 64). Sigmoid is <c>1 / (1 + e^−x)</c>; tanh is <c>sign(x)·(1 − e^−2|x|) / (1 + e^−2|x|)</c>, and its Taylor series below
    /// |x| = 1/16, where the subtraction would lose digits. Lanes past the last whole vector run the same formulas in scalar code.
    /// </summary>
    internal static unsafe class LstmCell
    {
        /// <summary>Below this magnitude tanh is its series: <c>x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835</c> (error under 1e-12 there).</summary>
        private const float SeriesBelow = 0.0625f;

        /// <summary>
        /// <c>gates [i f g o] += recurrent</c>, then activated in place (σ, σ, tanh, σ); <c>c = f⊙cPrev + i⊙g</c>
        /// (<paramref name="cPrev"/> null: the zero state; it may be <paramref name="c"/> itself); <c>h = o⊙tanh(c)</c>.
        /// </summary>
        public static void Forward(float* gates, float* recurrent, float* cPrev, float* c, float* h, int hidden)
        {
            int j = 0;
            if (Simd.Level >= SimdLevel.Vector512)
            {
                for (; j + 16 <= hidden; j += 16)
                {
                    Units512(gates + j, recurrent + j, cPrev is null ? null : cPrev + j, c + j, h + j, hidden);
                }
            }
            else if (Simd.Level >= SimdLevel.Vector256)
            {
                for (; j + 8 <= hidden; j += 8)
                {
                    Units256(gates + j, recurrent + j, cPrev is null ? null : cPrev + j, c + j, h + j, hidden);
                }
            }
            else if (Simd.Level >= SimdLevel.Vector128)
            {
                for (; j + 4 <= hidden; j += 4)
                {
                    Units128(gates + j, recurrent + j, cPrev is null ? null : cPrev + j, c + j, h + j, hidden);
                }
            }
            for (; j < hidden; j++)
            {
                float i = Sigmoid(gates[j] + recurrent[j]);
                float f = Sigmoid(gates[hidden + j] + recurrent[hidden + j]);
                float g = Tanh(gates[2 * hidden + j] + recurrent[2 * hidden + j]);
                float o = Sigmoid(gates[3 * hidden + j] + recurrent[3 * hidden + j]);
                gates[j] = i;
                gates[hidden + j] = f;
                gates[2 * hidden + j] = g;
                gates[3 * hidden + j] = o;
                float cell = cPrev is null ? i * g : f * cPrev[j] + i * g;
                c[j] = cell;
                h[j] = o * Tanh(cell);
            }
        }

        /// <summary>
        /// One row's step backward, in one pass. In: the activated <paramref name="gates"/> [i f g o], the cells <paramref name="c"/>
        /// and <paramref name="cPrev"/> (null: the zero state), <paramref name="dy"/>; <paramref name="dh"/> = what flows back from
        /// step t+1, replaced by ∂L/∂h_t; <paramref name="dc"/> = ∂L/∂c_t from step t+1, replaced by ∂L/∂c_{t−1}. Out: the
        /// pre-activation gate gradients [di df dg do], in <paramref name="dGates"/> and its copy <paramref name="dGatesSaved"/>.
        /// </summary>
        public static void Backward(float* gates, float* cPrev, float* c, float* dy, float* dh, float* dc, float* dGates, float* dGatesSaved, int hidden)
        {
            int j = 0;
            if (Simd.Level >= SimdLevel.Vector512)
            {
                for (; j + 16 <= hidden; j += 16)
                {
                    BackUnits512(gates + j, cPrev is null ? null : cPrev + j, c + j, dy + j, dh + j, dc + j, dGates + j, dGatesSaved + j, hidden);
                }
            }
            else if (Simd.Level >= SimdLevel.Vector256)
            {
                for (; j + 8 <= hidden; j += 8)
                {
                    BackUnits256(gates + j, cPrev is null ? null : cPrev + j, c + j, dy + j, dh + j, dc + j, dGates + j, dGatesSaved + j, hidden);
                }
            }
            else if (Simd.Level >= SimdLevel.Vector128)
            {
                for (; j + 4 <= hidden; j += 4)
                {
                    BackUnits128(gates + j, cPrev is null ? null : cPrev + j, c + j, dy + j, dh + j, dc + j, dGates + j, dGatesSaved + j, hidden);
                }
            }
            for (; j < hidden; j++)
            {
                float i = gates[j], f = gates[hidden + j], g = gates[2 * hidden + j], o = gates[3 * hidden + j];
                float dhT = dy[j] + dh[j], tc = Tanh(c[j]);
                dh[j] = dhT;
                float dCell = dhT * o * (1 - tc * tc) + dc[j];
                float di = dCell * g * (i * (1 - i));
                float df = cPrev is null ? 0f : dCell * cPrev[j] * (f * (1 - f));
                float dg = dCell * i * (1 - g * g);
                float dO = dhT * tc * (o * (1 - o));
                dc[j] = dCell * f;
                dGates[j] = dGatesSaved[j] = di;
                dGates[hidden + j] = dGatesSaved[hidden + j] = df;
                dGates[2 * hidden + j] = dGatesSaved[2 * hidden + j] = dg;
                dGates[3 * hidden + j] = dGatesSaved[3 * hidden + j] = dO;
            }
        }

        private static float Sigmoid(float x) => 1f / (1f + Exp(-x));

        // e^x as 2^n·p(r), n = round(x·log₂e), r = x − n·ln 2 in two parts, p Cephes' degree-7 polynomial (relative error
        // about 2e-7): the library's vector exp works in double and cost as much as the nine library passes it replaced.
        private const float MinExponent = -87.3f, MaxExponent = 88.7f, Log2E = 1.44269504088896341f;
        private const float Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
        private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f;
        private const float P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.7]: 2^n·p(r), the same formula as the vector lanes.</summary>
        private static float Exp(float x)
        {
            x = Math.Clamp(x, MinExponent, MaxExponent);
            float n = MathF.Round(x * Log2E);
            float r = x - n * Ln2High - n * Ln2Low;
            float p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
            p = p * (r * r) + r + 1f;
            return p * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
        }

        private static float Tanh(float x)
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void BackUnits512(float* gates, float* cPrev, float* c, float* dy, float* dh, float* dc, float* dGates, float* dGatesSaved, int hidden)
        {
            Vector512<float> one = Vector512<float>.One;
            Vector512<float> i = Vector512.Load(gates), f = Vector512.Load(gates + hidden), g = Vector512.Load(gates + 2 * hidden), o = Vector512.Load(gates + 3 * hidden);
            Vector512<float> dhT = Vector512.Load(dy) + Vector512.Load(dh), tc = Tanh(Vector512.Load(c));
            dhT.Store(dh);
            Vector512<float> dCell = dhT * o * (one - tc * tc) + Vector512.Load(dc);
            Vector512<float> di = dCell * g * (i * (one - i));
            Vector512<float> df = cPrev is null ? Vector512<float>.Zero : dCell * Vector512.Load(cPrev) * (f * (one - f));
            Vector512<float> dg = dCell * i * (one - g * g);
            Vector512<float> dO = dhT * tc * (o * (one - o));
            (dCell * f).Store(dc);
            di.Store(dGates); di.Store(dGatesSaved);
            df.Store(dGates + hidden); df.Store(dGatesSaved + hidden);
            dg.Store(dGates + 2 * hidden); dg.Store(dGatesSaved + 2 * hidden);
            dO.Store(dGates + 3 * hidden); dO.Store(dGatesSaved + 3 * hidden);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Units512(float* gates, float* recurrent, float* cPrev, float* c, float* h, int hidden)
        {
            Vector512<float> i = Sigmoid(Vector512.Load(gates) + Vector512.Load(recurrent));
            Vector512<float> f = Sigmoid(Vector512.Load(gates + hidden) + Vector512.Load(recurrent + hidden));
            Vector512<float> g = Tanh(Vector512.Load(gates + 2 * hidden) + Vector512.Load(recurrent + 2 * hidden));
            Vector512<float> o = Sigmoid(Vector512.Load(gates + 3 * hidden) + Vector512.Load(recurrent + 3 * hidden));
            i.Store(gates);
            f.Store(gates + hidden);
            g.Store(gates + 2 * hidden);
            o.Store(gates + 3 * hidden);
            Vector512<float> cell = cPrev is null ? i * g : f * Vector512.Load(cPrev) + i * g;
            cell.Store(c);
            (o * Tanh(cell)).Store(h);
        }

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.7] (<see cref="Exp(float)"/>'s formula in every lane).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Exp(Vector512<float> x)
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
        private static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Tanh(Vector512<float> x)
        {
            Vector512<float> a = Vector512.Abs(x), x2 = x * x;
            Vector512<float> e = Exp(a * -2f);
            Vector512<float> large = Vector512.CopySign((Vector512<float>.One - e) / (Vector512<float>.One + e), x);
            Vector512<float> series = x * (Vector512<float>.One + x2 * (Vector512.Create(-1f / 3) + x2 * (Vector512.Create(2f / 15)
                + x2 * (Vector512.Create(-17f / 315) + x2 * Vector512.Create(62f / 2835)))));
            return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SeriesBelow)), series, large);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void BackUnits256(float* gates, float* cPrev, float* c, float* dy, float* dh, float* dc, float* dGates, float* dGatesSaved, int hidden)
        {
            Vector256<float> one = Vector256<float>.One;
            Vector256<float> i = Vector256.Load(gates), f = Vector256.Load(gates + hidden), g = Vector256.Load(gates + 2 * hidden), o = Vector256.Load(gates + 3 * hidden);
            Vector256<float> dhT = Vector256.Load(dy) + Vector256.Load(dh), tc = Tanh(Vector256.Load(c));
            dhT.Store(dh);
            Vector256<float> dCell = dhT * o * (one - tc * tc) + Vector256.Load(dc);
            Vector256<float> di = dCell * g * (i * (one - i));
            Vector256<float> df = cPrev is null ? Vector256<float>.Zero : dCell * Vector256.Load(cPrev) * (f * (one - f));
            Vector256<float> dg = dCell * i * (one - g * g);
            Vector256<float> dO = dhT * tc * (o * (one - o));
            (dCell * f).Store(dc);
            di.Store(dGates); di.Store(dGatesSaved);
            df.Store(dGates + hidden); df.Store(dGatesSaved + hidden);
            dg.Store(dGates + 2 * hidden); dg.Store(dGatesSaved + 2 * hidden);
            dO.Store(dGates + 3 * hidden); dO.Store(dGatesSaved + 3 * hidden);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Units256(float* gates, float* recurrent, float* cPrev, float* c, float* h, int hidden)
        {
            Vector256<float> i = Sigmoid(Vector256.Load(gates) + Vector256.Load(recurrent));
            Vector256<float> f = Sigmoid(Vector256.Load(gates + hidden) + Vector256.Load(recurrent + hidden));
            Vector256<float> g = Tanh(Vector256.Load(gates + 2 * hidden) + Vector256.Load(recurrent + 2 * hidden));
            Vector256<float> o = Sigmoid(Vector256.Load(gates + 3 * hidden) + Vector256.Load(recurrent + 3 * hidden));
            i.Store(gates);
            f.Store(gates + hidden);
            g.Store(gates + 2 * hidden);
            o.Store(gates + 3 * hidden);
            Vector256<float> cell = cPrev is null ? i * g : f * Vector256.Load(cPrev) + i * g;
            cell.Store(c);
            (o * Tanh(cell)).Store(h);
        }

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.7] (<see cref="Exp(float)"/>'s formula in every lane).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Exp(Vector256<float> x)
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
        private static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Tanh(Vector256<float> x)
        {
            Vector256<float> a = Vector256.Abs(x), x2 = x * x;
            Vector256<float> e = Exp(a * -2f);
            Vector256<float> large = Vector256.CopySign((Vector256<float>.One - e) / (Vector256<float>.One + e), x);
            Vector256<float> series = x * (Vector256<float>.One + x2 * (Vector256.Create(-1f / 3) + x2 * (Vector256.Create(2f / 15)
                + x2 * (Vector256.Create(-17f / 315) + x2 * Vector256.Create(62f / 2835)))));
            return Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SeriesBelow)), series, large);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void BackUnits128(float* gates, float* cPrev, float* c, float* dy, float* dh, float* dc, float* dGates, float* dGatesSaved, int hidden)
        {
            Vector128<float> one = Vector128<float>.One;
            Vector128<float> i = Vector128.Load(gates), f = Vector128.Load(gates + hidden), g = Vector128.Load(gates + 2 * hidden), o = Vector128.Load(gates + 3 * hidden);
            Vector128<float> dhT = Vector128.Load(dy) + Vector128.Load(dh), tc = Tanh(Vector128.Load(c));
            dhT.Store(dh);
            Vector128<float> dCell = dhT * o * (one - tc * tc) + Vector128.Load(dc);
            Vector128<float> di = dCell * g * (i * (one - i));
            Vector128<float> df = cPrev is null ? Vector128<float>.Zero : dCell * Vector128.Load(cPrev) * (f * (one - f));
            Vector128<float> dg = dCell * i * (one - g * g);
            Vector128<float> dO = dhT * tc * (o * (one - o));
            (dCell * f).Store(dc);
            di.Store(dGates); di.Store(dGatesSaved);
            df.Store(dGates + hidden); df.Store(dGatesSaved + hidden);
            dg.Store(dGates + 2 * hidden); dg.Store(dGatesSaved + 2 * hidden);
            dO.Store(dGates + 3 * hidden); dO.Store(dGatesSaved + 3 * hidden);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Units128(float* gates, float* recurrent, float* cPrev, float* c, float* h, int hidden)
        {
            Vector128<float> i = Sigmoid(Vector128.Load(gates) + Vector128.Load(recurrent));
            Vector128<float> f = Sigmoid(Vector128.Load(gates + hidden) + Vector128.Load(recurrent + hidden));
            Vector128<float> g = Tanh(Vector128.Load(gates + 2 * hidden) + Vector128.Load(recurrent + 2 * hidden));
            Vector128<float> o = Sigmoid(Vector128.Load(gates + 3 * hidden) + Vector128.Load(recurrent + 3 * hidden));
            i.Store(gates);
            f.Store(gates + hidden);
            g.Store(gates + 2 * hidden);
            o.Store(gates + 3 * hidden);
            Vector128<float> cell = cPrev is null ? i * g : f * Vector128.Load(cPrev) + i * g;
            cell.Store(c);
            (o * Tanh(cell)).Store(h);
        }

        /// <summary><c>e^x</c> for x clamped to [−87.3, 88.7] (<see cref="Exp(float)"/>'s formula in every lane).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Exp(Vector128<float> x)
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
        private static Vector128<float> Sigmoid(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Exp(-x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Tanh(Vector128<float> x)
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

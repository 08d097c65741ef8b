using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>
    /// One row's GRU cell forward in one pass over the hidden units (as <see cref="LstmCell"/> for the LSTM): the reset and
    /// update gates summed and activated, the new gate from its recurrent part scaled by r, and the output, each value loaded
    /// and stored once, with <see cref="FloatMath"/>'s sigmoid and tanh.
    /// </summary>
    internal static unsafe class GruCell
    {
        /// <summary>
        /// <c>gates [r z n]</c> (<c>W_ih x + b_ih</c>) become the activated r, z, n: <c>r, z = σ(gates + recurrent)</c>,
        /// <c>n = tanh(gates_n + r⊙recurrent_n)</c>, after <c>recurrent_n</c> (<c>W_hn h + b_hn</c>) is copied to
        /// <paramref name="newGateRecurrent"/> (null: not kept); <c>h = n + z⊙(hPrev − n)</c> (<paramref name="hPrev"/> null: the
        /// zero state; it may be <paramref name="h"/> itself).
        /// </summary>
        public static void Forward(float* gates, float* recurrent, float* hPrev, float* h, float* newGateRecurrent, int hidden)
        {
            int j = 0;
            if (Simd.Level >= SimdLevel.Vector512)
            {
                for (; j + 16 <= hidden; j += 16)
                {
                    Units512(gates + j, recurrent + j, hPrev is null ? null : hPrev + j, h + j, newGateRecurrent is null ? null : newGateRecurrent + j, hidden);
                }
            }
            else if (Simd.Level >= SimdLevel.Vector256)
            {
                for (; j + 8 <= hidden; j += 8)
                {
                    Units256(gates + j, recurrent + j, hPrev is null ? null : hPrev + j, h + j, newGateRecurrent is null ? null : newGateRecurrent + j, hidden);
                }
            }
            else if (Simd.Level >= SimdLevel.Vector128)
            {
                for (; j + 4 <= hidden; j += 4)
                {
                    Units128(gates + j, recurrent + j, hPrev is null ? null : hPrev + j, h + j, newGateRecurrent is null ? null : newGateRecurrent + j, hidden);
                }
            }
            for (; j < hidden; j++)
            {
                float r = FloatMath.Sigmoid(gates[j] + recurrent[j]);
                float z = FloatMath.Sigmoid(gates[hidden + j] + recurrent[hidden + j]);
                float nRecurrent = recurrent[2 * hidden + j];
                if (newGateRecurrent is not null)
                {
                    newGateRecurrent[j] = nRecurrent;
                }
                float n = FloatMath.Tanh(gates[2 * hidden + j] + r * nRecurrent);
                gates[j] = r;
                gates[hidden + j] = z;
                gates[2 * hidden + j] = n;
                h[j] = z * ((hPrev is null ? 0f : hPrev[j]) - n) + n;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Units512(float* gates, float* recurrent, float* hPrev, float* h, float* newGateRecurrent, int hidden)
        {
            Vector512<float> r = FloatMath.Sigmoid(Vector512.Load(gates) + Vector512.Load(recurrent));
            Vector512<float> z = FloatMath.Sigmoid(Vector512.Load(gates + hidden) + Vector512.Load(recurrent + hidden));
            Vector512<float> nRecurrent = Vector512.Load(recurrent + 2 * hidden);
            if (newGateRecurrent is not null)
            {
                nRecurrent.Store(newGateRecurrent);
            }
            Vector512<float> n = FloatMath.Tanh(Vector512.Load(gates + 2 * hidden) + r * nRecurrent);
            r.Store(gates);
            z.Store(gates + hidden);
            n.Store(gates + 2 * hidden);
            (z * ((hPrev is null ? Vector512<float>.Zero : Vector512.Load(hPrev)) - n) + n).Store(h);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Units256(float* gates, float* recurrent, float* hPrev, float* h, float* newGateRecurrent, int hidden)
        {
            Vector256<float> r = FloatMath.Sigmoid(Vector256.Load(gates) + Vector256.Load(recurrent));
            Vector256<float> z = FloatMath.Sigmoid(Vector256.Load(gates + hidden) + Vector256.Load(recurrent + hidden));
            Vector256<float> nRecurrent = Vector256.Load(recurrent + 2 * hidden);
            if (newGateRecurrent is not null)
            {
                nRecurrent.Store(newGateRecurrent);
            }
            Vector256<float> n = FloatMath.Tanh(Vector256.Load(gates + 2 * hidden) + r * nRecurrent);
            r.Store(gates);
            z.Store(gates + hidden);
            n.Store(gates + 2 * hidden);
            (z * ((hPrev is null ? Vector256<float>.Zero : Vector256.Load(hPrev)) - n) + n).Store(h);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Units128(float* gates, float* recurrent, float* hPrev, float* h, float* newGateRecurrent, int hidden)
        {
            Vector128<float> r = FloatMath.Sigmoid(Vector128.Load(gates) + Vector128.Load(recurrent));
            Vector128<float> z = FloatMath.Sigmoid(Vector128.Load(gates + hidden) + Vector128.Load(recurrent + hidden));
            Vector128<float> nRecurrent = Vector128.Load(recurrent + 2 * hidden);
            if (newGateRecurrent is not null)
            {
                nRecurrent.Store(newGateRecurrent);
            }
            Vector128<float> n = FloatMath.Tanh(Vector128.Load(gates + 2 * hidden) + r * nRecurrent);
            r.Store(gates);
            z.Store(gates + hidden);
            n.Store(gates + 2 * hidden);
            (z * ((hPrev is null ? Vector128<float>.Zero : Vector128.Load(hPrev)) - n) + n).Store(h);
        }
    }
}

using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen
{
    /// <summary>
    /// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). The sequence is a
    /// function of the seed alone, fixed by this code rather than by the .NET version, so the same
    /// seed gives the same weights, shuffles and dropout masks everywhere.
    /// </summary>
    public sealed class Rng
    {
        private ulong _s0, _s1, _s2, _s3;
        private float _spareNormal;
        private bool _hasSpareNormal;

        /// <summary>A generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
        public Rng(long seed) => (_s0, _s1, _s2, _s3) = Seeded(seed);

        /// <summary>
        /// An independent sequence number <paramref name="stream"/> of <paramref name="seed"/>: a network
        /// draws its weights from stream 0 and its dropout masks from stream 1, so adding dropout does
        /// not change the initial weights.
        /// </summary>
        public Rng(long seed, long stream) : this(StreamSeed(seed, stream))
        {
        }

        /// <summary>The seed of stream <paramref name="stream"/> of <paramref name="seed"/>.</summary>
        private static long StreamSeed(long seed, long stream) => unchecked(seed ^ (stream * (long)0x9E3779B97F4A7C15UL));

        /// <summary>xoshiro256**'s four words from <paramref name="seed"/> through SplitMix64.</summary>
        private static (ulong, ulong, ulong, ulong) Seeded(long seed)
        {
            ulong x = unchecked((ulong)seed);
            return (SplitMix64(ref x), SplitMix64(ref x), SplitMix64(ref x), SplitMix64(ref x));
        }

        /// <summary>Where the sequence stands: save it to continue the same sequence later, exactly.</summary>
        public RngState State
        {
            get => new(_s0, _s1, _s2, _s3, _hasSpareNormal, _spareNormal);
            set
            {
                if ((value.S0 | value.S1 | value.S2 | value.S3) == 0)
                {
                    throw new ArgumentException("An all-zero state is not a state of this generator.", nameof(value));
                }
                (_s0, _s1, _s2, _s3, _hasSpareNormal, _spareNormal) = (value.S0, value.S1, value.S2, value.S3, value.HasSpareNormal, value.SpareNormal);
            }
        }

        /// <summary>64 uniformly distributed bits.</summary>
        public ulong NextUInt64() => Next(ref _s0, ref _s1, ref _s2, ref _s3);

        /// <summary>One step of xoshiro256**: the output of state (s0, s1, s2, s3), which then moves on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Next(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
        {
            ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = BitOperations.RotateLeft(s3, 45);
            return result;
        }

        /// <summary>
        /// <see cref="Count"/> sequences side by side without allocating a generator: lane <c>l</c> is the sequence of
        /// <c>new Rng(seed, firstStream + l)</c>, and <see cref="Fill(Span{ulong})"/> interleaves their next results (value <c>8r + l</c> is
        /// lane l's r-th), stepping all lanes at once in vector registers (xoshiro256**'s multiplications by 5 and 9 as shifts and
        /// adds, which 64-bit lanes have on every vector instruction set). The values do not depend on the vector width.
        /// Dropout's per-block streams (<see cref="Kernels.Dropout"/>).
        /// </summary>
        internal unsafe struct Lanes
        {
            /// <summary>Sequences stepped together.</summary>
            public const int Count = 8;

            // The four state words of every lane: s0 of lanes 0-7, then s1, s2, s3.
            private fixed ulong _state[4 * Count];

            public Lanes(long seed, long firstStream)
            {
                for (int l = 0; l < Count; l++)
                {
                    (_state[l], _state[Count + l], _state[2 * Count + l], _state[3 * Count + l]) = Seeded(StreamSeed(seed, firstStream + l));
                }
            }

            /// <summary>The lanes' next results, interleaved; <paramref name="values"/> holds a multiple of <see cref="Count"/>.</summary>
            public void Fill(Span<ulong> values) => Fill(values, wide: Kernels.Simd.Level >= Kernels.SimdLevel.Vector256);

            /// <summary><see cref="Fill(Span{ulong})"/> on 256-bit vectors (<paramref name="wide"/>) or on 128-bit ones: the same values.</summary>
            internal void Fill(Span<ulong> values, bool wide)
            {
                if (values.Length % Count != 0)
                {
                    throw new ArgumentException($"Lanes fill whole rounds of {Count} values; got {values.Length}.", nameof(values));
                }
                fixed (ulong* state = _state, target = values)
                {
                    if (wide)
                    {
                        Fill256(state, target, values.Length / Count);
                    }
                    else
                    {
                        Fill128(state, target, values.Length / Count);
                    }
                }
            }

            private static void Fill256(ulong* state, ulong* target, int rounds)
            {
                // Lanes 0-3 (a) and 4-7 (b): two independent chains per step.
                Vector256<ulong> a0 = Vector256.Load(state), a1 = Vector256.Load(state + 8), a2 = Vector256.Load(state + 16), a3 = Vector256.Load(state + 24);
                Vector256<ulong> b0 = Vector256.Load(state + 4), b1 = Vector256.Load(state + 12), b2 = Vector256.Load(state + 20), b3 = Vector256.Load(state + 28);
                for (int r = 0; r < rounds; r++)
                {
                    Step(ref a0, ref a1, ref a2, ref a3).Store(target + Count * r);
                    Step(ref b0, ref b1, ref b2, ref b3).Store(target + Count * r + 4);
                }
                a0.Store(state); a1.Store(state + 8); a2.Store(state + 16); a3.Store(state + 24);
                b0.Store(state + 4); b1.Store(state + 12); b2.Store(state + 20); b3.Store(state + 28);
            }

            private static void Fill128(ulong* state, ulong* target, int rounds)
            {
                for (int pair = 0; pair < Count; pair += 2)
                {
                    Vector128<ulong> s0 = Vector128.Load(state + pair), s1 = Vector128.Load(state + 8 + pair);
                    Vector128<ulong> s2 = Vector128.Load(state + 16 + pair), s3 = Vector128.Load(state + 24 + pair);
                    for (int r = 0; r < rounds; r++)
                    {
                        Step(ref s0, ref s1, ref s2, ref s3).Store(target + Count * r + pair);
                    }
                    s0.Store(state + pair); s1.Store(state + 8 + pair); s2.Store(state + 16 + pair); s3.Store(state + 24 + pair);
                }
            }

            /// <summary><see cref="Next"/> in every lane.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private static Vector256<ulong> Step(ref Vector256<ulong> s0, ref Vector256<ulong> s1, ref Vector256<ulong> s2, ref Vector256<ulong> s3)
            {
                Vector256<ulong> times5 = (s1 << 2) + s1;
                Vector256<ulong> rotated = (times5 << 7) | (times5 >>> 57);
                Vector256<ulong> result = (rotated << 3) + rotated;
                Vector256<ulong> t = s1 << 17;
                s2 ^= s0;
                s3 ^= s1;
                s1 ^= s2;
                s0 ^= s3;
                s2 ^= t;
                s3 = (s3 << 45) | (s3 >>> 19);
                return result;
            }

            /// <inheritdoc cref="Step(ref Vector256{ulong}, ref Vector256{ulong}, ref Vector256{ulong}, ref Vector256{ulong})"/>
            /// <remarks>Line for line the 256-bit step: keep the two the same.</remarks>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private static Vector128<ulong> Step(ref Vector128<ulong> s0, ref Vector128<ulong> s1, ref Vector128<ulong> s2, ref Vector128<ulong> s3)
            {
                Vector128<ulong> times5 = (s1 << 2) + s1;
                Vector128<ulong> rotated = (times5 << 7) | (times5 >>> 57);
                Vector128<ulong> result = (rotated << 3) + rotated;
                Vector128<ulong> t = s1 << 17;
                s2 ^= s0;
                s3 ^= s1;
                s1 ^= s2;
                s0 ^= s3;
                s2 ^= t;
                s3 = (s3 << 45) | (s3 >>> 19);
                return result;
            }
        }

        /// <summary>A float uniform in [0, 1), with 24 random bits.</summary>
        public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

        /// <summary>A double uniform in [0, 1), with 53 random bits.</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>An integer uniform in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
        public int NextInt(int maxExclusive)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
            // Lemire's multiply-and-reject method.
            ulong range = (ulong)maxExclusive;
            ulong product = (ulong)(uint)(NextUInt64() >> 32) * range;
            uint low = (uint)product;
            if (low < range)
            {
                uint threshold = (uint)((0x1_0000_0000UL - range) % range);
                while (low < threshold)
                {
                    product = (ulong)(uint)(NextUInt64() >> 32) * range;
                    low = (uint)product;
                }
            }
            return (int)(product >> 32);
        }

        /// <summary>A standard normal sample (Box–Muller in double precision).</summary>
        public float NextNormal()
        {
            if (_hasSpareNormal)
            {
                _hasSpareNormal = false;
                return _spareNormal;
            }
            double u1 = 1.0 - NextDouble(); // (0, 1]: the logarithm stays finite
            double u2 = NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            double angle = 2.0 * Math.PI * u2;
            _spareNormal = (float)(radius * Math.Sin(angle));
            _hasSpareNormal = true;
            return (float)(radius * Math.Cos(angle));
        }

        /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
        public void Shuffle<T>(Span<T> values)
        {
            for (int i = values.Length - 1; i > 0; i--)
            {
                int j = NextInt(i + 1);
                (values[i], values[j]) = (values[j], values[i]);
            }
        }

        private static ulong SplitMix64(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>The complete state of an <see cref="Rng"/>: its four words and the normal sample it holds back.</summary>
    public readonly record struct RngState(ulong S0, ulong S1, ulong S2, ulong S3, bool HasSpareNormal, float SpareNormal)
    {
        /// <summary>As text, for checkpoint metadata: six hexadecimal fields.</summary>
        public override string ToString() =>
            string.Join(",", S0.ToString("x16"), S1.ToString("x16"), S2.ToString("x16"), S3.ToString("x16"),
                HasSpareNormal ? "1" : "0", BitConverter.SingleToUInt32Bits(SpareNormal).ToString("x8"));

        /// <summary>Reads <see cref="ToString"/>'s text back; throws <see cref="FormatException"/> if it is not one.</summary>
        public static RngState Parse(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            string[] f = text.Split(',');
            if (f.Length != 6)
            {
                throw new FormatException($"A random-generator state has 6 fields; \"{text}\" has {f.Length}.");
            }
            const System.Globalization.NumberStyles Hex = System.Globalization.NumberStyles.AllowHexSpecifier;
            var c = System.Globalization.CultureInfo.InvariantCulture;
            return new RngState(ulong.Parse(f[0], Hex, c), ulong.Parse(f[1], Hex, c), ulong.Parse(f[2], Hex, c), ulong.Parse(f[3], Hex, c),
                f[4] == "1", BitConverter.UInt32BitsToSingle(uint.Parse(f[5], Hex, c)));
        }
    }
}

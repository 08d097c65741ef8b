using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>The widest vector the hand-written loops use.</summary>
    public enum SimdLevel
    {
        /// <summary>One float at a time.</summary>
        Scalar = 0,

        /// <summary>Eight floats (AVX2 or NEON pairs).</summary>
        Vector256 = 1,

        /// <summary>Sixteen floats (AVX-512).</summary>
        Vector512 = 2,
    }

    /// <summary>
    /// Chooses the vector width once at start-up from the hardware. Tests lower it to run the
    /// Vector256 and scalar paths on an AVX-512 machine.
    /// </summary>
    public static class Simd
    {
        /// <summary>What this machine accelerates.</summary>
        public static SimdLevel Hardware { get; } =
            Vector512.IsHardwareAccelerated ? SimdLevel.Vector512 :
            Vector256.IsHardwareAccelerated ? SimdLevel.Vector256 : SimdLevel.Scalar;

        private static SimdLevel s_level = Hardware;

        /// <summary>The width in use: <see cref="Hardware"/> unless lowered. It can never exceed <see cref="Hardware"/>.</summary>
        public static SimdLevel Level
        {
            get => s_level;
            set => s_level = value > Hardware ? Hardware : value;
        }
    }
}

using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>The widest vector the hand-written loops use.</summary>
    public enum SimdLevel
    {
        /// <summary>One float at a time.</summary>
        Scalar = 0,

        /// <summary>Four floats (SSE on any x64, NEON on ARM64): NativeAOT's default x64 target and machines without AVX2.</summary>
        Vector128 = 1,

        /// <summary>Eight floats (AVX2).</summary>
        Vector256 = 2,

        /// <summary>Sixteen floats (AVX-512).</summary>
        Vector512 = 3,
    }

    /// <summary>
    /// Chooses the vector width once at start-up from the hardware. Tests lower it to run the
    /// Vector256, Vector128 and scalar paths on an AVX-512 machine.
    /// </summary>
    public static class Simd
    {
        /// <summary>What this machine accelerates.</summary>
        public static SimdLevel Hardware { get; } =
            Vector512.IsHardwareAccelerated ? SimdLevel.Vector512 :
            Vector256.IsHardwareAccelerated ? SimdLevel.Vector256 :
            Vector128.IsHardwareAccelerated ? SimdLevel.Vector128 : SimdLevel.Scalar;

        private static SimdLevel s_level = Hardware;

        /// <summary>The width in use: <see cref="Hardware"/> unless lowered. It can never exceed <see cref="Hardware"/>.</summary>
        public static SimdLevel Level
        {
            get => s_level;
            set => s_level = value > Hardware ? Hardware : value;
        }
    }
}

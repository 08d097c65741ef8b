using System.Collections.Generic;
using System.Runtime;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using NetGen.Kernels;

namespace NetGen
{
    /// <summary>
    /// How this process runs NetGen's kernels: the SIMD width in use (<see cref="Simd.Level"/>), the vector
    /// instruction sets the CPU offers to this code, and whether the code was compiled just in time or ahead of
    /// time (NativeAOT, whose instruction sets are fixed at publish time). The progress displays print it when
    /// training begins.
    /// </summary>
    public static class ExecutionInfo
    {
        /// <summary>
        /// The vector instruction sets this code may use, widest first, e.g. <c>AVX-512F, AVX2, FMA</c> on a
        /// recent x64 CPU, <c>AdvSimd</c> on arm64, <c>none</c> without any. Under NativeAOT these are the ones
        /// the binary was compiled for (<c>IlcInstructionSet</c>), not every one the CPU has; under the JIT,
        /// <c>DOTNET_EnableAVX512=0</c> and similar settings remove theirs.
        /// </summary>
        public static string InstructionSets
        {
            get
            {
                var sets = new List<string>();
                if (Avx512F.IsSupported)
                {
                    sets.Add("AVX-512F");
                }
                if (Avx2.IsSupported)
                {
                    sets.Add("AVX2");
                }
                else if (Avx.IsSupported)
                {
                    sets.Add("AVX");
                }
                if (Fma.IsSupported)
                {
                    sets.Add("FMA");
                }
                if (sets.Count == 0 && Sse42.IsSupported)
                {
                    sets.Add("SSE4.2");
                }
                if (AdvSimd.IsSupported)
                {
                    sets.Add("AdvSimd");
                }
                return sets.Count == 0 ? "none" : string.Join(", ", sets);
            }
        }

        /// <summary>
        /// <c>JIT</c> when this process compiles code just in time, <c>NativeAOT</c> when everything was compiled
        /// ahead of time (no method has been jitted: the feature switches a NativeAOT build sets would not tell,
        /// as they can be set under the JIT too).
        /// </summary>
        public static string CodeGeneration => JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "NativeAOT";

        /// <summary>One line for a log, e.g. <c>SIMD: Vector512 (AVX-512F, AVX2, FMA), JIT</c>.</summary>
        public static string Describe() => $"SIMD: {Simd.Level} ({InstructionSets}), {CodeGeneration}";
    }
}

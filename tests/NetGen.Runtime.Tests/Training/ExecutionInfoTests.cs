using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>The SIMD line the progress displays print: it names the level in use and what the CPU offers.</summary>
    [Collection("Simd")]
    public class ExecutionInfoTests
    {
        [Fact]
        public void Describe_names_the_level_in_use_and_follows_it_when_lowered()
        {
            Assert.Equal($"SIMD: {Simd.Level} ({ExecutionInfo.InstructionSets}), JIT", ExecutionInfo.Describe());
            SimdLevels.With(SimdLevel.Scalar, () =>
                Assert.StartsWith("SIMD: Scalar (", ExecutionInfo.Describe(), StringComparison.Ordinal));
        }

        [Fact]
        public void Instruction_sets_agree_with_the_hardware_level()
        {
            string sets = ExecutionInfo.InstructionSets;
            Assert.Equal(Avx512F.IsSupported, sets.Contains("AVX-512F", StringComparison.Ordinal));
            Assert.Equal(Avx2.IsSupported, sets.Contains("AVX2", StringComparison.Ordinal));
            if (Vector512.IsHardwareAccelerated && X86Base.IsSupported)
            {
                Assert.StartsWith("AVX-512F, AVX2", sets, StringComparison.Ordinal);
            }
            Assert.True(RuntimeFeature.IsDynamicCodeSupported);
        }
    }
}

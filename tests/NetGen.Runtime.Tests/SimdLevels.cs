using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary>Tests that lower <see cref="Simd.Level"/> share this collection, so they never run at once.</summary>
    [CollectionDefinition("Simd", DisableParallelization = true)]
    public sealed class SimdCollection
    {
    }

    internal static class SimdLevels
    {
        /// <summary>Every level this machine can run: the hardware's and each narrower one.</summary>
        public static IEnumerable<object[]> All()
        {
            for (SimdLevel level = Simd.Hardware; level >= SimdLevel.Scalar; level--)
            {
                yield return new object[] { level };
            }
        }

        /// <summary>Runs <paramref name="body"/> with the kernels limited to <paramref name="level"/>.</summary>
        public static void With(SimdLevel level, Action body)
        {
            SimdLevel saved = Simd.Level;
            Simd.Level = level;
            try
            {
                Assert.Equal(level, Simd.Level);
                body();
            }
            finally
            {
                Simd.Level = saved;
            }
        }
    }
}

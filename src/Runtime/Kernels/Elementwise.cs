using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>An operation <c>d = f(y, d)</c> written once per vector width.</summary>
    internal interface IBinaryOperator
    {
        static abstract float Invoke(float y, float d);
        static abstract Vector128<float> Invoke(Vector128<float> y, Vector128<float> d);
        static abstract Vector256<float> Invoke(Vector256<float> y, Vector256<float> d);
        static abstract Vector512<float> Invoke(Vector512<float> y, Vector512<float> d);
    }

    /// <summary>
    /// Drives an <see cref="IBinaryOperator"/> over two spans in one pass at the width
    /// <see cref="Simd.Level"/> allows. Used for fused backward steps that TensorPrimitives would
    /// need several passes for (e.g. <c>d ← d·y·(1−y)</c>).
    /// </summary>
    internal static class Elementwise
    {
        public static void Apply<TOp>(ReadOnlySpan<float> y, Span<float> d) where TOp : IBinaryOperator
        {
            if (y.Length != d.Length)
            {
                throw new ArgumentException($"Lengths differ: {y.Length} and {d.Length}.", nameof(d));
            }
            ref float yRef = ref MemoryMarshal.GetReference(y);
            ref float dRef = ref MemoryMarshal.GetReference(d);
            int n = y.Length;
            int i = 0;
            SimdLevel level = Simd.Level;
            if (level == SimdLevel.Vector512)
            {
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    TOp.Invoke(Vector512.LoadUnsafe(ref yRef, (nuint)i), Vector512.LoadUnsafe(ref dRef, (nuint)i))
                        .StoreUnsafe(ref dRef, (nuint)i);
                }
            }
            if (level >= SimdLevel.Vector256)
            {
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    TOp.Invoke(Vector256.LoadUnsafe(ref yRef, (nuint)i), Vector256.LoadUnsafe(ref dRef, (nuint)i))
                        .StoreUnsafe(ref dRef, (nuint)i);
                }
            }
            if (level >= SimdLevel.Vector128)
            {
                for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                {
                    TOp.Invoke(Vector128.LoadUnsafe(ref yRef, (nuint)i), Vector128.LoadUnsafe(ref dRef, (nuint)i))
                        .StoreUnsafe(ref dRef, (nuint)i);
                }
            }
            for (; i < n; i++)
            {
                Unsafe.Add(ref dRef, i) = TOp.Invoke(Unsafe.Add(ref yRef, i), Unsafe.Add(ref dRef, i));
            }
        }
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NetGen.Kernels;

namespace NetGen.Optimizers
{
    /// <summary>One optimizer's per-element rule, written once per vector width: p ← rule(p, g, s0, s1).</summary>
    internal interface IUpdateRule
    {
        float Apply(float p, float g, ref float s0, ref float s1);
        Vector256<float> Apply(Vector256<float> p, Vector256<float> g, ref Vector256<float> s0, ref Vector256<float> s1);
        Vector512<float> Apply(Vector512<float> p, Vector512<float> g, ref Vector512<float> s0, ref Vector512<float> s1);
    }

    /// <summary>Runs an <see cref="IUpdateRule"/> over the whole buffer in a single pass.</summary>
    internal static class UpdateLoop
    {
        /// <summary>Empty state spans are allowed (a rule that ignores that slot): they read and write a scratch vector.</summary>
        public static void Run<TRule>(in TRule rule, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1)
            where TRule : struct, IUpdateRule
        {
            int n = p.Length;
            Span<float> scratch = stackalloc float[2 * Vector512<float>.Count];
            scratch.Clear();
            ref float pRef = ref MemoryMarshal.GetReference(p);
            ref float gRef = ref MemoryMarshal.GetReference(g);
            bool has0 = !s0.IsEmpty, has1 = !s1.IsEmpty;
            ref float s0Ref = ref has0 ? ref MemoryMarshal.GetReference(s0) : ref scratch[0];
            ref float s1Ref = ref has1 ? ref MemoryMarshal.GetReference(s1) : ref scratch[Vector512<float>.Count];
            nuint step0 = has0 ? 1u : 0u, step1 = has1 ? 1u : 0u;

            int i = 0;
            SimdLevel level = Simd.Level;
            if (level == SimdLevel.Vector512)
            {
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    nuint u = (nuint)i;
                    Vector512<float> a = Vector512.LoadUnsafe(ref s0Ref, u * step0);
                    Vector512<float> b = Vector512.LoadUnsafe(ref s1Ref, u * step1);
                    rule.Apply(Vector512.LoadUnsafe(ref pRef, u), Vector512.LoadUnsafe(ref gRef, u), ref a, ref b).StoreUnsafe(ref pRef, u);
                    a.StoreUnsafe(ref s0Ref, u * step0);
                    b.StoreUnsafe(ref s1Ref, u * step1);
                }
            }
            if (level >= SimdLevel.Vector256)
            {
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    nuint u = (nuint)i;
                    Vector256<float> a = Vector256.LoadUnsafe(ref s0Ref, u * step0);
                    Vector256<float> b = Vector256.LoadUnsafe(ref s1Ref, u * step1);
                    rule.Apply(Vector256.LoadUnsafe(ref pRef, u), Vector256.LoadUnsafe(ref gRef, u), ref a, ref b).StoreUnsafe(ref pRef, u);
                    a.StoreUnsafe(ref s0Ref, u * step0);
                    b.StoreUnsafe(ref s1Ref, u * step1);
                }
            }
            for (; i < n; i++)
            {
                ref float a = ref Unsafe.Add(ref s0Ref, (nuint)i * step0);
                ref float b = ref Unsafe.Add(ref s1Ref, (nuint)i * step1);
                Unsafe.Add(ref pRef, i) = rule.Apply(Unsafe.Add(ref pRef, i), Unsafe.Add(ref gRef, i), ref a, ref b);
            }
        }
    }
}

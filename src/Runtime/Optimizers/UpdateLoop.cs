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
        Vector128<float> Apply(Vector128<float> p, Vector128<float> g, ref Vector128<float> s0, ref Vector128<float> s1);
        Vector256<float> Apply(Vector256<float> p, Vector256<float> g, ref Vector256<float> s0, ref Vector256<float> s1);
        Vector512<float> Apply(Vector512<float> p, Vector512<float> g, ref Vector512<float> s0, ref Vector512<float> s1);
    }

    /// <summary>
    /// Runs an <see cref="IUpdateRule"/> over the whole buffer in a single pass; large buffers are
    /// cut into fixed chunks shared between cores (the update is element-wise, so the bits do not
    /// depend on who runs a chunk).
    /// </summary>
    internal static unsafe class UpdateLoop
    {
        /// <summary>Floats per chunk: 64 KB of parameters, a few L2-friendly streams.</summary>
        private const int Chunk = 16 * 1024;

        private struct Job<TRule> where TRule : unmanaged, IUpdateRule
        {
            public TRule Rule;
            public float* P, G, S0, S1;
            public int Length;
        }

        /// <summary>Empty state spans are allowed (a rule that ignores that slot).</summary>
        public static void Run<TRule>(in TRule rule, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1)
            where TRule : unmanaged, IUpdateRule
        {
            int blocks = (p.Length + Chunk - 1) / Chunk;
            if (blocks <= 1 || Parallelism.MaxThreads <= 1)
            {
                RunRange(rule, p, g, s0, s1);
                return;
            }
            fixed (float* pp = p, pg = g, ps0 = s0, ps1 = s1)
            {
                var job = new Job<TRule>
                {
                    Rule = rule,
                    P = pp,
                    G = pg,
                    S0 = s0.IsEmpty ? null : ps0,
                    S1 = s1.IsEmpty ? null : ps1,
                    Length = p.Length,
                };
                WorkerPool.Run(blocks, Parallelism.MaxThreads, &RunChunk<TRule>, &job);
            }
        }

        private static void RunChunk<TRule>(void* state, int block) where TRule : unmanaged, IUpdateRule
        {
            ref Job<TRule> job = ref *(Job<TRule>*)state;
            int start = block * Chunk;
            int length = Math.Min(Chunk, job.Length - start);
            RunRange(job.Rule,
                new Span<float>(job.P + start, length),
                new ReadOnlySpan<float>(job.G + start, length),
                job.S0 is null ? Span<float>.Empty : new Span<float>(job.S0 + start, length),
                job.S1 is null ? Span<float>.Empty : new Span<float>(job.S1 + start, length));
        }

        /// <summary>
        /// The loop over one range, specialized for the state slots present: a missing slot is a fresh
        /// zero vector per element group, never memory (a scratch slot in memory would chain every
        /// iteration through a store and a reload).
        /// </summary>
        private static void RunRange<TRule>(in TRule rule, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1)
            where TRule : unmanaged, IUpdateRule
        {
            if (s0.IsEmpty && !s1.IsEmpty)
            {
                throw new ArgumentException("A rule with a second state slot needs the first.", nameof(s0));
            }
            if (s0.IsEmpty)
            {
                RunRange<TRule, NoSlots>(rule, p, g, s0, s1);
            }
            else if (s1.IsEmpty)
            {
                RunRange<TRule, OneSlot>(rule, p, g, s0, s1);
            }
            else
            {
                RunRange<TRule, TwoSlots>(rule, p, g, s0, s1);
            }
        }

        private interface ISlots
        {
            static abstract bool Has0 { get; }

            static abstract bool Has1 { get; }
        }

        private struct NoSlots : ISlots
        {
            public static bool Has0 => false;

            public static bool Has1 => false;
        }

        private struct OneSlot : ISlots
        {
            public static bool Has0 => true;

            public static bool Has1 => false;
        }

        private struct TwoSlots : ISlots
        {
            public static bool Has0 => true;

            public static bool Has1 => true;
        }

        private static void RunRange<TRule, TSlots>(in TRule ruleIn, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1)
            where TRule : unmanaged, IUpdateRule
            where TSlots : struct, ISlots
        {
            // A local copy: the rule's constants cannot alias the parameters the loop stores.
            TRule rule = ruleIn;
            int n = p.Length;
            ref float pRef = ref MemoryMarshal.GetReference(p);
            ref float gRef = ref MemoryMarshal.GetReference(g);
            ref float s0Ref = ref MemoryMarshal.GetReference(s0);
            ref float s1Ref = ref MemoryMarshal.GetReference(s1);

            int i = 0;
            SimdLevel level = Simd.Level;
            if (level == SimdLevel.Vector512)
            {
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    nuint u = (nuint)i;
                    Vector512<float> a = TSlots.Has0 ? Vector512.LoadUnsafe(ref s0Ref, u) : default;
                    Vector512<float> b = TSlots.Has1 ? Vector512.LoadUnsafe(ref s1Ref, u) : default;
                    rule.Apply(Vector512.LoadUnsafe(ref pRef, u), Vector512.LoadUnsafe(ref gRef, u), ref a, ref b).StoreUnsafe(ref pRef, u);
                    if (TSlots.Has0)
                    {
                        a.StoreUnsafe(ref s0Ref, u);
                    }
                    if (TSlots.Has1)
                    {
                        b.StoreUnsafe(ref s1Ref, u);
                    }
                }
            }
            if (level >= SimdLevel.Vector256)
            {
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    nuint u = (nuint)i;
                    Vector256<float> a = TSlots.Has0 ? Vector256.LoadUnsafe(ref s0Ref, u) : default;
                    Vector256<float> b = TSlots.Has1 ? Vector256.LoadUnsafe(ref s1Ref, u) : default;
                    rule.Apply(Vector256.LoadUnsafe(ref pRef, u), Vector256.LoadUnsafe(ref gRef, u), ref a, ref b).StoreUnsafe(ref pRef, u);
                    if (TSlots.Has0)
                    {
                        a.StoreUnsafe(ref s0Ref, u);
                    }
                    if (TSlots.Has1)
                    {
                        b.StoreUnsafe(ref s1Ref, u);
                    }
                }
            }
            if (level >= SimdLevel.Vector128)
            {
                for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                {
                    nuint u = (nuint)i;
                    Vector128<float> a = TSlots.Has0 ? Vector128.LoadUnsafe(ref s0Ref, u) : default;
                    Vector128<float> b = TSlots.Has1 ? Vector128.LoadUnsafe(ref s1Ref, u) : default;
                    rule.Apply(Vector128.LoadUnsafe(ref pRef, u), Vector128.LoadUnsafe(ref gRef, u), ref a, ref b).StoreUnsafe(ref pRef, u);
                    if (TSlots.Has0)
                    {
                        a.StoreUnsafe(ref s0Ref, u);
                    }
                    if (TSlots.Has1)
                    {
                        b.StoreUnsafe(ref s1Ref, u);
                    }
                }
            }
            for (; i < n; i++)
            {
                float a = TSlots.Has0 ? Unsafe.Add(ref s0Ref, i) : 0f;
                float b = TSlots.Has1 ? Unsafe.Add(ref s1Ref, i) : 0f;
                Unsafe.Add(ref pRef, i) = rule.Apply(Unsafe.Add(ref pRef, i), Unsafe.Add(ref gRef, i), ref a, ref b);
                if (TSlots.Has0)
                {
                    Unsafe.Add(ref s0Ref, i) = a;
                }
                if (TSlots.Has1)
                {
                    Unsafe.Add(ref s1Ref, i) = b;
                }
            }
        }
    }
}

using System;
using System.Numerics.Tensors;
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
    /// need several passes for (e.g. <c>d ← d·y·(1−y)</c>), and the plain sums and products of large tensors.
    /// <para>
    /// Passes over at least <see cref="Parallelism.ThreadsForPass"/>'s 64 K values are split into fixed blocks of
    /// <see cref="BlockValues"/> shared between threads (a Transformer step makes dozens of passes over 128 K – 512 K
    /// values: its residual sums, dropout products and activation gradients, which on one thread held the other core idle).
    /// Each value is computed alone, so the results are those of one thread.
    /// </para>
    /// </summary>
    internal static unsafe class Elementwise
    {
        /// <summary>Values per block of a pass shared between threads (64 KB of each operand).</summary>
        private const int BlockValues = 16 * 1024;

        /// <summary>A pass over values [0, n) of up to three operands, shared by blocks.</summary>
        private struct Pass
        {
            public float* A, B, Y;
            public int Length;
            public delegate*<float*, float*, float*, int, void> Body;
        }

        /// <summary><c>d = op(y, d)</c> value by value.</summary>
        public static void Apply<TOp>(ReadOnlySpan<float> y, Span<float> d) where TOp : IBinaryOperator
        {
            if (y.Length != d.Length)
            {
                throw new ArgumentException($"Lengths differ: {y.Length} and {d.Length}.", nameof(d));
            }
            fixed (float* py = y, pd = d)
            {
                Run(py, null, pd, d.Length, &ApplyBlock<TOp>);
            }
        }

        /// <summary><c>y = a + b</c> (<paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>; over y's length).</summary>
        public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        {
            CheckOperands(a.Length, b.Length, y.Length);
            fixed (float* pa = a, pb = b, py = y)
            {
                Run(pa, pb, py, y.Length, &AddBlock);
            }
        }

        /// <summary><c>y = a·b</c> (<paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>; over y's length).</summary>
        public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        {
            CheckOperands(a.Length, b.Length, y.Length);
            fixed (float* pa = a, pb = b, py = y)
            {
                Run(pa, pb, py, y.Length, &MultiplyBlock);
            }
        }

        private static void CheckOperands(int a, int b, int y)
        {
            if (a < y || b < y)
            {
                throw new ArgumentException($"The operands have {a} and {b} values; the result needs {y} of each.");
            }
        }

        /// <summary>Runs <paramref name="body"/> over [0, n): on this thread below 64 K values, else in blocks shared between threads.</summary>
        private static void Run(float* a, float* b, float* y, int n, delegate*<float*, float*, float*, int, void> body)
        {
            int threads = Parallelism.ThreadsForPass(n);
            if (threads == 1 || n <= BlockValues)
            {
                body(a, b, y, n);
                return;
            }
            var pass = new Pass { A = a, B = b, Y = y, Length = n, Body = body };
            WorkerPool.Run((n + BlockValues - 1) / BlockValues, threads, &RunBlock, &pass);
        }

        // The bodies below only unpack their block and call ordinary methods (see WorkerPool: a function pointer keeps the
        // code its method had when the pointer was taken).
        private static void RunBlock(void* state, int block)
        {
            ref Pass pass = ref *(Pass*)state;
            int first = block * BlockValues;
            pass.Body(pass.A + first, pass.B is null ? null : pass.B + first, pass.Y + first, Math.Min(BlockValues, pass.Length - first));
        }

        private static void ApplyBlock<TOp>(float* y, float* unused, float* d, int n) where TOp : IBinaryOperator =>
            ApplySerial<TOp>(new ReadOnlySpan<float>(y, n), new Span<float>(d, n));

        private static void AddBlock(float* a, float* b, float* y, int n) =>
            TensorPrimitives.Add(new ReadOnlySpan<float>(a, n), new ReadOnlySpan<float>(b, n), new Span<float>(y, n));

        private static void MultiplyBlock(float* a, float* b, float* y, int n) =>
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(a, n), new ReadOnlySpan<float>(b, n), new Span<float>(y, n));

        private static void ApplySerial<TOp>(ReadOnlySpan<float> y, Span<float> d) where TOp : IBinaryOperator
        {
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

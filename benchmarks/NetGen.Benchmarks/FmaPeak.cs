using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using NetGen.Kernels;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// The machine's fused multiply-add peak as NetGen can reach it: a loop that keeps 16 independent
    /// accumulators in vector registers (enough to cover FMA latency × throughput on current cores)
    /// and does nothing but <c>acc = acc·m + a</c>, at the vector width NetGen's kernels use
    /// (<see cref="Simd.Level"/>). Several threads run the loop at once for the multi-thread peak.
    /// </summary>
    public static class FmaPeak
    {
        /// <summary>
        /// Independent accumulators: 16 at 512 bits (AVX-512 has 32 registers); 12 at 256 and 128 bits and in
        /// scalar code, where x64 has 16 registers and 16 accumulators plus the two operands would spill.
        /// </summary>
        public static int Accumulators => Simd.Level == SimdLevel.Vector512 ? 16 : 12;

        /// <summary>Floats per vector at the width in use.</summary>
        public static int Lanes => Simd.Level switch
        {
            SimdLevel.Vector512 => Vector512<float>.Count,
            SimdLevel.Vector256 => Vector256<float>.Count,
            SimdLevel.Vector128 => Vector128<float>.Count,
            _ => 1,
        };

        /// <summary>
        /// The instruction set behind <see cref="Simd.Level"/>: "AVX-512" (Vector512), "AVX2" (Vector256 on
        /// x86; "Vector256" elsewhere), "SSE+FMA3" or "SSE" (Vector128 on x86, with or without fused
        /// multiply-adds; "NEON" on ARM64), or "none (scalar)".
        /// </summary>
        public static string InstructionSet => Simd.Level switch
        {
            SimdLevel.Vector512 => "AVX-512",
            SimdLevel.Vector256 => IsX86 ? "AVX2" : "Vector256",
            SimdLevel.Vector128 => IsX86 ? (Fma.IsSupported ? "SSE+FMA3" : "SSE") :
                RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "NEON" : "Vector128",
            _ => "none (scalar)",
        };

        private static bool IsX86 => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

        /// <summary>FLOPs of one iteration on one thread (an FMA counts as two).</summary>
        public static long FlopsPerIteration => 2L * Accumulators * Lanes;

        /// <summary>Keeps the loops' results observable so the JIT cannot drop them.</summary>
        public static float Sink;

        /// <summary>Runs <paramref name="iterations"/> iterations of the loop on the calling thread.</summary>
        public static float Run(long iterations) => Simd.Level switch
        {
            SimdLevel.Vector512 => Loop512(iterations),
            SimdLevel.Vector256 => Loop256(iterations),
            SimdLevel.Vector128 => Loop128(iterations),
            _ => LoopScalar(iterations),
        };

        /// <summary>
        /// Measures GFLOP/s with <paramref name="threads"/> threads running the loop at once: the best
        /// of several ~50 ms runs, after a warm-up. Used once at start-up for the "% of peak" column.
        /// </summary>
        public static double MeasureGflops(int threads, int repetitions = 7, double secondsPerRun = 0.05)
        {
            // Calibrate: iterations for roughly secondsPerRun on one thread.
            long iterations = 1 << 16;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                Sink += Run(iterations);
                double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (elapsed > secondsPerRun / 4)
                {
                    iterations = (long)(iterations * secondsPerRun / elapsed);
                    break;
                }
                iterations *= 2;
            }
            using var team = new ThreadTeam(threads);
            double best = 0;
            for (int r = 0; r < repetitions + 1; r++)
            {
                long start = Stopwatch.GetTimestamp();
                team.Run(iterations);
                double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (r > 0)
                {
                    best = Math.Max(best, threads * iterations * (double)FlopsPerIteration / elapsed / 1e9);
                }
            }
            return best;
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Loop512(long iterations)
        {
            Vector512<float> m = Vector512.Create(0.9999f), a = Vector512.Create(1e-4f);
            Vector512<float> x0 = Vector512.Create(1.00f), x1 = Vector512.Create(1.01f), x2 = Vector512.Create(1.02f), x3 = Vector512.Create(1.03f);
            Vector512<float> x4 = Vector512.Create(1.04f), x5 = Vector512.Create(1.05f), x6 = Vector512.Create(1.06f), x7 = Vector512.Create(1.07f);
            Vector512<float> x8 = Vector512.Create(1.08f), x9 = Vector512.Create(1.09f), x10 = Vector512.Create(1.10f), x11 = Vector512.Create(1.11f);
            Vector512<float> x12 = Vector512.Create(1.12f), x13 = Vector512.Create(1.13f), x14 = Vector512.Create(1.14f), x15 = Vector512.Create(1.15f);
            for (long i = 0; i < iterations; i++)
            {
                x0 = Vector512.FusedMultiplyAdd(x0, m, a);
                x1 = Vector512.FusedMultiplyAdd(x1, m, a);
                x2 = Vector512.FusedMultiplyAdd(x2, m, a);
                x3 = Vector512.FusedMultiplyAdd(x3, m, a);
                x4 = Vector512.FusedMultiplyAdd(x4, m, a);
                x5 = Vector512.FusedMultiplyAdd(x5, m, a);
                x6 = Vector512.FusedMultiplyAdd(x6, m, a);
                x7 = Vector512.FusedMultiplyAdd(x7, m, a);
                x8 = Vector512.FusedMultiplyAdd(x8, m, a);
                x9 = Vector512.FusedMultiplyAdd(x9, m, a);
                x10 = Vector512.FusedMultiplyAdd(x10, m, a);
                x11 = Vector512.FusedMultiplyAdd(x11, m, a);
                x12 = Vector512.FusedMultiplyAdd(x12, m, a);
                x13 = Vector512.FusedMultiplyAdd(x13, m, a);
                x14 = Vector512.FusedMultiplyAdd(x14, m, a);
                x15 = Vector512.FusedMultiplyAdd(x15, m, a);
            }
            Vector512<float> sum = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11)) + ((x12 + x13) + (x14 + x15));
            return Vector512.Sum(sum);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Loop256(long iterations)
        {
            Vector256<float> m = Vector256.Create(0.9999f), a = Vector256.Create(1e-4f);
            Vector256<float> x0 = Vector256.Create(1.00f), x1 = Vector256.Create(1.01f), x2 = Vector256.Create(1.02f), x3 = Vector256.Create(1.03f);
            Vector256<float> x4 = Vector256.Create(1.04f), x5 = Vector256.Create(1.05f), x6 = Vector256.Create(1.06f), x7 = Vector256.Create(1.07f);
            Vector256<float> x8 = Vector256.Create(1.08f), x9 = Vector256.Create(1.09f), x10 = Vector256.Create(1.10f), x11 = Vector256.Create(1.11f);
            for (long i = 0; i < iterations; i++)
            {
                x0 = Vector256.FusedMultiplyAdd(x0, m, a);
                x1 = Vector256.FusedMultiplyAdd(x1, m, a);
                x2 = Vector256.FusedMultiplyAdd(x2, m, a);
                x3 = Vector256.FusedMultiplyAdd(x3, m, a);
                x4 = Vector256.FusedMultiplyAdd(x4, m, a);
                x5 = Vector256.FusedMultiplyAdd(x5, m, a);
                x6 = Vector256.FusedMultiplyAdd(x6, m, a);
                x7 = Vector256.FusedMultiplyAdd(x7, m, a);
                x8 = Vector256.FusedMultiplyAdd(x8, m, a);
                x9 = Vector256.FusedMultiplyAdd(x9, m, a);
                x10 = Vector256.FusedMultiplyAdd(x10, m, a);
                x11 = Vector256.FusedMultiplyAdd(x11, m, a);
            }
            Vector256<float> sum = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11));
            return Vector256.Sum(sum);
        }

        /// <summary>
        /// The 128-bit loop with <c>MultiplyAddEstimate</c>, as the Vector128 kernels multiply and add: one
        /// fused instruction where the CPU has FMA, a multiply then an add where it has not.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Loop128(long iterations)
        {
            Vector128<float> m = Vector128.Create(0.9999f), a = Vector128.Create(1e-4f);
            Vector128<float> x0 = Vector128.Create(1.00f), x1 = Vector128.Create(1.01f), x2 = Vector128.Create(1.02f), x3 = Vector128.Create(1.03f);
            Vector128<float> x4 = Vector128.Create(1.04f), x5 = Vector128.Create(1.05f), x6 = Vector128.Create(1.06f), x7 = Vector128.Create(1.07f);
            Vector128<float> x8 = Vector128.Create(1.08f), x9 = Vector128.Create(1.09f), x10 = Vector128.Create(1.10f), x11 = Vector128.Create(1.11f);
            for (long i = 0; i < iterations; i++)
            {
                x0 = Vector128.MultiplyAddEstimate(x0, m, a);
                x1 = Vector128.MultiplyAddEstimate(x1, m, a);
                x2 = Vector128.MultiplyAddEstimate(x2, m, a);
                x3 = Vector128.MultiplyAddEstimate(x3, m, a);
                x4 = Vector128.MultiplyAddEstimate(x4, m, a);
                x5 = Vector128.MultiplyAddEstimate(x5, m, a);
                x6 = Vector128.MultiplyAddEstimate(x6, m, a);
                x7 = Vector128.MultiplyAddEstimate(x7, m, a);
                x8 = Vector128.MultiplyAddEstimate(x8, m, a);
                x9 = Vector128.MultiplyAddEstimate(x9, m, a);
                x10 = Vector128.MultiplyAddEstimate(x10, m, a);
                x11 = Vector128.MultiplyAddEstimate(x11, m, a);
            }
            Vector128<float> sum = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11));
            return Vector128.Sum(sum);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float LoopScalar(long iterations)
        {
            float m = 0.9999f, a = 1e-4f;
            float x0 = 1.00f, x1 = 1.01f, x2 = 1.02f, x3 = 1.03f, x4 = 1.04f, x5 = 1.05f, x6 = 1.06f, x7 = 1.07f;
            float x8 = 1.08f, x9 = 1.09f, x10 = 1.10f, x11 = 1.11f;
            for (long i = 0; i < iterations; i++)
            {
                x0 = MathF.FusedMultiplyAdd(x0, m, a);
                x1 = MathF.FusedMultiplyAdd(x1, m, a);
                x2 = MathF.FusedMultiplyAdd(x2, m, a);
                x3 = MathF.FusedMultiplyAdd(x3, m, a);
                x4 = MathF.FusedMultiplyAdd(x4, m, a);
                x5 = MathF.FusedMultiplyAdd(x5, m, a);
                x6 = MathF.FusedMultiplyAdd(x6, m, a);
                x7 = MathF.FusedMultiplyAdd(x7, m, a);
                x8 = MathF.FusedMultiplyAdd(x8, m, a);
                x9 = MathF.FusedMultiplyAdd(x9, m, a);
                x10 = MathF.FusedMultiplyAdd(x10, m, a);
                x11 = MathF.FusedMultiplyAdd(x11, m, a);
            }
            return ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11));
        }
    }

    /// <summary>
    /// The calling thread plus <c>threads − 1</c> dedicated background threads that run the FMA loop
    /// together. The helpers are created once and parked between runs, so a run costs two handshakes,
    /// not thread creation.
    /// </summary>
    public sealed class ThreadTeam : IDisposable
    {
        private readonly Thread[] _helpers;
        private readonly SemaphoreSlim[] _go;
        private readonly CountdownEvent _done;
        private long _iterations;
        private volatile bool _stopping;

        public ThreadTeam(int threads)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
            Threads = threads;
            _helpers = new Thread[threads - 1];
            _go = new SemaphoreSlim[threads - 1];
            _done = new CountdownEvent(threads - 1);
            for (int i = 0; i < _helpers.Length; i++)
            {
                int index = i;
                _go[i] = new SemaphoreSlim(0);
                _helpers[i] = new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"fma-peak-{i + 1}" };
                _helpers[i].Start();
            }
        }

        public int Threads { get; }

        /// <summary>Every thread runs <paramref name="iterations"/> iterations; returns when all are done.</summary>
        public void Run(long iterations)
        {
            _iterations = iterations;
            if (_helpers.Length > 0)
            {
                _done.Reset(_helpers.Length);
                foreach (SemaphoreSlim go in _go)
                {
                    go.Release();
                }
            }
            FmaPeak.Sink += FmaPeak.Run(iterations);
            if (_helpers.Length > 0)
            {
                _done.Wait();
            }
        }

        private void HelperLoop(int index)
        {
            while (true)
            {
                _go[index].Wait();
                if (_stopping)
                {
                    return;
                }
                float result = FmaPeak.Run(Volatile.Read(ref _iterations));
                if (result == float.MinValue)
                {
                    FmaPeak.Sink = result; // never true; keeps the result alive
                }
                _done.Signal();
            }
        }

        public void Dispose()
        {
            _stopping = true;
            foreach (SemaphoreSlim go in _go)
            {
                go.Release();
            }
            foreach (Thread helper in _helpers)
            {
                helper.Join();
            }
            foreach (SemaphoreSlim go in _go)
            {
                go.Dispose();
            }
            _done.Dispose();
        }
    }
}

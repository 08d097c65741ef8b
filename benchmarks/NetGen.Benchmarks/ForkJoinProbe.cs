using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using NetGen.Kernels;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// A quick Stopwatch probe (seconds, not BenchmarkDotNet's minutes) of what a fork/join costs and of
    /// whether small products gain from a second core: <c>dotnet run -c Release -- forkjoin [--rounds N]</c>.
    /// Every comparison is interleaved (A, B, A, B, ...) within one process, and each figure is the
    /// median over rounds with its quartiles, so that a busy machine shows up as spread rather than as a
    /// silently wrong number.
    /// </summary>
    internal static unsafe class ForkJoinProbe
    {
        /// <summary>Each timed batch lasts about this long.</summary>
        private const double BatchSeconds = 0.002;

        public static int Run(string[] args)
        {
            int rounds = 21;
            bool each = false;
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--rounds" && i + 1 < args.Length)
                {
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                }
                else if (args[i] == "--each")
                {
                    each = true;
                }
                else
                {
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: forkjoin [--rounds N] [--each]");
                    return 2;
                }
            }
            Console.WriteLine($"// {Environment.ProcessorCount} processors, {Simd.Level}, {rounds} rounds; median [25%-75%] per call");
            if (each)
            {
                EachCall(rounds * 200);
                return 0;
            }
            ForkJoin(rounds);
            Products(rounds);
            return 0;
        }

        private static void Empty(void* state, int block)
        {
        }

        /// <summary>Empty jobs: what one fork/join costs on its own, back to back and after a gap of caller-only work.</summary>
        private static void ForkJoin(int rounds)
        {
            Console.WriteLine("fork/join of empty blocks (2 threads requested):");
            var cases = new List<(string Name, Action Call)>();
            foreach (int blocks in new[] { 2, 8, 64 })
            {
                int b = blocks;
                cases.Add(($"{b,3} blocks, back to back", () => WorkerPool.Run(b, 2, &Empty, null)));
            }
            foreach (double gap in new[] { 5e-6, 30e-6, 200e-6 })
            {
                double g = gap;
                cases.Add(($"  2 blocks after {g * 1e6,3:F0} µs of caller work", () =>
                {
                    SpinFor(g);
                    WorkerPool.Run(2, 2, &Empty, null);
                }));
                cases.Add(($"  (the {g * 1e6,3:F0} µs of caller work alone)", () => SpinFor(g)));
            }
            Print(cases, Measure(cases, rounds));

            // Whether the helper is still awake after an idle gap: two 20 µs blocks take 20 µs if it is, 40 µs if not.
            Console.WriteLine("a job of two 20 µs blocks after an idle gap (20 µs: the helper took one; 40 µs: the caller ran both):");
            cases.Clear();
            foreach (double gap in new[] { 10e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 3e-3 })
            {
                double g = gap;
                cases.Add(($"  after {g * 1e6,4:F0} µs", () =>
                {
                    Thread.Sleep(0);
                    SpinFor(g);
                    long start = Stopwatch.GetTimestamp();
                    WorkerPool.Run(2, 2, &Spin20, null);
                    s_elapsed = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
                }));
            }
            Print(cases, MeasureInner(cases, rounds));
        }

        /// <summary>
        /// Every call timed on its own, the cases interleaved call by call; reports the 5th, 25th and 50th
        /// percentiles. On a busy machine the helper gets a core only now and then: the low percentiles
        /// are the calls where it did, so they estimate what an idle machine would show.
        /// </summary>
        private static void EachCall(int calls)
        {
            var cases = new List<(string Name, Action Call)>
            {
                ("fork/join, two 2 µs blocks (2 threads)", () => WorkerPool.Run(2, 2, &Spin2, null)),
                ("two 2 µs blocks on 1 thread", () => WorkerPool.Run(2, 1, &Spin2, null)),
                ("fork/join, 64 empty blocks (2 threads)", () => WorkerPool.Run(64, 2, &Empty, null)),
            };
            var products = new (string Name, char Kind, int M, int N, int K)[]
            {
                ("LSTM h·Whhᵀ NT 32x512x128", 'T', 32, 512, 128),
                ("LSTM dg·Whh NN 32x128x512", 'N', 32, 128, 512),
                ("LSTM dgᵀ·h  TN 512x128x32", 'W', 512, 128, 32),
                ("W2 784→128 NT B32", 'T', 32, 128, 784),
                ("W2 128→64  NT B32", 'T', 32, 64, 128),
                ("W2 64→128  NN B32", 'N', 32, 128, 64),
                ("W2 dW 64x128 TN B32", 'W', 64, 128, 32),
                ("W2 64→10   NT B32", 'T', 32, 10, 64),
                ("W2 64→10   NT B128", 'T', 128, 10, 64),
                ("W2 10→64   NN B128", 'N', 128, 64, 10),
            };
            long savedMin = Gemm.MinFlopsPerPart;
            foreach (var (name, kind, m, n, k) in products)
            {
                var rng = new Rng(m + n + k);
                AlignedBuffer a = Random(m * k, rng), b = Random(n * k, rng), c = new(m * n);
                Action product = kind switch
                {
                    'T' => () => Gemm.MultiplyNT(m, n, k, a.Span, b.Span, c.Span, false),
                    'N' => () => Gemm.MultiplyNN(m, n, k, a.Span, b.Span, c.Span, false),
                    _ => () => Gemm.MultiplyTN(m, n, k, a.Span, b.Span, c.Span, false),
                };
                cases.Add(($"{name}, 1 thread", () => { Parallelism.MaxThreads = 1; product(); }));
                cases.Add(($"{name}, 2 forced", () => { Parallelism.MaxThreads = 2; Gemm.MinFlopsPerPart = 1; product(); Gemm.MinFlopsPerPart = savedMin; }));
                cases.Add(($"{name}, 2 default", () => { Parallelism.MaxThreads = 2; product(); }));
            }
            var samples = new double[cases.Count][];
            for (int c = 0; c < cases.Count; c++)
            {
                samples[c] = new double[calls];
                for (int i = 0; i < 1000; i++)
                {
                    cases[c].Call();
                }
            }
            for (int i = 0; i < calls; i++)
            {
                for (int c = 0; c < cases.Count; c++)
                {
                    long start = Stopwatch.GetTimestamp();
                    cases[c].Call();
                    samples[c][i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
                }
            }
            Parallelism.MaxThreads = 2;
            Console.WriteLine($"each call timed alone, {calls} calls per case: p5 / p25 / p50 in ns");
            for (int c = 0; c < cases.Count; c++)
            {
                double[] sorted = samples[c].OrderBy(x => x).ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {cases[c].Name,-42} {sorted[calls / 20],8:F0} {sorted[calls / 4],8:F0} {sorted[calls / 2],8:F0}"));
            }
        }

        private static void Spin2(void* state, int block) => SpinFor(2e-6);

        private static double s_elapsed;

        private static void Spin20(void* state, int block) => SpinFor(20e-6);

        private static void Print(List<(string Name, Action Call)> cases, double[][] samples)
        {
            for (int c = 0; c < cases.Count; c++)
            {
                Console.WriteLine($"  {cases[c].Name,-40} {Format(samples[c])}");
            }
        }

        /// <summary>Runs each case once per round and keeps the time the case itself reported (<see cref="s_elapsed"/>).</summary>
        private static double[][] MeasureInner(List<(string Name, Action Call)> cases, int rounds)
        {
            var samples = new double[cases.Count][];
            for (int c = 0; c < cases.Count; c++)
            {
                samples[c] = new double[rounds * 5];
            }
            for (int r = 0; r < rounds * 5; r++)
            {
                for (int c = 0; c < cases.Count; c++)
                {
                    cases[c].Call();
                    samples[c][r] = s_elapsed;
                }
            }
            return samples;
        }

        private static void SpinFor(double seconds)
        {
            long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
            }
        }

        /// <summary>The small products of the LSTM (T=64, B=32, H=128) and W2 (784-128-64-10) steps, forced onto 1 or 2 threads.</summary>
        private static void Products(int rounds)
        {
            var shapes = new List<(string Name, char Kind, int M, int N, int K)>
            {
                ("LSTM h·Whhᵀ   NT", 'T', 32, 512, 128),
                ("LSTM dg·Whh   NN", 'N', 32, 128, 512),
                ("LSTM dgᵀ·h    TN", 'W', 512, 128, 32),
            };
            foreach (int batch in new[] { 32, 128 })
            {
                shapes.Add(($"W2 B{batch} 784→128 NT", 'T', batch, 128, 784));
                shapes.Add(($"W2 B{batch} 128→64  NT", 'T', batch, 64, 128));
                shapes.Add(($"W2 B{batch} 64→10   NT", 'T', batch, 10, 64));
                shapes.Add(($"W2 B{batch} 64→128  NN", 'N', batch, 128, 64));
                shapes.Add(($"W2 B{batch} 10→64   NN", 'N', batch, 64, 10));
                shapes.Add(($"W2 B{batch} dW 128x784 TN", 'W', 128, 784, batch));
                shapes.Add(($"W2 B{batch} dW 64x128  TN", 'W', 64, 128, batch));
                shapes.Add(($"W2 B{batch} dW 10x64   TN", 'W', 10, 64, batch));
            }
            Console.WriteLine("small products: 1 thread | 2 threads forced | 2 threads as the thresholds decide");
            int savedThreads = Parallelism.MaxThreads;
            long savedMin = Gemm.MinFlopsPerPart;
            try
            {
                foreach (var (name, kind, m, n, k) in shapes)
                {
                    var rng = new Rng(m + n + k);
                    // Aligned like the generated code's buffers, so that column blocks do not share cache lines.
                    AlignedBuffer a = Random(m * k, rng), b = Random(n * k, rng), c = new(m * n);
                    Action product = kind switch
                    {
                        'T' => () => Gemm.MultiplyNT(m, n, k, a.Span, b.Span, c.Span, false),
                        'N' => () => Gemm.MultiplyNN(m, n, k, a.Span, b.Span, c.Span, false),
                        _ => () => Gemm.MultiplyTN(m, n, k, a.Span, b.Span, c.Span, false),
                    };
                    var cases = new List<(string, Action)>
                    {
                        ("1", () => { Parallelism.MaxThreads = 1; product(); }),
                        ("2 forced", () => { Parallelism.MaxThreads = 2; Gemm.MinFlopsPerPart = 1; product(); Gemm.MinFlopsPerPart = savedMin; }),
                        ("2 default", () => { Parallelism.MaxThreads = 2; product(); }),
                    };
                    double[][] samples = Measure(cases, rounds);
                    double flops = 2.0 * m * n * k;
                    Console.WriteLine($"  {name,-24} {flops / 1e6,6:F2} MFLOP  " + string.Join(" | ", samples.Select(Format)) +
                        $"   2/1 = {Median(samples[1]) / Median(samples[0]):F2}");
                }
            }
            finally
            {
                Parallelism.MaxThreads = savedThreads;
                Gemm.MinFlopsPerPart = savedMin;
            }
        }

        /// <summary>Per-call times in ns, one sample per round and case; the cases of a round run one after the other.</summary>
        private static double[][] Measure(List<(string Name, Action Call)> cases, int rounds)
        {
            // Warm up (tiered compilation) and size each batch to about BatchSeconds.
            var iterations = new int[cases.Count];
            for (int c = 0; c < cases.Count; c++)
            {
                for (int i = 0; i < 2000; i++)
                {
                    cases[c].Call();
                }
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < 200; i++)
                {
                    cases[c].Call();
                }
                double perCall = Stopwatch.GetElapsedTime(start).TotalSeconds / 200;
                iterations[c] = (int)Math.Clamp(BatchSeconds / perCall, 10, 1_000_000);
            }
            var samples = new double[cases.Count][];
            for (int c = 0; c < cases.Count; c++)
            {
                samples[c] = new double[rounds];
            }
            for (int r = 0; r < rounds; r++)
            {
                for (int c = 0; c < cases.Count; c++)
                {
                    Action call = cases[c].Call;
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < iterations[c]; i++)
                    {
                        call();
                    }
                    samples[c][r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations[c];
                }
            }
            return samples;
        }

        private static string Format(double[] s)
        {
            double[] sorted = s.OrderBy(x => x).ToArray();
            return string.Create(CultureInfo.InvariantCulture,
                $"{Median(s),9:F0} ns [{sorted[sorted.Length / 4],7:F0}-{sorted[3 * sorted.Length / 4],7:F0}]");
        }

        private static double Median(double[] s)
        {
            double[] sorted = s.OrderBy(x => x).ToArray();
            return sorted[sorted.Length / 2];
        }

        private static AlignedBuffer Random(int length, Rng rng)
        {
            var values = new AlignedBuffer(length);
            Init.Uniform(values.Span, 1f, rng);
            return values;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using NetGen.Kernels;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// A quick Stopwatch probe of the GEMM kernels against the FMA peak, measured side by side:
    /// <c>dotnet run -c Release -- gemm [--rounds N] [--only w1|w2|cnn|step] [--level Vector512|Vector256|Vector128|Scalar]</c>.
    /// Each round times the FMA peak loop and then every product, at 1 and at 2 threads, for ~4 ms each;
    /// a product's "% of peak" is its rate over the peak of the same round, so that load from other
    /// processes, which slows both, shows up as spread (the quartiles) rather than as a wrong ratio.
    /// <c>--level</c> lowers <see cref="Simd.Level"/> (peak loop and kernels alike) to run a narrower path
    /// on a wider machine; <c>DOTNET_EnableAVX512=0</c> or <c>DOTNET_EnableAVX2=0</c> instead make .NET
    /// itself see an AVX2 or SSE-only CPU (the first line names the width and instruction set in use).
    /// <para>
    /// The products: W1's three (784→500 at batch 64 and 256: <c>X·Wᵀ+b</c>, <c>dZ·W</c>, <c>dZᵀ·X</c>)
    /// and W2's first layer's three (784→128 at batch 64) through <see cref="Gemm"/>'s public entry
    /// points; the W4 CNN's first convolution's products at batch 64 as <see cref="Conv2D"/> runs them
    /// (im2col), one chunk of samples per call (<c>Gemm.SerialNN/NT</c>; at 2 threads each thread runs its
    /// own chunk on its own buffers, as the convolution does); and its second convolution with its pooling,
    /// forward and backward, as whole calls at batch 64 (Winograd where the SIMD level allows it), their rate
    /// counted over a direct convolution's FLOPs (an effective rate: Winograd does fewer multiply-adds).
    /// <c>step</c>: one whole <c>TrainStep</c> of W1 and of W2 at batch 64 on random data, its rate counted
    /// over the FLOPs of its products.
    /// </para>
    /// </summary>
    internal static unsafe class GemmProbe
    {
        private const double SliceSeconds = 0.004;

        private sealed class Case
        {
            public required string Name;
            public required double Flops;
            public required Action<int> Call;

            /// <summary>Whether each thread does <see cref="Flops"/> of its own (one chunk per thread) rather than sharing them.</summary>
            public bool PerThread;

            /// <summary>
            /// Seconds of calls before measuring: the kernels are compiled fully optimized at once, but a whole
            /// training step runs generated and runtime code that starts at tier 0 (3-4× slower) and is
            /// recompiled only after 30 calls and a quiet 100 ms.
            /// </summary>
            public double WarmUpSeconds;
        }

        public static int Run(string[] args)
        {
            int rounds = 9;
            string only = "all";
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--rounds" && i + 1 < args.Length)
                {
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                }
                else if (args[i] == "--only" && i + 1 < args.Length && args[i + 1] is "w1" or "w2" or "cnn" or "step")
                {
                    only = args[++i];
                }
                else if (args[i] == "--level" && i + 1 < args.Length && Enum.TryParse(args[i + 1], out SimdLevel level) && Enum.IsDefined(level))
                {
                    i++;
                    if (level > Simd.Hardware)
                    {
                        Console.Error.WriteLine($"--level {level}: this machine (or DOTNET_Enable…) allows {Simd.Hardware} at most.");
                        return 2;
                    }
                    Simd.Level = level;
                }
                else
                {
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: gemm [--rounds N] [--only w1|w2|cnn|step] [--level Vector512|Vector256|Vector128|Scalar]");
                    return 2;
                }
            }
            var cases = new List<Case>();
            if (only is "all" or "w1")
            {
                AddW1(cases);
            }
            if (only is "all" or "w2")
            {
                AddW2(cases);
            }
            if (only is "all" or "cnn")
            {
                AddCnn(cases);
            }
            if (only is "all" or "step")
            {
                AddSteps(cases);
            }
            Console.WriteLine($"// {Environment.ProcessorCount} processors, {Simd.Level} / {FmaPeak.InstructionSet}, {rounds} rounds; " +
                "one thread by its CPU time, two by wall time: % of the FMA peak, median [25%-75%], and the median GFLOP/s");
            int maxThreads = Math.Min(2, Environment.ProcessorCount);
            foreach (var c in cases)
            {
                for (int t = 1; t <= maxThreads; t++)
                {
                    long until = Stopwatch.GetTimestamp() + (long)(c.WarmUpSeconds * Stopwatch.Frequency);
                    do
                    {
                        c.Call(t); // warm up and JIT
                    }
                    while (Stopwatch.GetTimestamp() < until);
                }
            }
            using var team2 = new ThreadTeam(maxThreads);
            // Per thread count: the peak's samples (row 0), then every case's; each sample is one call's GFLOP/s.
            var samples = new List<double>[cases.Count + 1, maxThreads];
            for (int c = 0; c <= cases.Count; c++)
            {
                for (int t = 0; t < maxThreads; t++)
                {
                    samples[c, t] = new List<double>();
                }
            }
            long peakIterations = Calibrate(n => FmaPeak.Sink += FmaPeak.Run(n)) / 8;
            for (int r = 0; r < rounds; r++)
            {
                for (int t = 1; t <= maxThreads; t++)
                {
                    int threads = t;
                    Sample(samples[0, t - 1], threads, (double)threads * peakIterations * FmaPeak.FlopsPerIteration, () =>
                    {
                        if (threads == 1)
                        {
                            FmaPeak.Sink += FmaPeak.Run(peakIterations);
                        }
                        else
                        {
                            team2.Run(peakIterations);
                        }
                    });
                    for (int c = 0; c < cases.Count; c++)
                    {
                        Case k = cases[c];
                        double flops = k.Flops * (k.PerThread ? threads : 1);
                        Sample(samples[c + 1, t - 1], threads, flops, () => k.Call(threads));
                    }
                }
            }
            Parallelism.MaxThreads = maxThreads;
            double[] peak = new double[maxThreads];
            for (int t = 0; t < maxThreads; t++)
            {
                double[] p = [.. samples[0, t]];
                peak[t] = Quantile(p, 0.5);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"FMA peak, {t + 1} thread{(t == 0 ? "" : "s")}: {peak[t]:F1} GFLOP/s ({(t == 0 ? "median" : "median, both threads")}; " +
                    $"quartiles {Quantile(p, 0.25):F1}-{Quantile(p, 0.75):F1}, {p.Length} samples)"));
            }
            Console.WriteLine($"{"product",-34} {"1 thread: % of peak",32} {"GFLOP/s",8} | {"2 threads: % of peak",32} {"GFLOP/s",8}");
            for (int c = 0; c < cases.Count; c++)
            {
                string line = $"{cases[c].Name,-34}";
                for (int t = 0; t < maxThreads; t++)
                {
                    double[] p = [.. samples[c + 1, t]];
                    double mid = Quantile(p, 0.5);
                    line += string.Create(CultureInfo.InvariantCulture,
                        $" {100 * mid / peak[t],12:F1}% [{100 * Quantile(p, 0.25) / peak[t],5:F1}-{100 * Quantile(p, 0.75) / peak[t],5:F1}] {mid,8:F1}") + (t == 0 ? " |" : "");
                }
                Console.WriteLine(line);
            }
            return 0;
        }

        /// <summary>The three products of W1's 784→500 layer, batch 64 and 256, through the public seam.</summary>
        private static void AddW1(List<Case> cases)
        {
            const int In = 784, Out = 500;
            foreach (int batch in new[] { 64, 256 })
            {
                var rng = new Rng(7);
                AlignedBuffer x = Random(batch * In, rng), w = Random(Out * In, rng), bias = Random(Out, rng), dz = Random(batch * Out, rng);
                AlignedBuffer z = new(batch * Out), dx = new(batch * In), dw = new(Out * In);
                double flops = 2.0 * batch * Out * In;
                int b = batch;
                cases.Add(new Case { Name = $"W1 B{b} NT X·Wᵀ+b {b}x500x784", Flops = flops, Call = t => { Parallelism.MaxThreads = t; Gemm.MultiplyNT(b, Out, In, x.Span, w.Span, z.Span, false, bias.Span); } });
                cases.Add(new Case { Name = $"W1 B{b} NN dZ·W {b}x784x500", Flops = flops, Call = t => { Parallelism.MaxThreads = t; Gemm.MultiplyNN(b, In, Out, dz.Span, w.Span, dx.Span, false); } });
                cases.Add(new Case { Name = $"W1 B{b} TN dZᵀ·X 500x784x{b}", Flops = flops, Call = t => { Parallelism.MaxThreads = t; Gemm.MultiplyTN(Out, In, b, dz.Span, x.Span, dw.Span, false); } });
            }
        }

        /// <summary>The three products of W2's first layer, 784→128 at batch 64 (<c>64×784×128</c>), through the public seam.</summary>
        private static void AddW2(List<Case> cases)
        {
            const int In = 784, Out = 128, B = 64;
            var rng = new Rng(8);
            AlignedBuffer x = Random(B * In, rng), w = Random(Out * In, rng), bias = Random(Out, rng), dz = Random(B * Out, rng);
            AlignedBuffer z = new(B * Out), dx = new(B * In), dw = new(Out * In);
            double flops = 2.0 * B * Out * In;
            cases.Add(new Case { Name = $"W2 B{B} NT X·Wᵀ+b {B}x{Out}x{In}", Flops = flops, Call = t => { Parallelism.MaxThreads = t; Gemm.MultiplyNT(B, Out, In, x.Span, w.Span, z.Span, false, bias.Span); } });
            cases.Add(new Case { Name = $"W2 B{B} NN dZ·W {B}x{In}x{Out}", Flops = flops, Call = t => { Parallelism.MaxThreads = t; Gemm.MultiplyNN(B, In, Out, dz.Span, w.Span, dx.Span, false); } });
            cases.Add(new Case { Name = $"W2 B{B} TN dZᵀ·X {Out}x{In}x{B}", Flops = flops, Call = t => { Parallelism.MaxThreads = t; Gemm.MultiplyTN(Out, In, B, dz.Span, x.Span, dw.Span, false); } });
        }

        /// <summary>
        /// One whole training step of W1 (SGD) and of W2 (Adam) at batch 64 on random images and labels. The
        /// FLOPs counted are those of the step's products: forward and weight gradient of every layer, input
        /// gradient of all but the first; activations, loss and optimizer are extra work in the same time.
        /// </summary>
        private static void AddSteps(List<Case> cases)
        {
            const int B = 64, In = 784;
            var rng = new Rng(9);
            AlignedBuffer images = new(B * In);
            for (int i = 0; i < images.Span.Length; i++)
            {
                images.Span[i] = rng.NextFloat();
            }
            int[] labels = new int[B];
            for (int i = 0; i < B; i++)
            {
                labels[i] = rng.NextInt(10);
            }
            var w1 = new Mlp500(42);
            var w2 = new Mlp128x64(42);
            var sgd = new Sgd(0.01f);
            var adam = new Adam(1e-4f);
            cases.Add(new Case
            {
                Name = $"W1 step B{B} 784-500-10 SGD", Flops = StepFlops(B, In, 500, 10), WarmUpSeconds = 1,
                Call = t => { Parallelism.MaxThreads = t; w1.TrainStep(images.Span, labels, B, sgd); },
            });
            cases.Add(new Case
            {
                Name = $"W2 step B{B} 784-128-64-10 Adam", Flops = StepFlops(B, In, 128, 64, 10), WarmUpSeconds = 1,
                Call = t => { Parallelism.MaxThreads = t; w2.TrainStep(images.Span, labels, B, adam); },
            });
        }

        /// <summary>FLOPs of a dense stack's products in one step: 2·B·in·out for each forward and weight gradient, and each input gradient but the first layer's.</summary>
        private static double StepFlops(int batch, params int[] widths)
        {
            double flops = 0;
            for (int l = 0; l + 1 < widths.Length; l++)
            {
                flops += 2.0 * batch * widths[l] * widths[l + 1] * (l == 0 ? 2 : 3);
            }
            return flops;
        }

        /// <summary>
        /// The CNN's first convolution's products, one chunk per call as <see cref="Conv2D"/> runs them (im2col), and its second
        /// convolution with its 2×2 pooling, forward and backward, as whole calls at batch 64.
        /// </summary>
        private static void AddCnn(List<Case> cases)
        {
            // conv1: 1→32 3×3 on 28×28 (26×26 out), chunks of 16 samples.
            var conv1 = new ConvGeometry(1, 28, 28, 32, 3, 1, 0, 0, 1, 26, 26);
            int columns = Conv2D.SamplesPerChunk(conv1, 64) * conv1.OutPositions;
            int f = conv1.Filters, patch = conv1.PatchSize;
            var work = new ChunkBuffers[2];
            for (int i = 0; i < work.Length; i++)
            {
                var rng = new Rng(11 + i);
                work[i] = new ChunkBuffers(Random(f * patch, rng), Random(patch * columns, rng), Random(f * columns, rng),
                    new AlignedBuffer(f * columns), new AlignedBuffer(f * patch), new AlignedBuffer(patch * columns), Random(f, rng));
            }
            double flops = 2.0 * f * patch * columns;
            cases.Add(new Case
            {
                Name = $"CNN conv1 fwd W·col {f}x{columns}x{patch}", Flops = flops, PerThread = true,
                Call = t => Chunks(t, work, w => Gemm.SerialNN(f, columns, patch, w.W, patch, w.Col, columns, w.Z, columns, false, Epilogue.ReLU, w.Bias)),
            });
            cases.Add(new Case
            {
                Name = $"CNN conv1 dW col·dzᵀ {patch}x{f}x{columns}", Flops = flops, PerThread = true,
                Call = t => Chunks(t, work, w => Gemm.SerialNT(patch, f, columns, w.Col, columns, w.Dz, columns, w.Dw, f, false)),
            });
            AddConv2(cases);
        }

        /// <summary>conv2 (32→64 3×3 on 13×13, ReLU, 2×2 max pooling to 5×5) at batch 64, forward and backward (dW, db and dx).</summary>
        private static void AddConv2(List<Case> cases)
        {
            const int B = 64;
            var g = new ConvGeometry(32, 13, 13, 64, 3, 1, 0, 0, 1, 11, 11);
            var pool = new PoolGeometry(11, 11, 2, 2, 0, 0, 5, 5);
            var rng = new Rng(13);
            AlignedBuffer x = Random(B * g.Channels * g.Height * g.Width, rng), w = Random(g.Filters * g.PatchSize, rng), bias = Random(g.Filters, rng);
            int pooledLength = g.Filters * B * pool.OutHeight * pool.OutWidth;
            AlignedBuffer pooled = new(pooledLength), pooledGrad = Random(pooledLength, rng), dw = new(g.Filters * g.PatchSize), db = new(g.Filters),
                dx = new(B * g.Channels * g.Height * g.Width);
            int[] argmax = new int[pooledLength];
            double flops = 2.0 * B * g.OutPositions * g.PatchSize * g.Filters;
            string route = Conv2D.WinogradFits(g) ? "Winograd" : "im2col";
            cases.Add(new Case
            {
                Name = $"CNN conv2+pool fwd B{B} ({route})", Flops = flops,
                Call = t => { Parallelism.MaxThreads = t; Conv2D.ForwardMaxPool(x.Span, w.Span, bias.Span, pooled.Span, argmax, B, g, Activation.ReLU, pool); },
            });
            Conv2D.ForwardMaxPool(x.Span, w.Span, bias.Span, pooled.Span, argmax, B, g, Activation.ReLU, pool);
            cases.Add(new Case
            {
                Name = $"CNN conv2+pool bwd B{B} ({route})", Flops = 2 * flops,
                Call = t =>
                {
                    Parallelism.MaxThreads = t;
                    Conv2D.BackwardMaxPool(pooledGrad.Span, argmax, pooled.Span, x.Span, w.Span, dw.Span, db.Span, dx.Span, B, g, Activation.ReLU, pool);
                },
            });
        }

        private sealed class ChunkBuffers(AlignedBuffer w, AlignedBuffer col, AlignedBuffer dz, AlignedBuffer z, AlignedBuffer dw, AlignedBuffer dcol, AlignedBuffer bias)
        {
            private readonly AlignedBuffer[] _keep = [w, col, dz, z, dw, dcol, bias];

            public float* W => Pointer(_keep[0]);
            public float* Col => Pointer(_keep[1]);
            public float* Dz => Pointer(_keep[2]);
            public float* Z => Pointer(_keep[3]);
            public float* Dw => Pointer(_keep[4]);
            public float* Dcol => Pointer(_keep[5]);
            public float* Bias => Pointer(_keep[6]);

            private static float* Pointer(AlignedBuffer buffer)
            {
                fixed (float* p = buffer.Span)
                {
                    return p; // pinned: AlignedBuffer lives on the pinned object heap
                }
            }
        }

        private static Action<ChunkBuffers>? s_chunkBody;
        private static ChunkBuffers[]? s_chunkWork;

        /// <summary>One chunk per thread, each on its own buffers, through the pool as the convolution runs them.</summary>
        private static void Chunks(int threads, ChunkBuffers[] work, Action<ChunkBuffers> body)
        {
            s_chunkBody = body;
            s_chunkWork = work;
            Parallelism.MaxThreads = threads;
            WorkerPool.Run(threads, threads, &ChunkBlock, null);
        }

        private static void ChunkBlock(void* state, int block) => s_chunkBody!(s_chunkWork![block]);

        /// <summary>
        /// Adds the GFLOP/s of each call of <paramref name="call"/> for about <see cref="SliceSeconds"/>. One thread by this
        /// thread's CPU time (the machine is shared: time when another process had the core does not count); two by wall time,
        /// since the process's CPU time (<c>CLOCK_PROCESS_CPUTIME_ID</c>) counts another running thread's time only as far as
        /// the kernel's last tick and read up to twice the two-core peak. Load from other processes then shows as spread (the
        /// quartiles), and the median is the figure.
        /// </summary>
        private static void Sample(List<double> rates, int threads, double flopsPerCall, Action call)
        {
            long end = Stopwatch.GetTimestamp() + (long)(SliceSeconds * Stopwatch.Frequency);
            do
            {
                if (threads == 1)
                {
                    double cpu = ThreadCpuSeconds();
                    call();
                    rates.Add(flopsPerCall / (ThreadCpuSeconds() - cpu) / 1e9);
                }
                else
                {
                    long start = Stopwatch.GetTimestamp();
                    call();
                    rates.Add(flopsPerCall / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
                }
            }
            while (Stopwatch.GetTimestamp() < end);
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds, Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        /// <summary>This thread's CPU time (Linux: <c>CLOCK_THREAD_CPUTIME_ID</c>).</summary>
        private static double ThreadCpuSeconds()
        {
            const int ThreadCpuTime = 3;
            ClockGetTime(ThreadCpuTime, out TimeSpec t);
            return t.Seconds + t.Nanoseconds * 1e-9;
        }

        private static long Calibrate(Action<long> run)
        {
            long iterations = 1 << 12;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                run(iterations);
                double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (elapsed > SliceSeconds / 4)
                {
                    return Math.Max(1, (long)(iterations * SliceSeconds / elapsed));
                }
                iterations *= 2;
            }
        }

        private static double Quantile(double[] values, double q)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted[(int)Math.Round(q * (sorted.Length - 1))];
        }

        private static AlignedBuffer Random(int length, Rng rng)
        {
            var buffer = new AlignedBuffer(length);
            Init.Uniform(buffer.Span, 1f, rng);
            return buffer;
        }
    }
}

using BenchmarkDotNet.Attributes;
using NetGen.Kernels;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// The three products of a 784-500-10 network's first layer, through NetGen's public GEMM seam:
    /// forward <c>X·Wᵀ + b</c> (<c>MultiplyNT(B, 500, 784)</c>, bias fused, as <c>torch.addmm</c>),
    /// input gradient <c>dZ·W</c> (<c>MultiplyNN(B, 784, 500)</c>) and weight gradient <c>dZᵀ·X</c>
    /// (<c>MultiplyTN(500, 784, B)</c>). Each is <c>2·B·500·784</c> FLOPs.
    /// </summary>
    [BenchmarkCategory("Kernels")]
    public class KernelBenchmarks
    {
        public const int In = 784, Out = 500;

        private AlignedBuffer _x = AlignedBuffer.Empty, _w = AlignedBuffer.Empty, _bias = AlignedBuffer.Empty, _dz = AlignedBuffer.Empty;
        private AlignedBuffer _z = AlignedBuffer.Empty, _dx = AlignedBuffer.Empty, _dw = AlignedBuffer.Empty;

        [Params(64, 256)]
        public int Batch { get; set; }

        [Params(1, 2)]
        public int Threads { get; set; }

        /// <summary>FLOPs of one product: the same for all three.</summary>
        public static double Flops(int batch) => 2.0 * batch * Out * In;

        [GlobalSetup]
        public void Setup()
        {
            Parallelism.MaxThreads = Threads;
            var rng = new Rng(7);
            _x = Random(Batch * In, rng);
            _w = Random(Out * In, rng);
            _bias = Random(Out, rng);
            _dz = Random(Batch * Out, rng);
            _z = new AlignedBuffer(Batch * Out);
            _dx = new AlignedBuffer(Batch * In);
            _dw = new AlignedBuffer(Out * In);
        }

        /// <summary>z[B,500] = x[B,784]·W[500,784]ᵀ + b.</summary>
        [Benchmark(Description = "NT forward X·Wᵀ+b"), BenchmarkCategory("NT")]
        public void ForwardNT() => Gemm.MultiplyNT(Batch, Out, In, _x.Span, _w.Span, _z.Span, accumulate: false, _bias.Span);

        /// <summary>dx[B,784] = dz[B,500]·W[500,784].</summary>
        [Benchmark(Description = "NN input grad dZ·W"), BenchmarkCategory("NN")]
        public void InputGradientNN() => Gemm.MultiplyNN(Batch, In, Out, _dz.Span, _w.Span, _dx.Span, accumulate: false);

        /// <summary>dW[500,784] = dz[B,500]ᵀ·x[B,784].</summary>
        [Benchmark(Description = "TN weight grad dZᵀ·X"), BenchmarkCategory("TN")]
        public void WeightGradientTN() => Gemm.MultiplyTN(Out, In, Batch, _dz.Span, _x.Span, _dw.Span, accumulate: false);

        private static AlignedBuffer Random(int length, Rng rng)
        {
            var buffer = new AlignedBuffer(length);
            Init.Uniform(buffer.Span, 1f, rng);
            return buffer;
        }
    }

    /// <summary>
    /// The FMA peak: a register-only loop of fused multiply-adds (16 independent accumulators) at the
    /// vector width NetGen uses, on 1 thread or on 2 threads at once. Its GFLOP/s is the ceiling the
    /// kernels' "% of peak" is measured against (that column uses the same loop, measured at start-up).
    /// </summary>
    [BenchmarkCategory("Peak")]
    public class PeakBenchmarks
    {
        /// <summary>Iterations per thread per invocation: ~10 ms at 2 FMA/cycle, so handshakes are noise.</summary>
        public const long Iterations = 4_000_000;

        private ThreadTeam? _team;

        [Params(1, 2)]
        public int Threads { get; set; }

        public static double Flops(int threads) => (double)threads * Iterations * FmaPeak.FlopsPerIteration;

        [GlobalSetup]
        public void Setup() => _team = new ThreadTeam(Threads);

        [GlobalCleanup]
        public void Cleanup() => _team?.Dispose();

        [Benchmark(Description = "FMA peak loop"), BenchmarkCategory("FMA")]
        public void FmaLoop() => _team!.Run(Iterations);
    }
}

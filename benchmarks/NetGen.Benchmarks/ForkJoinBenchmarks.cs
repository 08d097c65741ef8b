using BenchmarkDotNet.Attributes;
using NetGen.Kernels;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// One fork/join of the worker pool with empty blocks, back to back (the helper stays awake): what a
    /// split product pays on top of its arithmetic. On 1 thread the pool just loops over the blocks.
    /// </summary>
    [BenchmarkCategory("ForkJoin")]
    public unsafe class ForkJoinBenchmarks
    {
        [Params(2, 64)]
        public int Blocks { get; set; }

        [Params(1, 2)]
        public int Threads { get; set; }

        private static void Empty(void* state, int block)
        {
        }

        [Benchmark(Description = "fork/join of empty blocks")]
        public void ForkJoin() => WorkerPool.Run(Blocks, Threads, &Empty, null);
    }

    /// <summary>
    /// The small products the thresholds decide about: the recurrent product of an LSTM step
    /// (B=32, H=128: <c>[32,128]·[128,512]</c>) and W2's (784-128-64-10) forward products at batch 32,
    /// on 1 thread and on 2 as <see cref="Gemm"/> splits them.
    /// </summary>
    [BenchmarkCategory("Kernels")]
    public class SmallGemmBenchmarks
    {
        private AlignedBuffer _a = AlignedBuffer.Empty, _b = AlignedBuffer.Empty, _c = AlignedBuffer.Empty;
        private int _m, _n, _k;

        /// <summary><c>M×K·(N×K)ᵀ</c>, as <c>MultiplyNT(M, N, K)</c>: a forward product <c>x·Wᵀ</c>.</summary>
        [Params("32x128x512", "32x784x128", "32x128x64", "32x64x10")]
        public string Shape { get; set; } = "32x128x512";

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            Parallelism.MaxThreads = Threads;
            string[] sizes = Shape.Split('x');
            (_m, _k, _n) = (int.Parse(sizes[0], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(sizes[1], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(sizes[2], System.Globalization.CultureInfo.InvariantCulture));
            var rng = new Rng(11);
            _a = new AlignedBuffer(_m * _k);
            _b = new AlignedBuffer(_n * _k);
            _c = new AlignedBuffer(_m * _n);
            Init.Uniform(_a.Span, 1f, rng);
            Init.Uniform(_b.Span, 1f, rng);
        }

        [Benchmark(Description = "NT x·Wᵀ")]
        public void ForwardNT() => Gemm.MultiplyNT(_m, _n, _k, _a.Span, _b.Span, _c.Span, accumulate: false);
    }
}

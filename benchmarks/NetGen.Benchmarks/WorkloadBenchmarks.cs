using System;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// W1, W2 and W4: one epoch (a full pass over the 60,000 Fashion-MNIST training images, batch 64, in
    /// one fixed shuffled order) per invocation. The model keeps training from one epoch to the next,
    /// as it would in real use. Runs with <see cref="EpochConfig"/>: 1 warm-up epoch, 5 measured.
    /// </summary>
    [Config(typeof(EpochConfig))]
    [BenchmarkCategory("Workloads")]
    public class EpochBenchmarks
    {
        public const int BatchSize = 64;
        public const long Seed = 42;

        private ImageSet _data = null!;
        private int[] _order = Array.Empty<int>();
        private Trainer _trainer = null!;
        private Mlp500 _w1 = null!;
        private Mlp128x64 _w2 = null!;
        private FashionCnn _w4 = null!;
        private Sgd _sgd = null!;
        private Adam _adam = null!;
        private Adam _adamCnn = null!;

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            Parallelism.MaxThreads = Threads;
            _data = FashionMnist.Train;
            _order = Trainer.ShuffledOrder(_data.Count, Seed);
            _trainer = new Trainer(BatchSize);
            _w1 = new Mlp500((int)Seed);
            _w2 = new Mlp128x64((int)Seed);
            _w4 = new FashionCnn((int)Seed);
            _sgd = new Sgd(0.1f);
            _adam = new Adam(1e-3f);
            _adamCnn = new Adam(1e-3f);
        }

        /// <summary>W1: 784-500-10, Sigmoid hidden, Softmax + cross-entropy, SGD lr 0.1.</summary>
        [Benchmark(Description = "W1 784-500-10 SGD epoch"), BenchmarkCategory("W1")]
        public float W1Epoch() => _trainer.Epoch(_w1, _data, _order, _sgd);

        /// <summary>W2: 784-128-64-10, ReLU hidden, Softmax + cross-entropy, Adam lr 1e-3.</summary>
        [Benchmark(Description = "W2 784-128-64-10 Adam epoch"), BenchmarkCategory("W2")]
        public float W2Epoch() => _trainer.Epoch(_w2, _data, _order, _adam);

        /// <summary>W4: the CNN of the convolution issue (two 3×3 convolutions, pooling, dropout), Adam lr 1e-3.</summary>
        [Benchmark(Description = "W4 CNN conv32-conv64-128-10 Adam epoch"), BenchmarkCategory("W4")]
        public float W4Epoch() => _trainer.Epoch(_w4, _data, _order, _adamCnn);
    }

    /// <summary>
    /// W3: tiny networks where the per-step overhead is everything. One <c>TrainStep</c> per
    /// invocation, BenchmarkDotNet's default machinery (pilot, many invocations per iteration).
    /// </summary>
    [BenchmarkCategory("Workloads")]
    public class StepBenchmarks
    {
        private readonly float[] _xorInputs = { 0, 0, 0, 1, 1, 0, 1, 1 };
        private readonly float[] _xorTargets = { 0, 1, 1, 0 };
        private readonly float[] _lineInputs = new float[100];
        private readonly float[] _lineTargets = new float[100];
        private Xor _xor = null!;
        private LinearRegression _line = null!;
        private Sgd _sgd = null!;
        private Adam _adam = null!;

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            Parallelism.MaxThreads = Threads;
            // y = 2x + 1 + noise on x uniform in [-1, 1], like the PyTorch script.
            var rng = new Rng(42);
            for (int i = 0; i < _lineInputs.Length; i++)
            {
                float x = 2 * rng.NextFloat() - 1;
                _lineInputs[i] = x;
                _lineTargets[i] = 2 * x + 1 + 0.1f * rng.NextNormal();
            }
            _xor = new Xor(42);
            _line = new LinearRegression(42);
            _sgd = new Sgd(0.5f);
            _adam = new Adam(1e-2f);
        }

        /// <summary>XOR 2-3-1, Sigmoid hidden, Sigmoid + binary cross-entropy, SGD lr 0.5, the 4 patterns as one batch.</summary>
        [Benchmark(Description = "W3 XOR 2-3-1 SGD step"), BenchmarkCategory("W3-XOR")]
        public float XorStep() => _xor.TrainStep(_xorInputs, _xorTargets, 4, _sgd);

        /// <summary>Linear regression 1-1, mean squared error, Adam lr 1e-2, full batch of 100.</summary>
        [Benchmark(Description = "W3 LinReg 1-1 Adam step"), BenchmarkCategory("W3-LinReg")]
        public float LinearRegressionStep() => _line.TrainStep(_lineInputs, _lineTargets, 100, _adam);
    }

    /// <summary>
    /// W5: the LSTM sequence model (<see cref="LstmSequenceModel"/>), one <c>TrainStep</c> (forward, loss over
    /// every position, backward through time, Adam) per invocation on a fixed batch of 32 random token
    /// sequences with random labels; BenchmarkDotNet's default machinery. Its FLOP count feeds the
    /// GFLOP/s and "% of peak" columns.
    /// </summary>
    [BenchmarkCategory("Workloads")]
    public class SequenceBenchmarks
    {
        /// <summary>Batch B, sequence length T, vocabulary V (= classes), embedding width E, hidden units H.</summary>
        public const int Batch = 32, Steps = 64, Vocabulary = 64, EmbeddingSize = 64, Hidden = 128;

        private readonly int[] _tokens = new int[Batch * Steps]; // [B, T]
        private readonly int[] _labels = new int[Batch * Steps]; // [B, T]: one class per position
        private LstmSequenceModel _model = null!;
        private Adam _adam = null!;

        [Params(1, 2)]
        public int Threads { get; set; }

        /// <summary>FLOPs of one W5 training step: <see cref="StepFlops"/> of this workload's shape (2,919,235,584).</summary>
        public static double Flops => StepFlops(Batch, Steps, EmbeddingSize, Hidden, Vocabulary);

        /// <summary>
        /// The matrix products of one training step of Embedding(E) → LSTM(H) → LSTM(H) → Dense(V) over
        /// [B, T] tokens (an FMA counts as two). Per LSTM layer with input width <c>in</c>: forward
        /// <c>2·B·T·4H·(in + H)</c> (input and recurrent projections), backward twice that (the gradient
        /// into the layer's input, which the first layer sends to the embedding, and the weight gradients).
        /// Dense: <c>2·B·T·V·H</c> forward, twice that backward. Elementwise work (gates, softmax, Adam)
        /// and the embedding lookup are not counted.
        /// </summary>
        public static double StepFlops(int batch, int steps, int embedding, int hidden, int vocabulary)
        {
            double rows = (double)batch * steps;
            double lstm1 = 3 * 2 * rows * 4 * hidden * (embedding + hidden);
            double lstm2 = 3 * 2 * rows * 4 * hidden * (hidden + hidden);
            double dense = 3 * 2 * rows * vocabulary * hidden;
            return lstm1 + lstm2 + dense;
        }

        [GlobalSetup]
        public void Setup()
        {
            Parallelism.MaxThreads = Threads;
            var rng = new Rng(42);
            for (int i = 0; i < _tokens.Length; i++)
            {
                _tokens[i] = rng.NextInt(Vocabulary);
                _labels[i] = rng.NextInt(Vocabulary);
            }
            _model = new LstmSequenceModel(42);
            _adam = new Adam(1e-3f);
        }

        /// <summary>Embedding 64 → LSTM 128 → LSTM 128 → Dense 64 Softmax per step, cross-entropy over all B·T positions, Adam lr 1e-3.</summary>
        [Benchmark(Description = "W5 LSTM emb64-128-128-64 Adam step"), BenchmarkCategory("W5")]
        public float W5Step() => _model.TrainStep(_tokens, _labels, Batch, _adam);
    }

    /// <summary>
    /// W6: the Transformer classifier (<see cref="TransformerClassifier"/>), one <c>TrainStep</c> (forward with
    /// dropout, loss, backward, AdamW) per invocation on a fixed batch of 32 random token sequences with random
    /// labels; BenchmarkDotNet's default machinery. Its FLOP count feeds the GFLOP/s and "% of peak" columns.
    /// </summary>
    [BenchmarkCategory("Workloads")]
    public class TransformerBenchmarks
    {
        /// <summary>Batch B, sequence length T, vocabulary V, model width D, heads H, feed-forward width F, blocks, classes.</summary>
        public const int Batch = 32, Steps = 64, Vocabulary = 64, Width = 64, Heads = 4, FeedForward = 256, Blocks = 2, Classes = 2;

        private readonly int[] _tokens = new int[Batch * Steps]; // [B, T]
        private readonly int[] _labels = new int[Batch];         // [B]: one class per sequence
        private TransformerClassifier _model = null!;
        private AdamW _adamW = null!;

        [Params(1, 2)]
        public int Threads { get; set; }

        /// <summary>FLOPs of one W6 training step: <see cref="StepFlops"/> of this workload's shape (1,409,310,720).</summary>
        public static double Flops => StepFlops(Batch, Steps, Width, Heads, FeedForward, Blocks, Classes);

        /// <summary>
        /// The matrix products of one training step of Embedding(D) → <paramref name="blocks"/> × TransformerEncoder
        /// → mean over time → Dense(C) over [B, T] tokens (an FMA counts as two). Per block, forward: the Q, K, V
        /// projection <c>2·B·T·D·3D</c>, the attention scores Q·Kᵀ <c>2·B·H·T·T·dh</c> and P·V the same (dh = D/H),
        /// the output projection <c>2·B·T·D·D</c>, the feed-forward <c>2·B·T·D·F</c> and <c>2·B·T·F·D</c>; backward
        /// twice that (every product has an input gradient and a weight or second-operand gradient; the first
        /// block's input gradient counts, since the embedding needs it). Dense: <c>2·B·D·C</c>, three times.
        /// Softmax, LayerNorm, dropout, residuals, pooling, AdamW and the embedding lookup are not counted.
        /// </summary>
        public static double StepFlops(int batch, int steps, int width, int heads, int feedForward, int blocks, int classes)
        {
            double rows = (double)batch * steps;
            int headWidth = width / heads;
            double projections = 2 * rows * width * 3 * width + 2 * rows * width * width;
            double attention = 2 * (2.0 * batch * heads * steps * steps * headWidth);
            double feedForwardProducts = 2 * (2 * rows * width * feedForward);
            double dense = 3 * 2.0 * batch * width * classes;
            return blocks * 3 * (projections + attention + feedForwardProducts) + dense;
        }

        [GlobalSetup]
        public void Setup()
        {
            Parallelism.MaxThreads = Threads;
            var rng = new Rng(42);
            for (int i = 0; i < _tokens.Length; i++)
            {
                _tokens[i] = rng.NextInt(Vocabulary);
            }
            for (int i = 0; i < _labels.Length; i++)
            {
                _labels[i] = rng.NextInt(Classes);
            }
            _model = new TransformerClassifier(42);
            _adamW = new AdamW(1e-3f, weightDecay: 0.01f);
        }

        /// <summary>Embedding 64 → 2 × TransformerEncoder (4 heads, feed-forward 256, dropout 0.1) → mean over time → Dense 2 Softmax, cross-entropy, AdamW lr 1e-3, weight decay 0.01.</summary>
        [Benchmark(Description = "W6 Transformer emb64-2xenc(4h,ff256)-pool-2 AdamW step"), BenchmarkCategory("W6")]
        public float W6Step() => _model.TrainStep(_tokens, _labels, Batch, _adamW);
    }
}

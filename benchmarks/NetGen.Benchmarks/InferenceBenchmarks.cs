using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// Inference latency: NetGen's <c>Forward</c> against ONNX Runtime running the model NetGen exports
    /// (<see cref="OnnxExport"/>) of the same network with the same parameters, on one sample and on a batch of 64,
    /// with 1 and 2 threads (NetGen's <see cref="Parallelism.MaxThreads"/>, ONNX Runtime's intra-op thread count).
    /// Networks: W1 (784-500-10 Sigmoid), W4 (the Fashion-MNIST CNN) and W5 (the LSTM sequence model, 64 tokens).
    /// ONNX Runtime runs through an I/O binding to arrays allocated once, so neither side allocates per call.
    /// </summary>
    [BenchmarkCategory("Inference")]
    public class InferenceBenchmarks
    {
        private const int Seed = 42;

        private Action _netgen = () => { };
        private OnnxRunner? _onnx;

        [Params(1, 64)]
        public int Batch { get; set; }

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup(Targets = new[] { nameof(W1NetGen), nameof(W1OnnxRuntime) })]
        public void SetupW1() => SetupFloats(new Mlp500(Seed));

        [GlobalSetup(Targets = new[] { nameof(W4NetGen), nameof(W4OnnxRuntime) })]
        public void SetupW4() => SetupFloats(new FashionCnn(Seed));

        [GlobalSetup(Targets = new[] { nameof(W5NetGen), nameof(W5OnnxRuntime) })]
        public void SetupW5()
        {
            Parallelism.MaxThreads = Threads;
            var network = new LstmSequenceModel(Seed);
            var rng = new Rng(Seed);
            int[] tokens = new int[Batch * LstmSequenceModel.InputSize];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = rng.NextInt(LstmSequenceModel.VocabularySize);
            }
            float[] outputs = new float[Batch * LstmSequenceModel.OutputSize];
            int batch = Batch;
            _netgen = () => network.Forward(tokens, outputs, batch);
            _onnx = OnnxRunner.Create(network, Threads, Batch, tokens.Select(t => (long)t).ToArray());
        }

        [GlobalCleanup]
        public void Cleanup() => _onnx?.Dispose();

        /// <summary>W1 784-500-10 (Sigmoid, Softmax): NetGen.</summary>
        [Benchmark(Description = "W1 MLP inference NetGen"), BenchmarkCategory("Infer-W1-NetGen")]
        public void W1NetGen() => _netgen();

        /// <summary>W1: ONNX Runtime on the exported model.</summary>
        [Benchmark(Description = "W1 MLP inference ONNX Runtime"), BenchmarkCategory("Infer-W1-ORT")]
        public void W1OnnxRuntime() => _onnx!.Run();

        /// <summary>W4 the CNN (conv32-pool-conv64-pool-128-10): NetGen.</summary>
        [Benchmark(Description = "W4 CNN inference NetGen"), BenchmarkCategory("Infer-W4-NetGen")]
        public void W4NetGen() => _netgen();

        /// <summary>W4: ONNX Runtime on the exported model.</summary>
        [Benchmark(Description = "W4 CNN inference ONNX Runtime"), BenchmarkCategory("Infer-W4-ORT")]
        public void W4OnnxRuntime() => _onnx!.Run();

        /// <summary>W5 the LSTM sequence model (Embedding 64, LSTM 128 × 2, Dense 64 Softmax at each of 64 steps): NetGen.</summary>
        [Benchmark(Description = "W5 LSTM inference NetGen"), BenchmarkCategory("Infer-W5-NetGen")]
        public void W5NetGen() => _netgen();

        /// <summary>W5: ONNX Runtime on the exported model.</summary>
        [Benchmark(Description = "W5 LSTM inference ONNX Runtime"), BenchmarkCategory("Infer-W5-ORT")]
        public void W5OnnxRuntime() => _onnx!.Run();

        private void SetupFloats(INetwork<int> network)
        {
            Parallelism.MaxThreads = Threads;
            var rng = new Rng(Seed);
            float[] inputs = new float[Batch * network.InputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = rng.NextFloat();
            }
            float[] outputs = new float[Batch * network.OutputSize];
            int batch = Batch;
            _netgen = () => network.Forward(inputs, outputs, batch);
            _onnx = OnnxRunner.Create(network, Threads, Batch, inputs);
        }
    }
}

using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks
{
    /// <summary>An ONNX Runtime session of a network's exported model with its input and output bound to arrays.</summary>
    internal sealed class OnnxRunner : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly OrtIoBinding _binding;
        private readonly OrtValue _input, _output;

        private OnnxRunner(INetwork network, int threads, int batch, OrtValue input)
        {
            using var model = new MemoryStream();
            network.ExportOnnx(model);
            using var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            _session = new InferenceSession(model.ToArray(), options);
            long[] outputShape = new long[] { batch }.Concat(network.Architecture.OutputShape.Select(d => (long)d)).ToArray();
            _input = input;
            _output = OrtValue.CreateTensorValueFromMemory(new float[batch * network.OutputSize], outputShape);
            _binding = _session.CreateIoBinding();
            _binding.BindInput("input", _input);
            _binding.BindOutput("output", _output);
        }

        /// <summary>A runner whose input is <paramref name="inputs"/>, <c>[batch, …InputShape]</c> (floats, or int64 token ids).</summary>
        public static OnnxRunner Create<T>(INetwork network, int threads, int batch, T[] inputs) where T : unmanaged
        {
            long[] inputShape = new long[] { batch }.Concat(network.InputShape.Select(d => (long)d)).ToArray();
            return new OnnxRunner(network, threads, batch, OrtValue.CreateTensorValueFromMemory(inputs, inputShape));
        }

        public void Run() => _session.RunWithBinding(_runOptions, _binding);

        public void Dispose()
        {
            _binding.Dispose();
            _input.Dispose();
            _output.Dispose();
            _runOptions.Dispose();
            _session.Dispose();
        }
    }
}

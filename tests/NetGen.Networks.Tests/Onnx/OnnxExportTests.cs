using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using NetGen.Networks.Tests.Cnn;
using NetGen.Networks.Tests.Sequence;
using NetGen.Networks.Tests.Transformer;

namespace NetGen.Networks.Tests.Onnx
{
    /// <summary>
    /// Every layer kind, exported to ONNX and run by ONNX Runtime, against NetGen's own <c>Forward</c> on the same
    /// random parameters (randomized batch-norm statistics too) and inputs (token rows partly padded), at batch sizes
    /// 1 and 7: each output within 1e-5, absolute for values up to 1 and relative above.
    /// </summary>
    public sealed class OnnxExportTests(ITestOutputHelper output)
    {
        private const float Tolerance = 1e-5f;

        /// <summary>The networks exported, by name; together they hold every layer kind, activation and setting.</summary>
        private static readonly Dictionary<string, Func<INetwork>> Networks = new()
        {
            // Dense and every activation, Flatten
            [nameof(FdGeluTanh)] = () => new FdGeluTanh(1),
            [nameof(FdLeakySigmoidSoftmax)] = () => new FdLeakySigmoidSoftmax(2),
            [nameof(FdBinary)] = () => new FdBinary(3),
            [nameof(FdFlatten)] = () => new FdFlatten(4),
            // Conv2D (stride, dilation, padding, no bias), pooling, global pooling, BatchNorm (spatial and dense)
            [nameof(CnnParityConvStrideDilation)] = () => new CnnParityConvStrideDilation(5),
            [nameof(CnnParityConvSame)] = () => new CnnParityConvSame(6),
            [nameof(CnnParityPooling)] = () => new CnnParityPooling(7),
            [nameof(CnnParityBatchNormConv)] = () => new CnnParityBatchNormConv(8),
            [nameof(CnnParityBatchNormDense)] = () => new CnnParityBatchNormDense(9),
            [nameof(OnnxImageOut)] = () => new OnnxImageOut(10),
            // Embedding (padding), LSTM and GRU (stacked, last step or every step), Dense per step
            [nameof(SeqParityEmbeddingPad)] = () => new SeqParityEmbeddingPad(11),
            [nameof(SeqParityLstm1Last)] = () => new SeqParityLstm1Last(12),
            [nameof(SeqParityLstm2Seq)] = () => new SeqParityLstm2Seq(13),
            [nameof(SeqParityGru1Last)] = () => new SeqParityGru1Last(14),
            [nameof(SeqParityGru2Seq)] = () => new SeqParityGru2Seq(15),
            [nameof(SeqParityLstmStack)] = () => new SeqParityLstmStack(16),
            [nameof(OnnxGruBatchNorm)] = () => new OnnxGruBatchNorm(18),
            // LayerNorm, attention, positions, sequence pooling, encoder blocks
            [nameof(TfParityLayerNormEps)] = () => new TfParityLayerNormEps(19),
            [nameof(TfParityMha)] = () => new TfParityMha(20),
            [nameof(TfParityMhaCausal)] = () => new TfParityMhaCausal(21),
            [nameof(TfParitySinusoidal)] = () => new TfParitySinusoidal(22),
            [nameof(TfParityEncoderPostRelu)] = () => new TfParityEncoderPostRelu(23),
            [nameof(TfParityEncoderPreGelu)] = () => new TfParityEncoderPreGelu(24),
            [nameof(TfParityCausalStack)] = () => new TfParityCausalStack(25),
            [nameof(OnnxCausalPadded)] = () => new OnnxCausalPadded(26),
            // the samples' networks
            [nameof(OnnxQuickstart)] = () => new OnnxQuickstart(27),
            [nameof(OnnxW1Mlp)] = () => new OnnxW1Mlp(28),
            [nameof(OnnxFashionMlp)] = () => new OnnxFashionMlp(29),
            [nameof(OnnxFashionCnn)] = () => new OnnxFashionCnn(30),
            [nameof(OnnxCharModel)] = () => new OnnxCharModel(31),
            [nameof(OnnxSpamClassifier)] = () => new OnnxSpamClassifier(32),
            [nameof(OnnxTinyGpt)] = () => new OnnxTinyGpt(33),
        };

        public static TheoryData<string> NetworkNames => new(Networks.Keys);

        [Theory]
        [MemberData(nameof(NetworkNames))]
        public void OnnxRuntime_gives_the_outputs_of_Forward(string name)
        {
            INetwork network = Networks[name]();
            var random = new Random(name.Length * 7919 + name[^1]);
            Randomize(network, random);
            byte[] model = Export(network);
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            using var session = new InferenceSession(model, options);
            foreach (int batch in new[] { 1, 7 })
            {
                (float[]? floats, int[]? tokens) = Inputs(network, random, batch);
                float[] expected = NetGenForward(network, floats, tokens, batch);
                float[] actual = RuntimeForward(session, network, floats, tokens, batch);
                AssertClose(expected, actual, $"{name}, batch {batch}");
                output.WriteLine($"{name}, batch {batch}: {expected.Length} outputs, largest difference {expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max():G3}");
            }
        }

        [Fact]
        public void The_model_states_its_opset_inputs_and_outputs()
        {
            using var session = new InferenceSession(Export(new OnnxSpamClassifier(1)));
            NodeMetadata input = session.InputMetadata["input"];
            Assert.Equal(typeof(long), input.ElementType);
            Assert.Equal(new[] { -1, 128 }, input.Dimensions);
            Assert.Equal("batch", input.SymbolicDimensions[0]);
            NodeMetadata output = session.OutputMetadata["output"];
            Assert.Equal(typeof(float), output.ElementType);
            Assert.Equal(new[] { -1, 2 }, output.Dimensions);
            Assert.Equal(17, OnnxExport.Opset);

            using var image = new InferenceSession(Export(new OnnxFashionCnn(1)));
            Assert.Equal(typeof(float), image.InputMetadata["input"].ElementType);
            Assert.Equal(new[] { -1, 1, 28, 28 }, image.InputMetadata["input"].Dimensions);
        }

        [Fact]
        public void Export_to_a_path_writes_the_same_bytes_as_to_a_stream()
        {
            var network = new OnnxCausalPadded(3);
            string path = Path.Combine(Path.GetTempPath(), $"netgen-onnx-{Guid.NewGuid():N}.onnx");
            try
            {
                network.ExportOnnx(path);
                Assert.Equal(Export(network), File.ReadAllBytes(path));
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void An_unknown_layer_kind_throws_NotSupportedException_naming_it_before_writing()
        {
            var network = new StubNetwork(new NetworkArchitecture("Demo.Capsules", Loss.MeanSquaredError, new[] { 4 }, false, 0, -1,
                new LayerArchitecture("Dense", "dense", new[] { 4 }, new[] { 3 }, ("units", "3"), ("activation", "ReLU")),
                new LayerArchitecture("Capsule", "capsule", new[] { 3 }, new[] { 2 })));
            using var stream = new MemoryStream();
            var error = Assert.Throws<NotSupportedException>(() => network.ExportOnnx(stream));
            Assert.Contains("Capsule layer 'capsule'", error.Message, StringComparison.Ordinal);
            Assert.Contains("no such layer kind", error.Message, StringComparison.Ordinal);
            Assert.Equal(0, stream.Length);
        }

        [Fact]
        public void An_inexpressible_pooling_throws_NotSupportedException_naming_the_layer()
        {
            // A [1, 5, 5] input pooled 2×2 with stride 2 is [1, 2, 2] in ONNX; a layer claiming [1, 3, 3] (ceil rounding) is not expressible.
            var network = new StubNetwork(new NetworkArchitecture("Demo.Ceil", Loss.MeanSquaredError, new[] { 1, 5, 5 }, false, 0, -1,
                new LayerArchitecture("MaxPool2D", "pool", new[] { 1, 5, 5 }, new[] { 1, 3, 3 }, ("size", "2"), ("stride", "2"), ("pad", "0"))));
            using var stream = new MemoryStream();
            var error = Assert.Throws<NotSupportedException>(() => network.ExportOnnx(stream));
            Assert.Contains("MaxPool2D layer 'pool'", error.Message, StringComparison.Ordinal);
            Assert.Equal(0, stream.Length);
        }

        [Fact]
        public void The_onnx_checker_accepts_every_exported_model()
        {
            const string python = "/usr/bin/python3";
            string directory = Path.Combine(Path.GetTempPath(), $"netgen-onnx-check-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            try
            {
                foreach ((string name, Func<INetwork> create) in Networks)
                {
                    create().ExportOnnx(Path.Combine(directory, name + ".onnx"));
                }
                const string script =
                    "import glob, os, sys, onnx\n" +
                    "paths = sorted(glob.glob(os.path.join(sys.argv[1], '*.onnx')))\n" +
                    "for path in paths:\n" +
                    "    model = onnx.load(path)\n" +
                    "    onnx.checker.check_model(model, full_check=True)\n" +
                    "    assert [(o.domain, o.version) for o in model.opset_import] == [('', 17)], path\n" +
                    "print('checked', len(paths))\n";
                var start = new ProcessStartInfo(python)
                {
                    ArgumentList = { "-c", script, directory },
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                using Process process = Process.Start(start)!;
                string output = process.StandardOutput.ReadToEnd(), error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0,
                    $"onnx.checker rejected a model, or could not run (exit {process.ExitCode}; the check needs Debian's python3-onnx: apt-get install python3-onnx): {error}");
                Assert.Equal($"checked {Networks.Count}", output.Trim());
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private static byte[] Export(INetwork network)
        {
            using var stream = new MemoryStream();
            network.ExportOnnx(stream);
            return stream.ToArray();
        }

        /// <summary>
        /// Parameters moved off their initial values (biases, scales and shifts become non-trivial), batch-norm running
        /// means in [−0.5, 0.5) and variances in [0.5, 2).
        /// </summary>
        private static void Randomize(INetwork network, Random random)
        {
            Span<float> parameters = network.Parameters;
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] += (float)(random.NextDouble() * 0.4 - 0.2);
            }
            foreach (ParameterTensor buffer in network.BufferLayout)
            {
                Span<float> values = buffer.Of(network.Buffers);
                if (buffer.Name.EndsWith(".running_mean", StringComparison.Ordinal))
                {
                    Fill(values, random, -0.5, 0.5);
                }
                else if (buffer.Name.EndsWith(".running_var", StringComparison.Ordinal))
                {
                    Fill(values, random, 0.5, 2);
                }
            }
        }

        private static void Fill(Span<float> values, Random random, double low, double high)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(low + random.NextDouble() * (high - low));
            }
        }

        /// <summary>
        /// Floats in [−1, 1), or token ids; with a padding id, sample 1 ends in padding, sample 2 starts with it and
        /// sample 4 has it in the middle (never a sample of padding alone, which NetGen rejects).
        /// </summary>
        private static (float[]? Floats, int[]? Tokens) Inputs(INetwork network, Random random, int batch)
        {
            NetworkArchitecture architecture = network.Architecture;
            if (!architecture.TokenInputs)
            {
                var floats = new float[batch * network.InputSize];
                Fill(floats, random, -1, 1);
                return (floats, null);
            }
            int steps = network.InputSize, pad = architecture.PaddingIndex;
            var tokens = new int[batch * steps];
            for (int b = 0; b < batch; b++)
            {
                Span<int> row = tokens.AsSpan(b * steps, steps);
                for (int t = 0; t < steps; t++)
                {
                    row[t] = random.Next(architecture.VocabularySize);
                }
                if (pad >= 0)
                {
                    if (b % 7 == 1) row.Slice(steps / 2).Fill(pad);
                    if (b % 7 == 2) row.Slice(0, steps / 2).Fill(pad);
                    if (b % 7 == 4) row.Slice(steps / 3, steps / 3).Fill(pad);
                    if (row.IndexOfAnyExcept(pad) < 0) row[^1] = (pad + 1) % architecture.VocabularySize;
                }
            }
            if (batch == 1 && pad >= 0)
            {
                tokens.AsSpan(0, steps / 2).Fill(pad); // the single sample starts with padding
            }
            return (null, tokens);
        }

        private static float[] NetGenForward(INetwork network, float[]? floats, int[]? tokens, int batch) => network switch
        {
            INetwork<float, int> n => n.Forward(floats, batch).ToArray(),
            INetwork<float, float> n => n.Forward(floats, batch).ToArray(),
            INetwork<int, int> n => n.Forward(tokens, batch).ToArray(),
            INetwork<int, float> n => n.Forward(tokens, batch).ToArray(),
            _ => throw new ArgumentException($"{network.GetType()} is no network this test knows.", nameof(network)),
        };

        private static float[] RuntimeForward(InferenceSession session, INetwork network, float[]? floats, int[]? tokens, int batch)
        {
            int[] dims = new[] { batch }.Concat(network.Architecture.InputShape).ToArray();
            NamedOnnxValue input = tokens is null
                ? NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(floats, dims))
                : NamedOnnxValue.CreateFromTensor("input", new DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), dims));
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(new[] { input });
            DisposableNamedOnnxValue output = results.Single();
            Assert.Equal("output", output.Name);
            Tensor<float> tensor = output.AsTensor<float>();
            Assert.Equal(new[] { batch }.Concat(network.Architecture.OutputShape).ToArray(), tensor.Dimensions.ToArray());
            return tensor.ToArray();
        }

        private static void AssertClose(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                float limit = Tolerance * Math.Max(1f, Math.Abs(expected[i]));
                Assert.True(float.IsFinite(actual[i]) && Math.Abs(expected[i] - actual[i]) <= limit,
                    $"{what}: output {i} is {actual[i]:R} in ONNX Runtime, {expected[i]:R} in NetGen (tolerance {limit:R}).");
            }
        }

        /// <summary>A network that is only an architecture, for the exporter's refusals.</summary>
        private sealed class StubNetwork(NetworkArchitecture architecture) : INetwork
        {
            public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);
            public int OutputSize => Architecture.OutputShape.Aggregate(1, (a, b) => a * b);
            public IReadOnlyList<int> InputShape => Architecture.InputShape;
            public int ParameterCount => 15;
            public Loss Loss => Architecture.Loss;
            public Span<float> Parameters => _parameters;
            public Span<float> Gradients => new float[15];
            public IReadOnlyList<ParameterTensor> ParameterLayout { get; } = new[]
            {
                new ParameterTensor("dense.weight", ImmutableArray.Create(3, 4), 0),
                new ParameterTensor("dense.bias", ImmutableArray.Create(3), 12),
            };
            public Span<float> Buffers => Span<float>.Empty;
            public IReadOnlyList<ParameterTensor> BufferLayout => Array.Empty<ParameterTensor>();
            public string Summary => "";
            public NetworkArchitecture Architecture { get; } = architecture;
            public ReadOnlySpan<float> Outputs => ReadOnlySpan<float>.Empty;
            public Rng? TrainingRng => null;
            private readonly float[] _parameters = new float[15];
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Checkpoints;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Export
{
    /// <summary>
    /// The PyTorch export against PyTorch itself (Debian's python3-torch): every exported module has NetGen's state_dict
    /// and gives NetGen's outputs and loss, and weights trained by DistributedDataParallel come back into NetGen.
    /// One Python process answers for every case (see <see cref="PyTorchExportRun"/>); without PyTorch these tests fail.
    /// </summary>
    public sealed class PyTorchExportTests : IClassFixture<PyTorchExportRun>
    {
        private const float Tolerance = 1e-5f;

        private readonly PyTorchExportRun _run;
        private readonly ITestOutputHelper _output;

        public PyTorchExportTests(PyTorchExportRun run, ITestOutputHelper output)
        {
            _run = run;
            _output = output;
        }

        public static TheoryData<string> Cases => new(PyTorchExportRun.Cases.Select(c => c.Name));

        [Theory]
        [MemberData(nameof(Cases))]
        public void Exported_module_has_NetGens_state_dict_and_gives_its_outputs_and_loss(string name)
        {
            RequirePyTorch();
            ExportCaseRun run = _run.Runs[name];
            AssertStateDict(run);
            using SafeTensorsFile result = SafeTensorsFile.Open(run.Result);
            AssertClose(run.Outputs1, result.ReadFloat32("y1"), name + " batch 1");
            AssertClose(run.Outputs7, result.ReadFloat32("y7"), name + " batch 7");
            float loss = result.ReadFloat32("loss")[0];
            Assert.True(Math.Abs(loss - run.Loss) <= Tolerance * Math.Max(1, Math.Abs(run.Loss)), $"{name}: loss NetGen {run.Loss}, PyTorch {loss}");
            if (run.Gradients is not null)
            {
                foreach (ParameterTensor t in run.Network.ParameterLayout)
                {
                    AssertClose(t.Of(run.Gradients).ToArray(), result.ReadFloat32("grad." + t.Name), $"{name} gradient of {t.Name}");
                }
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Exported_module_refuses_the_padded_rows_NetGen_refuses(string name)
        {
            RequirePyTorch();
            ExportCaseRun run = _run.Runs[name];
            NetworkArchitecture a = run.Network.Architecture;
            bool readsPadding = a.PaddingIndex >= 0 && a.Layers.Any(l => l.Kind is "MultiHeadAttention" or "TransformerEncoder" or "GlobalAveragePool1D");
            bool causal = a.Layers.Any(l => l.Has("causal") && l.Bool("causal"));
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(run.Result + ".json"));
            string?[] refused = json.RootElement.GetProperty("refused").EnumerateArray().Select(e => e.GetString()).ToArray();
            if (!readsPadding)
            {
                Assert.All(refused, Assert.Null);
                return;
            }
            Assert.Contains("sample 0 is all padding", refused[0]);
            if (causal)
            {
                Assert.Contains("sample 0 starts with padding", refused[1]);
            }
            else
            {
                Assert.Null(refused[1]);
            }
        }

        [Fact]
        public void Weights_trained_with_DistributedDataParallel_load_into_NetGen_and_give_PyTorchs_outputs()
        {
            RequirePyTorch();
            string log = File.ReadAllText(_run.DdpLog);
            _output.WriteLine(log);
            _output.WriteLine($"export and NetGen passes {_run.ExportSeconds:F1} s, Python {_run.PythonSeconds:F1} s (provisional)");
            Assert.Contains("epoch 2: mean loss", log);
            Assert.Contains("over 8 process-steps", log);  // 64 samples, 2 processes × 4 steps of 8

            ExportCaseRun run = _run.Runs[PyTorchExportRun.DdpName];
            ExportDdpClassifier trained = ExportDdpClassifier.Load(_run.DdpTrained);
            float[] exported = run.Network.Parameters.ToArray();
            Assert.NotEqual(exported, trained.Parameters.ToArray());  // training moved the weights
            ParameterTensor tracked = ExportDdpClassifier.BufferLayout.Single(t => t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
            Assert.True(tracked.Of(trained.Buffers)[0] > 3f, "DDP's steps count in num_batches_tracked (the export started it at 3)");

            using SafeTensorsFile result = SafeTensorsFile.Open(run.Result);
            int[] x1 = _run.DdpInputs1.Select(v => (int)v).ToArray(), x7 = _run.DdpInputs7.Select(v => (int)v).ToArray();
            AssertClose(trained.Forward(x1, 1).ToArray(), result.ReadFloat32("y1"), "trained batch 1");
            AssertClose(trained.Forward(x7, 7).ToArray(), result.ReadFloat32("y7"), "trained batch 7");
        }

        [Fact]
        public void Module_names_come_from_the_class_and_bad_names_are_refused_before_anything_is_written()
        {
            Assert.Equal("export_tiny_gpt", PyTorchExport.ModuleName(ExportTinyGpt.Architecture));
            Assert.Equal("mnist_mlp", PyTorchExport.ModuleName(MnistMlp.Architecture));
            string source = PyTorchExport.ModuleSource(ExportCausalPadded.Architecture);
            Assert.Contains("class ExportCausalPadded(nn.Module):", source);
            Assert.Contains("self.positional_embedding = SinusoidalPositions(8, 8)", source);
            Assert.Contains("check_padding(padding, causal=True)", source);

            var keyword = Architecture("Demo.Bad", new LayerArchitecture("Dense", "lambda", [4], [2], ("units", "2"), ("activation", "Softmax")));
            var e = Assert.Throws<ArgumentException>(() => PyTorchExport.ModuleSource(keyword));
            Assert.Contains("'lambda'", e.Message);
            var reserved = Architecture("Demo.Bad", new LayerArchitecture("Dense", "forward", [4], [2], ("units", "2"), ("activation", "Softmax")));
            Assert.Contains("'forward'", Assert.Throws<ArgumentException>(() => PyTorchExport.ModuleSource(reserved)).Message);
            var unknown = Architecture("Demo.Bad", new LayerArchitecture("Residual", "res", [4], [4]));
            Assert.Contains("Residual", Assert.Throws<NotSupportedException>(() => PyTorchExport.ModuleSource(unknown)).Message);
            var shadow = Architecture("Demo.Json", new LayerArchitecture("Flatten", "flatten", [4], [4]));
            Assert.Contains("json.py", Assert.Throws<ArgumentException>(() => PyTorchExport.ModuleName(shadow)).Message);

            var huge = NetGen.Data.Dataset.FromTokens([1, 2, (1 << 24) + 1], [0], sequenceLength: 3);
            var inexact = Assert.Throws<ArgumentException>(() => huge.SavePyTorchData(Path.Combine(Path.GetTempPath(), "never.safetensors")));
            Assert.Contains("16777217 at index 2", inexact.Message);

            string directory = Path.Combine(Path.GetTempPath(), "netgen-torch-none-" + Guid.NewGuid().ToString("N"));
            Assert.Throws<ArgumentException>(() => new BadlyNamedForExport().ExportPyTorch(directory));
            Assert.False(Directory.Exists(directory));
        }

        private static NetworkArchitecture Architecture(string name, params LayerArchitecture[] layers) =>
            new(name, Loss.CrossEntropy, [4], tokenInputs: false, vocabularySize: 0, paddingIndex: -1, layers);

        /// <summary>PyTorch's state_dict: NetGen's parameters and buffers with their shapes, the parameters in NetGen's order.</summary>
        private static void AssertStateDict(ExportCaseRun run)
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(run.Result + ".json"));
            var torch = json.RootElement.GetProperty("state_dict").EnumerateArray()
                .Select(e => (Name: e[0].GetString()!, Shape: string.Join(",", e[1].EnumerateArray().Select(d => d.GetInt32()))))
                .ToList();
            var netgen = run.Network.ParameterLayout.Concat(run.Network.BufferLayout)
                .Select(t => (t.Name, Shape: string.Join(",", t.Shape))).ToList();
            Assert.Equal(netgen.OrderBy(t => t.Name, StringComparer.Ordinal), torch.OrderBy(t => t.Name, StringComparer.Ordinal));
            HashSet<string> parameters = run.Network.ParameterLayout.Select(t => t.Name).ToHashSet();
            Assert.Equal(run.Network.ParameterLayout.Select(t => t.Name), torch.Select(t => t.Name).Where(parameters.Contains));
        }

        private static void AssertClose(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1, Math.Abs(expected[i])),
                    $"{what}: output {i}: NetGen {expected[i]}, PyTorch {actual[i]}");
            }
        }

        private void RequirePyTorch()
        {
            if (_run.Failure is not null)
            {
                Assert.Fail(_run.Failure);
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Checkpoints;
using NetGen.Data;

namespace NetGen.Networks.Tests.Export
{
    /// <summary>One network of the export tests, with its typed passes behind untyped ones (token ids travel as floats).</summary>
    public abstract class ExportCase
    {
        protected ExportCase(string name) => Name = name;

        /// <summary>The case's name (its directory and theory row).</summary>
        public string Name { get; }

        /// <summary>A new instance of the network.</summary>
        public abstract INetwork Make();

        /// <summary>Labels or values per sample.</summary>
        public abstract int TargetSize(INetwork network);

        /// <summary>NetGen's Forward.</summary>
        public abstract float[] Forward(INetwork network, float[] inputs, int batch);

        /// <summary>NetGen's ComputeLoss.</summary>
        public abstract float Loss(INetwork network, float[] inputs, float[] targets, int batch);

        /// <summary>NetGen's ComputeGradients (a training-mode pass: BatchNorm uses the batch's statistics).</summary>
        public abstract float[] Gradients(INetwork network, float[] inputs, float[] targets, int batch);

        /// <summary>A case for a network with <typeparamref name="TInput"/> inputs and <typeparamref name="TTarget"/> targets.</summary>
        public static ExportCase Of<TInput, TTarget>(string name, Func<INetwork<TInput, TTarget>> make)
            where TInput : unmanaged where TTarget : unmanaged => new Typed<TInput, TTarget>(name, make);

        public override string ToString() => Name;

        private sealed class Typed<TInput, TTarget>(string name, Func<INetwork<TInput, TTarget>> make) : ExportCase(name)
            where TInput : unmanaged where TTarget : unmanaged
        {
            public override INetwork Make() => make();

            public override int TargetSize(INetwork network) => ((INetwork<TInput, TTarget>)network).TargetSize;

            public override float[] Forward(INetwork network, float[] inputs, int batch) =>
                ((INetwork<TInput, TTarget>)network).Forward(As<TInput>(inputs), batch).ToArray();

            public override float Loss(INetwork network, float[] inputs, float[] targets, int batch) =>
                ((INetwork<TInput, TTarget>)network).ComputeLoss(As<TInput>(inputs), As<TTarget>(targets), batch);

            public override float[] Gradients(INetwork network, float[] inputs, float[] targets, int batch)
            {
                ((INetwork<TInput, TTarget>)network).ComputeGradients(As<TInput>(inputs), As<TTarget>(targets), batch);
                return network.Gradients.ToArray();
            }

            private static T[] As<T>(float[] values) =>
                typeof(T) == typeof(int) ? (T[])(object)values.Select(v => (int)v).ToArray() : (T[])(object)values;
        }
    }

    /// <summary>What NetGen computed for one case and where PyTorch's answers are.</summary>
    public sealed class ExportCaseRun
    {
        public required ExportCase Case { get; init; }
        public required INetwork Network { get; init; }
        public required string Directory { get; init; }
        public required float[] Outputs1 { get; init; }
        public required float[] Outputs7 { get; init; }
        public required float Loss { get; init; }

        /// <summary>NetGen's gradients of <see cref="Loss"/>'s batch in training mode, or null for a network with dropout (random masks).</summary>
        public required float[]? Gradients { get; init; }
        public required string Result { get; init; }
    }

    /// <summary>
    /// Exports every case, computes NetGen's answers, and runs export_check.py once (one Python process, with
    /// train_ddp.py on two gloo processes alongside) for PyTorch's. Shared by the tests of <see cref="PyTorchExportTests"/>.
    /// </summary>
    public sealed class PyTorchExportRun : IDisposable
    {
        /// <summary>Debian's interpreter with python3-torch (NETGEN_TORCH_PYTHON overrides it).</summary>
        public static readonly string Python = Environment.GetEnvironmentVariable("NETGEN_TORCH_PYTHON") ?? "/usr/bin/python3";

        public const string Install =
            "The PyTorch export tests need Debian's python3 with PyTorch: apt-get update && apt-get install -y python3-torch libopenblas0-openmp " +
            "(.ci/run installs them), or set NETGEN_TORCH_PYTHON to a python3 with torch ≥ 1.13.";

        public static readonly ExportCase[] Cases =
        {
            ExportCase.Of(nameof(ExportQuickstart), () => new ExportQuickstart(seed: 1)),
            ExportCase.Of(nameof(ExportFashionCnn), () => new ExportFashionCnn(seed: 2)),
            ExportCase.Of(nameof(ExportCharModel), () => new ExportCharModel(seed: 3)),
            ExportCase.Of(nameof(ExportSpamClassifier), () => new ExportSpamClassifier(seed: 4)),
            ExportCase.Of(nameof(ExportTinyGpt), () => new ExportTinyGpt(seed: 5)),
            ExportCase.Of(nameof(ExportCausalPadded), () => new ExportCausalPadded(seed: 6)),
            ExportCase.Of(nameof(ExportGruFlatten), () => new ExportGruFlatten(seed: 7)),
            ExportCase.Of(nameof(ParityCeTanhSigmoidSoftmax), () => new ParityCeTanhSigmoidSoftmax(seed: 8)),
            ExportCase.Of(nameof(ParityBceLeakyReluSigmoid), () => new ParityBceLeakyReluSigmoid(seed: 9)),
            ExportCase.Of(nameof(ParityMseGeluLinear), () => new ParityMseGeluLinear(seed: 10)),
            ExportCase.Of(nameof(ParityMseReluSoftmax), () => new ParityMseReluSoftmax(seed: 11)),
            ExportCase.Of(nameof(ParityMnist), () => new ParityMnist(seed: 12)),
            ExportCase.Of(nameof(Cnn.CnnParityConvStrideDilation), () => new Cnn.CnnParityConvStrideDilation(seed: 13)),
            ExportCase.Of(nameof(Cnn.CnnParityConvSame), () => new Cnn.CnnParityConvSame(seed: 14)),
            ExportCase.Of(nameof(Cnn.CnnParityPooling), () => new Cnn.CnnParityPooling(seed: 15)),
            ExportCase.Of(nameof(Cnn.CnnParityBatchNormConv), () => new Cnn.CnnParityBatchNormConv(seed: 16)),
            ExportCase.Of(nameof(Cnn.CnnParityBatchNormDense), () => new Cnn.CnnParityBatchNormDense(seed: 17)),
            ExportCase.Of(nameof(Sequence.SeqParityEmbeddingPad), () => new Sequence.SeqParityEmbeddingPad(seed: 18)),
            ExportCase.Of(nameof(Sequence.SeqParityLstm2Seq), () => new Sequence.SeqParityLstm2Seq(seed: 19)),
            ExportCase.Of(nameof(Sequence.SeqParityGru1Last), () => new Sequence.SeqParityGru1Last(seed: 20)),
            ExportCase.Of(nameof(Sequence.SeqParityLstmStack), () => new Sequence.SeqParityLstmStack(seed: 21)),
            ExportCase.Of(nameof(Transformer.TfParityLayerNormEps), () => new Transformer.TfParityLayerNormEps(seed: 22)),
            ExportCase.Of(nameof(Transformer.TfParityMha), () => new Transformer.TfParityMha(seed: 23)),
            ExportCase.Of(nameof(Transformer.TfParityMhaCausal), () => new Transformer.TfParityMhaCausal(seed: 24)),
            ExportCase.Of(nameof(Transformer.TfParitySinusoidal), () => new Transformer.TfParitySinusoidal(seed: 25)),
            ExportCase.Of(nameof(Transformer.TfParityEncoderPreGelu), () => new Transformer.TfParityEncoderPreGelu(seed: 26)),
            ExportCase.Of(nameof(Transformer.TfParityCausalStack), () => new Transformer.TfParityCausalStack(seed: 27)),
        };

        public const string DdpName = "ddp";

        private readonly string _root = Path.Combine(Path.GetTempPath(), "netgen-torch-" + Guid.NewGuid().ToString("N"));

        public PyTorchExportRun()
        {
            Directory.CreateDirectory(_root);
            var watch = Stopwatch.StartNew();
            var cases = new List<object>();
            foreach (ExportCase c in Cases)
            {
                ExportCaseRun run = Prepare(c, c.Make(), seed: Runs.Count + 100);
                Runs[c.Name] = run;
                cases.Add(Entry(run));
            }
            cases.Add(PrepareDdp());
            ExportSeconds = watch.Elapsed.TotalSeconds;
            var manifest = new
            {
                cases,
                ddp = new { command = DdpCommand(), cwd = DdpDirectory, log = DdpLog },
            };
            string manifestPath = Path.Combine(_root, "manifest.json");
            File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest));
            watch.Restart();
            Failure = RunPython(manifestPath);
            PythonSeconds = watch.Elapsed.TotalSeconds;
        }

        /// <summary>Every case by name, the trained DDP network as <see cref="DdpName"/>.</summary>
        public Dictionary<string, ExportCaseRun> Runs { get; } = new(StringComparer.Ordinal);

        /// <summary>Why PyTorch gave no answers (no interpreter, no torch, a script error), or null.</summary>
        public string? Failure { get; }

        public double ExportSeconds { get; }

        public double PythonSeconds { get; }

        public string DdpDirectory => Path.Combine(_root, DdpName);

        public string DdpLog => Path.Combine(_root, "train_ddp.log");

        public string DdpTrained => Path.Combine(DdpDirectory, "trained.safetensors");

        /// <summary>The inputs the trained DDP network is compared on (token ids as floats), batch 1 and 7.</summary>
        public float[] DdpInputs1 { get; private set; } = [];

        public float[] DdpInputs7 { get; private set; } = [];

        /// <summary>Perturbs the network, exports it, writes its inputs and targets, and records NetGen's answers.</summary>
        private ExportCaseRun Prepare(ExportCase c, INetwork network, int seed)
        {
            var rng = new Rng(seed);
            Perturb(network, rng);
            string directory = Path.Combine(_root, c.Name);
            network.ExportPyTorch(directory);
            float[] x1 = Inputs(network.Architecture, 1, rng, firstRow: 1);
            float[] x7 = Inputs(network.Architecture, 7, rng);
            float[] t7 = Targets(network, c.TargetSize(network), 7, rng);
            var data = new SafeTensorsWriter();
            data.Add("x1", Shape(1, network.InputShape), x1);
            data.Add("x7", Shape(7, network.InputShape), x7);
            data.Add("t7", ImmutableArray.Create(7, c.TargetSize(network)), t7);
            data.Save(Path.Combine(directory, "data.safetensors"));
            float[] outputs1 = c.Forward(network, x1, 1), outputs7 = c.Forward(network, x7, 7);
            float loss = c.Loss(network, x7, t7, 7);
            bool dropout = network.Architecture.Layers.Any(l => (l.Has("rate") && l.Float("rate") > 0) || (l.Has("dropout") && l.Float("dropout") > 0));
            return new ExportCaseRun
            {
                Case = c,
                Network = network,
                Directory = directory,
                Outputs1 = outputs1,
                Outputs7 = outputs7,
                Loss = loss,
                Gradients = dropout ? null : c.Gradients(network, x7, t7, 7),
                Result = Path.Combine(directory, "result.safetensors"),
            };
        }

        /// <summary>The DDP network: exported, a 64-sample data set for train_ddp.py, and a case that runs the trained weights.</summary>
        private object PrepareDdp()
        {
            var c = ExportCase.Of(nameof(ExportDdpClassifier), () => new ExportDdpClassifier(seed: 31));
            INetwork network = c.Make();
            var rng = new Rng(32);
            Perturb(network, rng);
            network.ExportPyTorch(DdpDirectory);
            const int samples = 64;
            float[] tokens = Inputs(network.Architecture, samples, rng);
            int[] ids = tokens.Select(t => (int)t).ToArray();
            int[] labels = new int[samples];
            for (int i = 0; i < samples; i++)
            {
                labels[i] = ids[i * 10] % 3;  // learnable: the class of the first token
            }
            Dataset.FromTokens(ids, labels, sequenceLength: 10).SavePyTorchData(Path.Combine(DdpDirectory, "train.safetensors"));

            // The trained network is compared on fresh inputs, run by NetGen once the test has loaded the weights.
            float[] x1 = Inputs(network.Architecture, 1, rng, firstRow: 1), x7 = Inputs(network.Architecture, 7, rng);
            float[] t7 = Targets(network, 1, 7, rng);
            var eval = new SafeTensorsWriter();
            eval.Add("x1", Shape(1, network.InputShape), x1);
            eval.Add("x7", Shape(7, network.InputShape), x7);
            eval.Add("t7", ImmutableArray.Create(7, 1), t7);
            eval.Save(Path.Combine(DdpDirectory, "data.safetensors"));
            DdpInputs1 = x1;
            DdpInputs7 = x7;
            var run = new ExportCaseRun
            {
                Case = c, Network = network, Directory = DdpDirectory, Outputs1 = [], Outputs7 = [], Loss = float.NaN, Gradients = null,
                Result = Path.Combine(DdpDirectory, "result.safetensors"),
            };
            Runs[DdpName] = run;
            return new
            {
                name = DdpName, dir = DdpDirectory, module = PyTorchExport.ModuleName(network.Architecture), @class = nameof(ExportDdpClassifier),
                checkpoint = DdpTrained, data = Path.Combine(DdpDirectory, "data.safetensors"), result = run.Result, after_ddp = true,
            };
        }

        private string[] DdpCommand() =>
        [
            Python, Path.Combine(DdpDirectory, PyTorchExport.TrainingScriptName), "--processes", "2", "--data",
            Path.Combine(DdpDirectory, "train.safetensors"), "--out", DdpTrained, "--epochs", "2", "--batch-size", "8",
            "--lr", "0.01", "--seed", "1", "--threads", "1",
        ];

        /// <summary>The manifest entry of a case: run the exported weights on its data file.</summary>
        private static object Entry(ExportCaseRun run) => new
        {
            name = run.Case.Name,
            dir = run.Directory,
            module = PyTorchExport.ModuleName(run.Network.Architecture),
            @class = run.Case.Name,
            checkpoint = Path.Combine(run.Directory, PyTorchExport.ModuleName(run.Network.Architecture) + ".safetensors"),
            data = Path.Combine(run.Directory, "data.safetensors"),
            result = run.Result,
            after_ddp = false,
            gradients = run.Gradients is not null,
        };

        /// <summary>Moves every parameter a little (zero biases would hide a mixed-up bias) and gives the BatchNorm buffers non-trivial values.</summary>
        private static void Perturb(INetwork network, Rng rng)
        {
            Span<float> parameters = network.Parameters;
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] += 0.2f * (rng.NextFloat() - 0.5f);
            }
            Span<float> buffers = network.Buffers;
            foreach (ParameterTensor t in network.BufferLayout)
            {
                Span<float> values = t.Of(buffers);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = t.Name.EndsWith(".running_var", StringComparison.Ordinal) ? 0.5f + rng.NextFloat()
                        : t.Name.EndsWith(".running_mean", StringComparison.Ordinal) ? rng.NextFloat() - 0.5f
                        : 3f;
                }
            }
        }

        /// <summary>
        /// Normal floats, or token ids (as floats): odd rows right-padded after a random cut (from <paramref name="firstRow"/> on),
        /// and for a non-causal network every fourth row also padded in the middle; every row keeps a real first token.
        /// </summary>
        private static float[] Inputs(NetworkArchitecture a, int batch, Rng rng, int firstRow = 0)
        {
            int size = a.InputShape.Aggregate(1, (x, y) => x * y);
            float[] x = new float[batch * size];
            if (!a.TokenInputs)
            {
                for (int i = 0; i < x.Length; i++)
                {
                    x[i] = rng.NextNormal();
                }
                return x;
            }
            int pad = a.PaddingIndex;
            bool causal = a.Layers.Any(l => l.Has("causal") && l.Bool("causal"));
            for (int b = 0; b < batch; b++)
            {
                int row = b + firstRow;
                for (int t = 0; t < size; t++)
                {
                    int token;
                    do
                    {
                        token = rng.NextInt(a.VocabularySize);
                    }
                    while (token == pad);
                    x[b * size + t] = token;
                }
                if (pad >= 0 && row % 2 == 1)
                {
                    for (int t = 1 + rng.NextInt(size - 1); t < size; t++)
                    {
                        x[b * size + t] = pad;
                    }
                }
                if (pad >= 0 && !causal && row % 4 == 2)
                {
                    x[b * size + size / 2] = pad;
                }
            }
            return x;
        }

        private static float[] Targets(INetwork network, int targetSize, int batch, Rng rng)
        {
            float[] t = new float[batch * targetSize];
            int classes = network.OutputSize / targetSize;
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = network.Loss switch
                {
                    Loss.CrossEntropy => rng.NextInt(classes),
                    Loss.BinaryCrossEntropy => rng.NextFloat(),
                    _ => rng.NextNormal(),
                };
            }
            return t;
        }

        private static ImmutableArray<int> Shape(int batch, IReadOnlyList<int> sample) => [batch, .. sample];

        /// <summary>Runs export_check.py; null when it succeeded, else what went wrong and how to fix it.</summary>
        private static string? RunPython(string manifest)
        {
            if (!File.Exists(Python))
            {
                return $"{Python} does not exist. {Install}";
            }
            string script = Path.Combine(AppContext.BaseDirectory, "Export", "export_check.py");
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(manifest);
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + Python);
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                return "export_check.py did not finish within 5 minutes.";
            }
            return process.ExitCode switch
            {
                0 => null,
                3 => $"{Python} has no PyTorch. {Install}\n{stderr}",
                _ => $"export_check.py failed (exit code {process.ExitCode}):\n{stdout.Result}\n{stderr}",
            };
        }

        /// <summary>Deletes the exported files, unless NETGEN_KEEP_TORCH_EXPORT is set (to look at them).</summary>
        public void Dispose()
        {
            if (Environment.GetEnvironmentVariable("NETGEN_KEEP_TORCH_EXPORT") is not null)
            {
                return;
            }
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

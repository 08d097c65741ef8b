// NetGen benchmark suite. Two modes:
//   dotnet run -c Release -- [BenchmarkDotNet arguments]     e.g. --filter '*Kernel*' --job short
//   dotnet run -c Release -- accuracy [--workload W1|W4] [--epochs 5] [--threads N] [--out file.json]
//   dotnet run -c Release -- forkjoin [--rounds 21] [--each]   a quick Stopwatch probe of fork/join and small products
//   dotnet run -c Release -- gemm [--rounds 9] [--only w1|cnn]   a quick Stopwatch probe of the GEMM kernels' % of the FMA peak
//   dotnet run -c Release -- infer [--rounds 9] [--only w5]      a quick Stopwatch probe of inference against ONNX Runtime
// See docs/benchmarks.md.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Running;
using NetGen;
using NetGen.Benchmarks;
using NetGen.Kernels;

if (args.Length > 0 && args[0] == "accuracy")
{
    return Accuracy.Run(args.Skip(1).ToArray());
}
if (args.Length > 0 && args[0] == "forkjoin")
{
    return ForkJoinProbe.Run(args.Skip(1).ToArray());
}
if (args.Length > 0 && args[0] == "gemm")
{
    return GemmProbe.Run(args.Skip(1).ToArray());
}
if (args.Length > 0 && args[0] == "infer")
{
    return InferenceProbe.Run(args.Skip(1).ToArray());
}

Settings.JobFromCommandLine = args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
bool listing = args.Any(a => a is "--list" or "--help" or "-h" or "--info" or "--version");

if (!listing)
{
    if (FashionMnist.CheckPresent() is { } problem)
    {
        Console.Error.WriteLine($"warning: {problem} The Fashion-MNIST workloads (W1, W2, W4) will fail; the kernel, W3, W5 and W6 benchmarks do not need it.");
    }
    int maxThreads = Math.Min(2, Environment.ProcessorCount);
    PeakInfo.Measure(maxThreads);
    Console.WriteLine($"// FMA peak ({Simd.Level}, instruction set {FmaPeak.InstructionSet}, {FmaPeak.Accumulators} accumulators, measured at start-up): " +
        string.Join(", ", PeakInfo.Gflops.Select(p => $"{p.Key} thread{(p.Key == 1 ? "" : "s")} {p.Value.ToString("F1", CultureInfo.InvariantCulture)} GFLOP/s")));
    Console.WriteLine($"// W5 LSTM sequence model: {SequenceBenchmarks.Flops.ToString("N0", CultureInfo.InvariantCulture)} FLOPs per training step " +
        "(matrix products only; docs/benchmarks.md)");
    Console.WriteLine($"// W6 Transformer classifier: {TransformerBenchmarks.Flops.ToString("N0", CultureInfo.InvariantCulture)} FLOPs per training step " +
        "(matrix products only; the Transformer issue: about 1.4 GFLOP; docs/benchmarks.md)");
}

IConfig config = DefaultConfig.Instance
    .AddColumn(FlopColumn.Gflops, FlopColumn.PercentOfPeak)
    .AddExporter(JsonExporter.Full, NetGenJsonExporter.Instance); // the default config already exports CSV, GitHub markdown and HTML

var summaries = BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(args, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// Trains W1 (784-500-10, Sigmoid, SGD lr 0.1, batch 64) or W4 (the CNN, Adam lr 1e-3, batch 64) from
    /// a fixed seed, reshuffling each epoch with a fixed-seed generator, and prints the Fashion-MNIST test
    /// accuracy: the number to compare with PyTorch's after the same number of epochs.
    /// </summary>
    internal static class Accuracy
    {
        public static int Run(string[] args)
        {
            int epochs = 5;
            string workload = "W1";
            int? threads = null;
            string? output = null;
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--epochs" when i + 1 < args.Length:
                        epochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--workload" when i + 1 < args.Length && args[i + 1] is "W1" or "W4":
                        workload = args[++i];
                        break;
                    case "--threads" when i + 1 < args.Length:
                        threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
                        break;
                    case "--out" when i + 1 < args.Length:
                        output = args[++i];
                        break;
                    default:
                        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: accuracy [--workload W1|W4] [--epochs N] [--threads N] [--out file.json]");
                        return 2;
                }
            }
            if (FashionMnist.CheckPresent() is { } problem)
            {
                Console.Error.WriteLine(problem);
                return 1;
            }
            if (threads is int t)
            {
                Parallelism.MaxThreads = t;
            }

            const int Seed = 42, BatchSize = 64;
            float LearningRate = workload == "W1" ? 0.1f : 1e-3f;
            ImageSet train = FashionMnist.Train, test = FashionMnist.Test;
            INetwork<int> model = workload == "W1" ? new Mlp500(Seed) : new FashionCnn(Seed);
            Optimizer optimizer = workload == "W1" ? new Sgd(LearningRate) : new Adam(LearningRate);
            var trainer = new Trainer(BatchSize);
            var shuffler = new Rng(Seed);
            int[] order = Enumerable.Range(0, train.Count).ToArray();
            var losses = new List<double>();
            var seconds = new List<double>();
            Console.WriteLine((workload == "W1" ? $"W1 784-500-10 Sigmoid/Softmax, cross-entropy, SGD lr {LearningRate}" : $"W4 CNN, cross-entropy, Adam lr {LearningRate}") +
                $", batch {BatchSize}, seed {Seed}, {Parallelism.MaxThreads} thread(s), {Simd.Level}");
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                shuffler.Shuffle(order.AsSpan());
                var clock = Stopwatch.StartNew();
                float loss = trainer.Epoch(model, train, order, optimizer);
                seconds.Add(clock.Elapsed.TotalSeconds);
                losses.Add(loss);
                Console.WriteLine($"epoch {epoch}/{epochs}  mean batch loss {loss:F4}  {clock.Elapsed.TotalSeconds:F2} s");
            }
            float accuracy = Trainer.Accuracy(model, test);
            Console.WriteLine($"Test accuracy after {epochs} epochs: {accuracy:P2} ({test.Count} Fashion-MNIST test images)");

            if (output is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
                var result = new Dictionary<string, object>
                {
                    ["framework"] = "NetGen",
                    ["workload"] = workload,
                    ["epochs"] = epochs,
                    ["batchSize"] = BatchSize,
                    ["learningRate"] = LearningRate,
                    ["seed"] = Seed,
                    ["threads"] = Parallelism.MaxThreads,
                    ["testAccuracy"] = accuracy,
                    ["epochLosses"] = losses,
                    ["epochSeconds"] = seconds,
                };
                File.WriteAllText(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
                Console.WriteLine($"Wrote {output}");
            }
            return 0;
        }
    }
}

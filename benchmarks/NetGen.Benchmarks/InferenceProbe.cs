using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// A quick Stopwatch probe of inference latency, NetGen's <c>Forward</c> against ONNX Runtime on NetGen's own export, for a
    /// shared machine: <c>dotnet run -c Release -- infer [--rounds N] [--only w1|w4|w5] [--batch N] [--threads N]</c>.
    /// One case at a time (its ONNX Runtime session created just before), each round times its two sides for ~40 ms each, and the ratio (ONNX Runtime time over
    /// NetGen time) is taken within the round, so load from other processes shows up as spread (the quartiles) rather than as a
    /// wrong ratio. The same networks, parameters and inputs as <see cref="InferenceBenchmarks"/>, which stays the measurement of
    /// record (BenchmarkDotNet, one side at a time).
    /// </summary>
    internal static class InferenceProbe
    {
        private const double SliceSeconds = 0.04;
        private const int Seed = 42;

        private sealed class Case : IDisposable
        {
            public required string Name;
            public required int Threads;
            public required Action NetGen;
            public required OnnxRunner Onnx;
            public readonly List<double> NetGenSeconds = new(), OnnxSeconds = new(), Ratios = new();

            public void Dispose() => Onnx.Dispose();
        }

        public static int Run(string[] args)
        {
            int rounds = 9;
            string only = "all";
            int[] batches = { 1, 64 };
            int[] threads = { 1, 2 };
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--rounds" && i + 1 < args.Length)
                {
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                }
                else if (args[i] == "--only" && i + 1 < args.Length && args[i + 1] is "w1" or "w4" or "w5")
                {
                    only = args[++i];
                }
                else if (args[i] == "--batch" && i + 1 < args.Length)
                {
                    batches = new[] { int.Parse(args[++i], CultureInfo.InvariantCulture) };
                }
                else if (args[i] == "--threads" && i + 1 < args.Length)
                {
                    threads = new[] { int.Parse(args[++i], CultureInfo.InvariantCulture) };
                }
                else
                {
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: infer [--rounds N] [--only w1|w4|w5] [--batch N] [--threads N]");
                    return 2;
                }
            }
            Console.WriteLine($"// {ExecutionInfo.Describe()}; {Environment.ProcessorCount} processors; ratio = ONNX Runtime time / NetGen time");
            var cases = new List<Func<Case>>();
            foreach (int batch in batches)
            {
                foreach (int t in threads)
                {
                    if (only is "all" or "w1") cases.Add(() => Floats("W1 MLP", new Mlp500(Seed), batch, t));
                    if (only is "all" or "w4") cases.Add(() => Floats("W4 CNN", new FashionCnn(Seed), batch, t));
                    if (only is "all" or "w5") cases.Add(() => Tokens("W5 LSTM", new LstmSequenceModel(Seed), batch, t));
                }
            }
            Console.WriteLine($"{"case",-22} {"NetGen",10} {"ONNX Runtime",13} {"ratio (q1-q3)",20}");
            foreach (Func<Case> create in cases)
            {
                using Case c = create();
                // One case at a time, its two sides alternating: another session's idle intra-op threads would take a core.
                Time(c, c.NetGen, 0.2);
                Time(c, c.Onnx.Run, 0.2);
                for (int round = 0; round < rounds; round++)
                {
                    double netgen = Time(c, c.NetGen, SliceSeconds);
                    double onnx = Time(c, c.Onnx.Run, SliceSeconds);
                    c.NetGenSeconds.Add(netgen);
                    c.OnnxSeconds.Add(onnx);
                    c.Ratios.Add(onnx / netgen);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name,-22} {Format(Median(c.NetGenSeconds)),10} {Format(Median(c.OnnxSeconds)),13} " +
                    $"{Median(c.Ratios),8:F2}x ({Quartile(c.Ratios, 0.25):F2}-{Quartile(c.Ratios, 0.75):F2})"));
            }
            return 0;
        }

        private static Case Floats(string name, INetwork<int> network, int batch, int threads)
        {
            var rng = new Rng(Seed);
            float[] inputs = new float[batch * network.InputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = rng.NextFloat();
            }
            float[] outputs = new float[batch * network.OutputSize];
            return new Case
            {
                Name = $"{name} B{batch} {threads}t",
                Threads = threads,
                NetGen = () => network.Forward(inputs, outputs, batch),
                Onnx = OnnxRunner.Create(network, threads, batch, inputs),
            };
        }

        private static Case Tokens(string name, LstmSequenceModel network, int batch, int threads)
        {
            var rng = new Rng(Seed);
            int[] tokens = new int[batch * LstmSequenceModel.InputSize];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = rng.NextInt(LstmSequenceModel.VocabularySize);
            }
            float[] outputs = new float[batch * LstmSequenceModel.OutputSize];
            return new Case
            {
                Name = $"{name} B{batch} {threads}t",
                Threads = threads,
                NetGen = () => network.Forward(tokens, outputs, batch),
                Onnx = OnnxRunner.Create(network, threads, batch, tokens.Select(t => (long)t).ToArray()),
            };
        }

        /// <summary>
        /// Seconds per call over a slice of about <paramref name="seconds"/>, after a pause long enough for the other side's idle
        /// threads to stop spinning (ONNX Runtime's keep a core busy for over 20 ms after a run; measured: NetGen's two-thread W1 at
        /// batch 64 took 1.7× as long after a 20 ms pause as after 300 ms).
        /// </summary>
        private static double Time(Case c, Action call, double seconds)
        {
            Parallelism.MaxThreads = c.Threads;
            Thread.Sleep(300);
            call();
            long start = Stopwatch.GetTimestamp();
            long end = start + (long)(seconds * Stopwatch.Frequency);
            int calls = 0;
            long now;
            do
            {
                call();
                calls++;
                now = Stopwatch.GetTimestamp();
            }
            while (now < end);
            return (now - start) / (double)Stopwatch.Frequency / calls;
        }

        private static string Format(double seconds) =>
            seconds >= 1e-3 ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:F2} ms") : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:F1} µs");

        private static double Median(List<double> values) => Quartile(values, 0.5);

        private static double Quartile(List<double> values, double q)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            double position = q * (sorted.Length - 1);
            int low = (int)Math.Floor(position);
            int high = Math.Min(low + 1, sorted.Length - 1);
            return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
        }
    }
}

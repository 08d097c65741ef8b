using System;
using System.Collections.Generic;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NetGen.Benchmarks
{
    /// <summary>The FMA peak measured once by the host process at start-up, per thread count.</summary>
    public static class PeakInfo
    {
        private static readonly Dictionary<int, double> s_gflops = new();

        public static IReadOnlyDictionary<int, double> Gflops => s_gflops;

        /// <summary>Measures the peak for 1..<paramref name="maxThreads"/> threads (quick: ~0.5 s per count).</summary>
        public static void Measure(int maxThreads)
        {
            for (int threads = 1; threads <= maxThreads; threads++)
            {
                s_gflops[threads] = FmaPeak.MeasureGflops(threads);
            }
        }

        public static double? For(int threads) => s_gflops.TryGetValue(threads, out double g) ? g : null;
    }

    /// <summary>What the custom columns need from a benchmark case: its FLOP count and thread count, if it has them.</summary>
    public static class CaseInfo
    {
        public static double? Flops(BenchmarkCase benchmarkCase)
        {
            Type type = benchmarkCase.Descriptor.Type;
            if (type == typeof(KernelBenchmarks) && Parameter(benchmarkCase, nameof(KernelBenchmarks.Batch)) is int batch)
            {
                return KernelBenchmarks.Flops(batch);
            }
            if (type == typeof(PeakBenchmarks) && Threads(benchmarkCase) is int threads)
            {
                return PeakBenchmarks.Flops(threads);
            }
            if (type == typeof(SequenceBenchmarks))
            {
                return SequenceBenchmarks.Flops;
            }
            if (type == typeof(TransformerBenchmarks))
            {
                return TransformerBenchmarks.Flops;
            }
            return null;
        }

        public static int? Threads(BenchmarkCase benchmarkCase) => Parameter(benchmarkCase, "Threads");

        private static int? Parameter(BenchmarkCase benchmarkCase, string name)
        {
            foreach (var parameter in benchmarkCase.Parameters.Items)
            {
                if (parameter.Name == name && parameter.Value is int value)
                {
                    return value;
                }
            }
            return null;
        }

        /// <summary>Mean time of one operation in nanoseconds, if the case ran.</summary>
        public static double? MeanNanoseconds(Summary summary, BenchmarkCase benchmarkCase) =>
            summary[benchmarkCase]?.ResultStatistics?.Mean;

        public static double? Gflops(Summary summary, BenchmarkCase benchmarkCase) =>
            Flops(benchmarkCase) is double flops && MeanNanoseconds(summary, benchmarkCase) is double ns && ns > 0 ? flops / ns : null;

        public static double? PercentOfPeak(Summary summary, BenchmarkCase benchmarkCase) =>
            Gflops(summary, benchmarkCase) is double g && Threads(benchmarkCase) is int t && PeakInfo.For(t) is double peak && peak > 0
                ? 100 * g / peak
                : null;
    }

    /// <summary>A numeric column computed from the measured mean and the case's known FLOP count.</summary>
    public sealed class FlopColumn : IColumn
    {
        public static readonly IColumn Gflops = new FlopColumn("GFLOP/s", "Billions of floating-point operations per second: FLOPs of one operation / mean time (an FMA counts as 2)",
            (s, c) => CaseInfo.Gflops(s, c), "F1");

        public static readonly IColumn PercentOfPeak = new FlopColumn("% of peak", "GFLOP/s as a percentage of the FMA peak for the same thread count, measured at start-up by a register-only FMA loop",
            (s, c) => CaseInfo.PercentOfPeak(s, c), "F1");

        private readonly Func<Summary, BenchmarkCase, double?> _value;
        private readonly string _format;

        private FlopColumn(string name, string legend, Func<Summary, BenchmarkCase, double?> value, string format)
        {
            ColumnName = name;
            Legend = legend;
            _value = value;
            _format = format;
        }

        public string Id => nameof(FlopColumn) + "." + ColumnName;
        public string ColumnName { get; }
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend { get; }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            _value(summary, benchmarkCase) is double v ? v.ToString(_format, CultureInfo.InvariantCulture) : "-";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary)
        {
            foreach (BenchmarkCase benchmarkCase in summary.BenchmarksCases)
            {
                if (CaseInfo.Flops(benchmarkCase) is not null)
                {
                    return true;
                }
            }
            return false;
        }

        public override string ToString() => ColumnName;
    }
}

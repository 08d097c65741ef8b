using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NetGen.Kernels;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// Writes <c>results/&lt;title&gt;-netgen.json</c>: per case the workload key (the method's own
    /// <see cref="BenchmarkCategoryAttribute"/>), the parameters, the time statistics in nanoseconds,
    /// the FLOP-based columns, and the peak measured at start-up. This is what
    /// <c>benchmarks/summarize.py</c> reads, next to BenchmarkDotNet's own reports.
    /// </summary>
    public sealed class NetGenJsonExporter : ExporterBase
    {
        public static readonly NetGenJsonExporter Instance = new();

        protected override string FileExtension => "json";

        protected override string FileCaption => "netgen";

        public override void ExportToLog(Summary summary, ILogger logger)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("title", summary.Title);
                json.WriteString("runtime", RuntimeInformation.FrameworkDescription);
                json.WriteString("simd", Simd.Level.ToString());
                json.WriteString("instructionSet", FmaPeak.InstructionSet);
                json.WriteNumber("processorCount", Environment.ProcessorCount);
                json.WriteStartObject("peakGflops");
                foreach (var (threads, gflops) in PeakInfo.Gflops)
                {
                    json.WriteNumber(threads.ToString(System.Globalization.CultureInfo.InvariantCulture), Math.Round(gflops, 2));
                }
                json.WriteEndObject();
                json.WriteStartArray("cases");
                foreach (BenchmarkCase benchmarkCase in summary.BenchmarksCases)
                {
                    WriteCase(json, summary, benchmarkCase);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            logger.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        }

        private static void WriteCase(Utf8JsonWriter json, Summary summary, BenchmarkCase benchmarkCase)
        {
            json.WriteStartObject();
            json.WriteString("type", benchmarkCase.Descriptor.Type.Name);
            json.WriteString("method", benchmarkCase.Descriptor.WorkloadMethod.Name);
            json.WriteString("key", Key(benchmarkCase));
            json.WriteString("description", benchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''));
            json.WriteString("job", benchmarkCase.Job.ResolvedId);
            json.WriteStartObject("parameters");
            foreach (var parameter in benchmarkCase.Parameters.Items)
            {
                if (parameter.Value is int i)
                {
                    json.WriteNumber(parameter.Name, i);
                }
                else
                {
                    json.WriteString(parameter.Name, parameter.Value?.ToString());
                }
            }
            json.WriteEndObject();
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is not null)
            {
                json.WriteNumber("meanNs", statistics.Mean);
                json.WriteNumber("medianNs", statistics.Median);
                json.WriteNumber("stdDevNs", statistics.StandardDeviation);
                json.WriteNumber("minNs", statistics.Min);
                json.WriteNumber("n", statistics.N);
            }
            WriteOptional(json, "flops", CaseInfo.Flops(benchmarkCase));
            WriteOptional(json, "gflops", CaseInfo.Gflops(summary, benchmarkCase));
            WriteOptional(json, "percentOfPeak", CaseInfo.PercentOfPeak(summary, benchmarkCase));
            json.WriteEndObject();
        }

        private static string Key(BenchmarkCase benchmarkCase)
        {
            foreach (object attribute in benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttributes(typeof(BenchmarkCategoryAttribute), inherit: false))
            {
                var categories = ((BenchmarkCategoryAttribute)attribute).Categories;
                if (categories.Length > 0)
                {
                    return categories[0];
                }
            }
            return benchmarkCase.Descriptor.WorkloadMethod.Name;
        }

        private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
        {
            if (value is double v)
            {
                json.WriteNumber(name, v);
            }
            else
            {
                json.WriteNull(name);
            }
        }
    }
}

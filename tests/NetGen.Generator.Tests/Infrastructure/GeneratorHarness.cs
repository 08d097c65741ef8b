using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Tests.Infrastructure
{
    /// <summary>One generated file: its hint name and text (line endings as the generator wrote them).</summary>
    internal sealed record GeneratedFile(string HintName, string Text);

    /// <summary>
    /// One run of the NetGen generator over some sources: what it generated, what it reported, what the
    /// compiler says about the input alone and about the input plus the generated code.
    /// </summary>
    internal sealed class GeneratorRun
    {
        private readonly Lazy<ImmutableArray<Diagnostic>> _inputDiagnostics;
        private readonly Lazy<ImmutableArray<Diagnostic>> _outputDiagnostics;

        public GeneratorRun(GeneratorDriver driver, Compilation input, Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics)
        {
            Driver = driver;
            InputCompilation = input;
            OutputCompilation = output;
            GeneratorDiagnostics = generatorDiagnostics;
            RunResult = driver.GetRunResult();
            Result = RunResult.Results.Single();
            GeneratedFiles = Result.GeneratedSources
                .Select(s => new GeneratedFile(s.HintName, s.SourceText.ToString()))
                .OrderBy(f => f.HintName, StringComparer.Ordinal)
                .ToImmutableArray();
            _inputDiagnostics = new(() => input.GetDiagnostics());
            _outputDiagnostics = new(() => output.GetDiagnostics());
        }

        public GeneratorDriver Driver { get; }

        public Compilation InputCompilation { get; }

        public Compilation OutputCompilation { get; }

        public GeneratorDriverRunResult RunResult { get; }

        public GeneratorRunResult Result { get; }

        /// <summary>Diagnostics the driver returned: NetGen's own, and CS8784/CS8785 if the generator threw.</summary>
        public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

        public ImmutableArray<GeneratedFile> GeneratedFiles { get; }

        /// <summary>The compiler's diagnostics for the user's sources alone, before generation.</summary>
        public ImmutableArray<Diagnostic> InputDiagnostics => _inputDiagnostics.Value;

        /// <summary>The compiler's diagnostics for the user's sources plus everything generated.</summary>
        public ImmutableArray<Diagnostic> OutputDiagnostics => _outputDiagnostics.Value;

        /// <summary>Generator and compiler diagnostics together, warnings and errors only (no hidden or info).</summary>
        public ImmutableArray<Diagnostic> AllDiagnostics =>
            GeneratorDiagnostics.Concat(OutputDiagnostics)
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToImmutableArray();

        public string Generated(string hintName) =>
            GeneratedFiles.SingleOrDefault(f => f.HintName == hintName)?.Text
            ?? throw new InvalidOperationException($"No generated file '{hintName}'; generated: {string.Join(", ", GeneratedFiles.Select(f => f.HintName))}.");

        public static string Describe(IEnumerable<Diagnostic> diagnostics)
        {
            var lines = diagnostics.Select(d => "  " + d.ToString()).ToList();
            return lines.Count == 0 ? "  (none)" : string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>Drives <see cref="NetGenGenerator"/> in memory with <see cref="CSharpGeneratorDriver"/>.</summary>
    internal static class GeneratorHarness
    {
        public static GeneratorDriverOptions TrackingOptions { get; } =
            new(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true);

        public static CSharpCompilation CreateCompilation(params string[] sources) =>
            CreateCompilation(sources.Select((s, i) => ($"/src/Test{i}.cs", s)).ToArray());

        public static CSharpCompilation CreateCompilation(params (string Path, string Source)[] sources) =>
            CSharpCompilation.Create("NetGenTestInput",
                sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, References.ParseOptions, s.Path)),
                References.All,
                References.Options);

        public static GeneratorDriver CreateDriver() =>
            CSharpGeneratorDriver.Create(
                new[] { new NetGenGenerator().AsSourceGenerator() },
                parseOptions: References.ParseOptions,
                driverOptions: TrackingOptions);

        public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

        public static GeneratorRun Run(Compilation compilation) => Run(CreateDriver(), compilation);

        public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation)
        {
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
            return new GeneratorRun(driver, compilation, output, diagnostics);
        }

        /// <summary>
        /// Fails unless the generator ran cleanly: it did not throw (no exception in the run result, no
        /// CS8784/CS8785) and did not report its internal error NG0099.
        /// </summary>
        public static void AssertGeneratorDidNotFail(GeneratorRun run)
        {
            Assert.True(run.Result.Exception is null, "The generator threw: " + run.Result.Exception);
            Diagnostic[] failures = run.GeneratorDiagnostics.Concat(run.OutputDiagnostics)
                .Where(d => d.Id is "CS8784" or "CS8785" or "NG0099")
                .ToArray();
            Assert.True(failures.Length == 0, "The generator failed:" + Environment.NewLine + GeneratorRun.Describe(failures));
        }
    }
}

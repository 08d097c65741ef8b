using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests.Fuzz
{
    /// <summary>What went wrong with one declaration.</summary>
    internal enum FuzzFailureKind
    {
        /// <summary>The generator threw, or reported its internal error NG0099.</summary>
        GeneratorException,

        /// <summary>No error was reported for a [Network] class, yet nothing was generated.</summary>
        NothingGenerated,

        /// <summary>No error was reported, yet the generated code does not compile with warnings as errors.</summary>
        DoesNotCompile,

        /// <summary>The network compiled, but one TrainStep and Forward threw or gave a value that is not finite.</summary>
        TrainingFailed,
    }

    /// <summary>One failing declaration, why it fails, and the details (diagnostics, exception).</summary>
    internal sealed record FuzzFailure(FuzzDeclaration Declaration, FuzzFailureKind Kind, string Detail);

    /// <summary>Counts of one or more batches: how far the declarations got.</summary>
    internal sealed class FuzzCounts
    {
        public int Declarations;
        public int NotNetworks;
        public int Rejected;
        public int Accepted;
        public int Compiled;
        public int Trained;
        public int TooLargeToRun;

        /// <summary>Token networks whose random batch had a sequence made only of padding, refused as documented (an ArgumentException naming the sample).</summary>
        public int RefusedAllPadding;
        public TimeSpan Generating, Compiling, Training;
        public readonly List<FuzzFailure> Failures = new();

        public void Add(FuzzCounts other)
        {
            Declarations += other.Declarations;
            NotNetworks += other.NotNetworks;
            Rejected += other.Rejected;
            Accepted += other.Accepted;
            Compiled += other.Compiled;
            Trained += other.Trained;
            TooLargeToRun += other.TooLargeToRun;
            RefusedAllPadding += other.RefusedAllPadding;
            Generating += other.Generating;
            Compiling += other.Compiling;
            Training += other.Training;
            Failures.AddRange(other.Failures);
        }

        public override string ToString() =>
            $"{Declarations} declarations: {NotNetworks} without [Network], {Rejected} rejected with an error, {Accepted} accepted, " +
            $"{Compiled} compiled strictly, {Trained} trained one step, {TooLargeToRun} compiled but too large to run, {RefusedAllPadding} refused an all-padding random batch as documented, {Failures.Count} failures " +
            $"(thread time: generator {Generating.TotalSeconds:F1} s, strict compilation {Compiling.TotalSeconds:F1} s, training {Training.TotalSeconds:F1} s)";
    }

    /// <summary>
    /// Checks fuzzed declarations in batches: every declaration becomes its own class <c>Net{i}</c> in one
    /// source file, so one generator run covers a batch and each diagnostic is attributed to its class by
    /// span. The accepted networks of a batch are compiled strictly together, emitted and loaded once,
    /// then each one trains one step on random data.
    /// </summary>
    internal static class FuzzRunner
    {
        /// <summary>Networks larger than these are compiled but not run: the generator's own limits are int-sized.</summary>
        public const long MaxParametersToRun = 250_000, MaxValuesPerSampleToRun = 250_000, MaxFlopsToRun = 5_000_000;

        private const string UserPath = "/src/Fuzz.cs";
        /// <summary>
        /// Empty compilations every batch adds its trees to: compilations derived from one share its bound
        /// references (the ReferenceManager), so a batch does not rebuild the symbols of ~200 assemblies.
        /// </summary>
        private static readonly CSharpCompilation InputBase = GeneratorHarness.CreateCompilation(Array.Empty<(string, string)>());

        private static readonly CSharpCompilation StrictBase = NetworkRunner.StrictCompilation("", Array.Empty<GeneratedFile>()).RemoveAllSyntaxTrees();

        private static readonly Regex ClassName = new(@"\bNet(\d+)\b", RegexOptions.CultureInvariant);
        private static readonly Regex Shape = new(@"\[B((?:, \d+)+)\]", RegexOptions.CultureInvariant);
        private static readonly Regex Flops = new(@"FLOPs per sample: ([\d,]+)", RegexOptions.CultureInvariant);

        /// <summary>Checks <paramref name="batch"/>; failures name their declaration.</summary>
        public static FuzzCounts Check(IReadOnlyList<FuzzDeclaration> batch, bool train = true)
        {
            var counts = new FuzzCounts { Declarations = batch.Count };
            (string source, TextSpan[] spans) = Source(batch, Enumerable.Range(0, batch.Count).ToArray());
            GeneratorRun run;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                run = GeneratorHarness.Run(InputBase.AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, References.ParseOptions, UserPath)));
            }
            catch (Exception e)
            {
                // The driver itself threw: find the culprits one by one.
                return batch.Count == 1 ? Failed(counts, batch[0], FuzzFailureKind.GeneratorException, "The generator driver threw: " + e) : OneByOne(batch, train);
            }

            var failed = new HashSet<int>();
            Diagnostic[] crashes = run.GeneratorDiagnostics.Where(d => d.Id is "NG0099" or "CS8784" or "CS8785").ToArray();
            if (run.Result.Exception is not null || crashes.Any(d => Owner(d, spans) is null))
            {
                return batch.Count == 1
                    ? Failed(counts, batch[0], FuzzFailureKind.GeneratorException, run.Result.Exception?.ToString() ?? GeneratorRun.Describe(crashes))
                    : OneByOne(batch, train);
            }
            foreach (IGrouping<int, Diagnostic> crash in crashes.GroupBy(d => Owner(d, spans)!.Value))
            {
                failed.Add(crash.Key);
                counts.Failures.Add(new FuzzFailure(batch[crash.Key], FuzzFailureKind.GeneratorException, GeneratorRun.Describe(crash)));
            }

            var rejected = run.GeneratorDiagnostics.Concat(run.InputDiagnostics)
                .Where(d => d.Severity == DiagnosticSeverity.Error)
                .Select(d => Owner(d, spans))
                .Where(i => i is not null)
                .Select(i => i!.Value)
                .ToHashSet();
            var generated = run.GeneratedFiles.ToDictionary(f => f.HintName, StringComparer.Ordinal);
            var accepted = new List<int>();
            for (int i = 0; i < batch.Count; i++)
            {
                if (failed.Contains(i))
                {
                    continue;
                }
                if (!batch[i].Attributes.Any(a => a.Kind == "Network"))
                {
                    counts.NotNetworks++;
                }
                else if (rejected.Contains(i))
                {
                    counts.Rejected++;
                }
                else if (!generated.ContainsKey(HintName(i)))
                {
                    counts.Failures.Add(new FuzzFailure(batch[i], FuzzFailureKind.NothingGenerated,
                        "Generated: " + string.Join(", ", generated.Keys) + Environment.NewLine + GeneratorRun.Describe(run.GeneratorDiagnostics)));
                }
                else
                {
                    counts.Accepted++;
                    accepted.Add(i);
                }
            }
            counts.Generating += clock.Elapsed;
            if (accepted.Count > 0)
            {
                CompileAndTrain(batch, accepted, generated, counts, train);
            }
            return counts;
        }

        /// <summary>Each declaration of <paramref name="batch"/> alone: when one of them breaks the batch as a whole.</summary>
        private static FuzzCounts OneByOne(IReadOnlyList<FuzzDeclaration> batch, bool train)
        {
            var counts = new FuzzCounts();
            foreach (FuzzDeclaration declaration in batch)
            {
                counts.Add(Check(new[] { declaration }, train));
            }
            return counts;
        }

        private static FuzzCounts Failed(FuzzCounts counts, FuzzDeclaration declaration, FuzzFailureKind kind, string detail)
        {
            counts.Failures.Add(new FuzzFailure(declaration, kind, detail));
            return counts;
        }

        /// <summary>Strict compilation of the accepted networks; those whose code fails are reported and left out of a second emit.</summary>
        private static void CompileAndTrain(IReadOnlyList<FuzzDeclaration> batch, List<int> accepted, Dictionary<string, GeneratedFile> generated, FuzzCounts counts, bool train)
        {
            for (int attempt = 0; attempt < 2 && accepted.Count > 0; attempt++)
            {
                (string source, TextSpan[] spans) = Source(batch, accepted.ToArray());
                CSharpCompilation compilation = StrictBase.AddSyntaxTrees(NetworkRunner.StrictCompilation(source, accepted.Select(i => generated[HintName(i)])).SyntaxTrees);
                using var image = new MemoryStream();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                EmitResult emitted = compilation.Emit(image);
                counts.Compiling += clock.Elapsed;
                Diagnostic[] reported = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).ToArray();
                if (reported.Length > 0 || !emitted.Success)
                {
                    var broken = new HashSet<int>();
                    foreach (IGrouping<int?, Diagnostic> group in reported.GroupBy(d => CompiledOwner(d, spans)))
                    {
                        if (group.Key is int i)
                        {
                            broken.Add(i);
                            counts.Failures.Add(new FuzzFailure(batch[i], FuzzFailureKind.DoesNotCompile, GeneratorRun.Describe(group.Take(10))));
                        }
                    }
                    if (broken.Count == 0)
                    {
                        // Not attributable to one class: check them one by one.
                        if (accepted.Count > 1)
                        {
                            foreach (int i in accepted)
                            {
                                FuzzCounts alone = Check(new[] { batch[i] }, train);
                                counts.Compiled += alone.Compiled;
                                counts.Trained += alone.Trained;
                                counts.TooLargeToRun += alone.TooLargeToRun;
                                counts.RefusedAllPadding += alone.RefusedAllPadding;
                                counts.Failures.AddRange(alone.Failures);
                            }
                        }
                        else
                        {
                            counts.Failures.Add(new FuzzFailure(batch[accepted[0]], FuzzFailureKind.DoesNotCompile, GeneratorRun.Describe(reported.Take(10))));
                        }
                        return;
                    }
                    accepted = accepted.Where(i => !broken.Contains(i)).ToList();
                    continue;
                }

                counts.Compiled += accepted.Count;
                if (train)
                {
                    image.Position = 0;
                    clock.Restart();
                    Train(batch, accepted, image, counts);
                    counts.Training += clock.Elapsed;
                }
                return;
            }
        }

        private static void Train(IReadOnlyList<FuzzDeclaration> batch, List<int> accepted, Stream image, FuzzCounts counts)
        {
            var context = new AssemblyLoadContext("NetGenFuzz", isCollectible: true);
            try
            {
                Assembly assembly = context.LoadFromStream(image);
                foreach (int i in accepted)
                {
                    Type type = assembly.GetType(FuzzDeclaration.Namespace + ".Net" + i.ToString(CultureInfo.InvariantCulture), throwOnError: true)!;
                    if (TooLarge(type))
                    {
                        counts.TooLargeToRun++;
                        continue;
                    }
                    string? problem;
                    try
                    {
                        problem = TrainOnce(type);
                    }
                    catch (Exception e) when ((e is TargetInvocationException { InnerException: { } thrown } ? thrown : e) is ArgumentException a
                        && a.Message.Contains("is all padding", StringComparison.Ordinal))
                    {
                        // Random ids over a tiny vocabulary can make a whole sequence padding: the network must refuse it, and did.
                        counts.RefusedAllPadding++;
                        continue;
                    }
                    catch (Exception e)
                    {
                        problem = "Threw " + (e is TargetInvocationException { InnerException: { } inner } ? inner : e);
                    }
                    if (problem is null)
                    {
                        counts.Trained++;
                    }
                    else
                    {
                        counts.Failures.Add(new FuzzFailure(batch[i], FuzzFailureKind.TrainingFailed, problem));
                    }
                }
            }
            finally
            {
                context.Unload();
            }
        }

        /// <summary>More parameters, values in one layer's output or FLOPs than a test should allocate or spend.</summary>
        private static bool TooLarge(Type type)
        {
            long parameters = Convert.ToInt64(type.GetField("ParameterCount")!.GetRawConstantValue(), CultureInfo.InvariantCulture);
            string summary = (string)type.GetProperty("Summary")!.GetValue(null)!;
            long largest = Shape.Matches(summary)
                .Select(m => m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Aggregate(1L, (p, d) => p * long.Parse(d, CultureInfo.InvariantCulture)))
                .DefaultIfEmpty(long.MaxValue)
                .Max();
            Match flops = Flops.Match(summary);
            long forward = flops.Success ? long.Parse(flops.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : long.MaxValue;
            return parameters > MaxParametersToRun || largest > MaxValuesPerSampleToRun || forward > MaxFlopsToRun;
        }

        /// <summary>
        /// One TrainStep and one Forward on a random batch of 3; null if the loss, every gradient, every
        /// parameter after the step and every output are finite, else what was not.
        /// </summary>
        private static string? TrainOnce(Type type)
        {
            const int batchSize = 3;
            var network = (INetwork)Activator.CreateInstance(type, 42)!;
            var rng = new Random(7);
            var optimizer = new Sgd(0.01f);
            float[] outputs = new float[batchSize * network.OutputSize];
            float[] floats = Enumerable.Range(0, batchSize * network.InputSize).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            int vocabulary = type.GetField("VocabularySize") is { } field ? (int)field.GetRawConstantValue()! : 1;
            int[] ids = Enumerable.Range(0, batchSize * network.InputSize).Select(_ => rng.Next(vocabulary)).ToArray();
            float loss;
            switch (network)
            {
                case INetwork<float, int> classifier:
                    loss = classifier.TrainStep(floats, Labels(rng, batchSize * classifier.TargetSize, network.OutputSize / classifier.TargetSize), batchSize, optimizer);
                    classifier.Forward(floats, outputs, batchSize);
                    break;
                case INetwork<float, float> regressor:
                    loss = regressor.TrainStep(floats, Targets(rng, batchSize * regressor.TargetSize), batchSize, optimizer);
                    regressor.Forward(floats, outputs, batchSize);
                    break;
                case INetwork<int, int> tokens:
                    loss = tokens.TrainStep(ids, Labels(rng, batchSize * tokens.TargetSize, network.OutputSize / tokens.TargetSize), batchSize, optimizer);
                    tokens.Forward(ids, outputs, batchSize);
                    break;
                case INetwork<int, float> tokenRegressor:
                    loss = tokenRegressor.TrainStep(ids, Targets(rng, batchSize * tokenRegressor.TargetSize), batchSize, optimizer);
                    tokenRegressor.Forward(ids, outputs, batchSize);
                    break;
                default:
                    return $"{type.Name} implements none of INetwork<float|int, int|float>.";
            }
            if (!float.IsFinite(loss))
            {
                return $"TrainStep returned the loss {loss.ToString(CultureInfo.InvariantCulture)}.";
            }
            if (!network.Gradients.ToArray().All(float.IsFinite))
            {
                return "A gradient is not finite after TrainStep.";
            }
            if (!network.Parameters.ToArray().All(float.IsFinite))
            {
                return "A parameter is not finite after TrainStep.";
            }
            if (!outputs.All(float.IsFinite))
            {
                return "Forward wrote a value that is not finite: " + string.Join(", ", outputs.Take(20).Select(v => v.ToString(CultureInfo.InvariantCulture)));
            }
            return null;
        }

        private static int[] Labels(Random rng, int count, int classes) => Enumerable.Range(0, count).Select(_ => rng.Next(Math.Max(1, classes))).ToArray();

        private static float[] Targets(Random rng, int count) => Enumerable.Range(0, count).Select(_ => (float)rng.NextDouble()).ToArray();

        // ---- Sources and attribution ---------------------------------------------------------------

        public static string HintName(int index) => FuzzDeclaration.Namespace + ".Net" + index.ToString(CultureInfo.InvariantCulture) + ".g.cs";

        /// <summary>The declarations at <paramref name="indices"/>, class Net{index} each, and the span of each class (by index).</summary>
        private static (string Source, TextSpan[] Spans) Source(IReadOnlyList<FuzzDeclaration> batch, int[] indices)
        {
            var text = new StringBuilder(FuzzDeclaration.FileHeader);
            var spans = new TextSpan[batch.Count];
            foreach (int i in indices)
            {
                int start = text.Length;
                text.Append(batch[i].ClassSource("Net" + i.ToString(CultureInfo.InvariantCulture))).Append('\n');
                spans[i] = TextSpan.FromBounds(start, text.Length);
            }
            return (text.ToString(), spans);
        }

        /// <summary>The class a diagnostic on the user's file belongs to, by span; else by a class name in its message.</summary>
        private static int? Owner(Diagnostic diagnostic, TextSpan[] spans)
        {
            if (diagnostic.Location.IsInSource && diagnostic.Location.SourceTree!.FilePath == UserPath)
            {
                int position = diagnostic.Location.SourceSpan.Start;
                for (int i = 0; i < spans.Length; i++)
                {
                    if (spans[i].Length > 0 && spans[i].Contains(position))
                    {
                        return i;
                    }
                }
                return null;
            }
            Match name = ClassName.Match(diagnostic.GetMessage(CultureInfo.InvariantCulture));
            return name.Success && int.TryParse(name.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < spans.Length ? index : null;
        }

        /// <summary>The class a diagnostic of the strict compilation belongs to: by generated file, else by span in the user's file.</summary>
        private static int? CompiledOwner(Diagnostic diagnostic, TextSpan[] spans)
        {
            string? path = diagnostic.Location.SourceTree?.FilePath;
            if (path is not null && path.StartsWith("/generated/", StringComparison.Ordinal))
            {
                Match name = ClassName.Match(path);
                return name.Success ? int.Parse(name.Groups[1].Value, CultureInfo.InvariantCulture) : null;
            }
            if (path == "/src/User.cs" && diagnostic.Location.IsInSource)
            {
                int position = diagnostic.Location.SourceSpan.Start;
                for (int i = 0; i < spans.Length; i++)
                {
                    if (spans[i].Length > 0 && spans[i].Contains(position))
                    {
                        return i;
                    }
                }
            }
            return null;
        }

        /// <summary>
        /// Greedily shrinks <paramref name="failure"/>: drops attributes and arguments and turns numbers to 1
        /// while the declaration alone still fails the same way; returns the smallest such failure.
        /// </summary>
        public static FuzzFailure Shrink(FuzzFailure failure, int budget = 400)
        {
            FuzzFailure current = failure;
            bool progress = true;
            while (progress && budget > 0)
            {
                progress = false;
                foreach (FuzzDeclaration candidate in current.Declaration.Shrinks())
                {
                    if (--budget < 0)
                    {
                        break;
                    }
                    FuzzFailure? same = Check(new[] { candidate }).Failures.FirstOrDefault(f => f.Kind == failure.Kind);
                    if (same is not null)
                    {
                        current = same;
                        progress = true;
                        break;
                    }
                }
            }
            return current;
        }
    }
}

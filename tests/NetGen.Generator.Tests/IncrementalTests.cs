using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Model;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests
{
    /// <summary>
    /// The pipeline caches: rerunning on an equal compilation or after an unrelated edit reuses every
    /// tracked step; a real edit changes the spec and the text; moving code re-reports diagnostics
    /// without re-emitting. After dotnet/runtime's JsonSourceGeneratorIncrementalTests and
    /// NetEscapades.EnumGenerators' TestHelpers.
    /// </summary>
    public class IncrementalTests
    {
        private static readonly string[] TrackedSteps =
        {
            NetGenGenerator.Steps.Networks,
            NetGenGenerator.Steps.Specs,
            NetGenGenerator.Steps.Diagnostics,
            NetGenGenerator.Steps.Named,
        };

        private const string MnistMlp = """
            using NetGen;

            namespace Demo;

            [Network(Loss.CrossEntropy)]
            [Input(784)]
            [Dense(500, Activation.Sigmoid)]
            [Dense(10, Activation.Softmax)]
            public partial class MnistMlp;
            """;

        private const string Unrelated = """
            namespace Demo;

            public static class Helpers
            {
                public static int Twice(int x) => 2 * x;
            }
            """;

        private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun(params string[] sources)
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            GeneratorRunResult first = driver.GetRunResult().Results.Single();
            Assert.Null(first.Exception);
            Assert.NotEmpty(first.GeneratedSources);
            foreach (string step in TrackedSteps)
            {
                Assert.True(first.TrackedSteps.ContainsKey(step), $"The first run did not track step '{step}'.");
            }
            return (driver, compilation);
        }

        private static GeneratorRunResult Rerun(ref GeneratorDriver driver, Compilation compilation)
        {
            driver = driver.RunGenerators(compilation);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            Assert.Null(result.Exception);
            return result;
        }

        private static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
            result.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> runs)
                ? runs.SelectMany(r => r.Outputs).Select(o => o.Reason).ToList()
                : Array.Empty<IncrementalStepRunReason>();

        private static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
        {
            foreach (string step in TrackedSteps)
            {
                IReadOnlyList<IncrementalStepRunReason> reasons = Reasons(result, step);
                Assert.True(reasons.Count > 0, $"Step '{step}' produced no outputs on the rerun.");
                Assert.True(reasons.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged),
                    $"Step '{step}' was recomputed: {string.Join(", ", reasons)}.");
            }
            IReadOnlyList<IncrementalStepRunReason> emitted = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
            Assert.True(emitted.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged),
                $"The source output was redone: {string.Join(", ", emitted)}.");
        }

        [Fact]
        public void Rerun_on_a_cloned_compilation_is_fully_cached()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(MnistMlp, Unrelated);
            AssertAllCachedOrUnchanged(Rerun(ref driver, compilation.Clone()));
        }

        [Fact]
        public void Adding_an_unrelated_file_is_fully_cached()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(MnistMlp, Unrelated);
            CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
                "namespace Demo; public sealed class Extra { public int Value { get; set; } }", References.ParseOptions, "/src/Extra.cs"));
            AssertAllCachedOrUnchanged(Rerun(ref driver, edited));
        }

        [Fact]
        public void Editing_an_unrelated_file_is_fully_cached()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(MnistMlp, Unrelated);
            SyntaxTree old = compilation.SyntaxTrees.Single(t => t.ToString().Contains("Helpers", StringComparison.Ordinal));
            SyntaxTree edited = CSharpSyntaxTree.ParseText(Unrelated.Replace("2 * x", "3 * x", StringComparison.Ordinal), References.ParseOptions, old.FilePath);
            AssertAllCachedOrUnchanged(Rerun(ref driver, compilation.ReplaceSyntaxTree(old, edited)));
        }

        [Fact]
        public void Editing_a_layer_modifies_the_spec_and_the_generated_text()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(MnistMlp, Unrelated);
            string before = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();

            SyntaxTree old = compilation.SyntaxTrees.Single(t => t.ToString().Contains("MnistMlp", StringComparison.Ordinal));
            SyntaxTree edited = CSharpSyntaxTree.ParseText(MnistMlp.Replace("Dense(500", "Dense(400", StringComparison.Ordinal), References.ParseOptions, old.FilePath);
            GeneratorRunResult result = Rerun(ref driver, compilation.ReplaceSyntaxTree(old, edited));

            Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, NetGenGenerator.Steps.Specs));
            Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, NetGenGenerator.Steps.Networks));
            Assert.All(Reasons(result, NetGenGenerator.Steps.Diagnostics), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
            string after = result.GeneratedSources.Single().SourceText.ToString();
            Assert.NotEqual(before, after);
            Assert.Contains("DenseIn = 784, DenseOut = 500;", before, StringComparison.Ordinal);
            Assert.Contains("DenseIn = 784, DenseOut = 400;", after, StringComparison.Ordinal);
        }

        [Fact]
        public void Adding_a_second_network_emits_it_without_re_emitting_the_first()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(MnistMlp);
            SyntaxTree second = CSharpSyntaxTree.ParseText("""
                using NetGen;

                namespace Demo;

                [Network(Loss.MeanSquaredError)]
                [Input(3)]
                [Dense(1)]
                public partial class Second;
                """, References.ParseOptions, "/src/Second.cs");
            GeneratorRunResult result = Rerun(ref driver, compilation.AddSyntaxTrees(second));

            Assert.Equal(new[] { "Demo.MnistMlp.g.cs", "Demo.Second.g.cs" }, result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
            IReadOnlyList<IncrementalStepRunReason> named = Reasons(result, NetGenGenerator.Steps.Named);
            Assert.True(named.Count(r => r == IncrementalStepRunReason.New) == 1, "Named: " + string.Join(", ", named));
            Assert.All(named.Where(r => r != IncrementalStepRunReason.New), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
            // The outputs (the new file and the new network's diagnostics) are new; the first network's are cached, not re-emitted.
            IncrementalStepRunReason[] emitted = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).Select(o => o.Reason).ToArray();
            Assert.True(emitted.All(r => r is IncrementalStepRunReason.New or IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)
                && emitted.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged) == 2,
                "Outputs: " + string.Join(", ", emitted));
        }

        [Fact]
        public void Moving_the_declaration_keeps_the_spec_and_does_not_re_emit()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(MnistMlp);
            SyntaxTree old = compilation.SyntaxTrees.Single();
            SyntaxTree moved = CSharpSyntaxTree.ParseText(MnistMlp.Replace("namespace Demo;", "namespace Demo;\n\n// A comment that moves the class down two lines.\n", StringComparison.Ordinal), References.ParseOptions, old.FilePath);
            GeneratorRunResult result = Rerun(ref driver, compilation.ReplaceSyntaxTree(old, moved));

            Assert.All(Reasons(result, NetGenGenerator.Steps.Specs), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
            Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs),
                o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        }

        [Fact]
        public void Moving_a_warning_re_reports_it_at_the_new_place_without_re_emitting()
        {
            const string Source = """
                using NetGen;

                namespace Demo;

                [Network(Loss.MeanSquaredError)]
                [Input(4)]
                [Dense(8, Activation.Softmax)]
                [Dense(1)]
                public partial class Net;
                """;
            const int LinesAdded = 3;
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            Diagnostic first = Assert.Single(driver.GetRunResult().Diagnostics);
            Assert.Equal("NG0020", first.Id);

            SyntaxTree old = compilation.SyntaxTrees.Single();
            SyntaxTree moved = CSharpSyntaxTree.ParseText(Source.Replace("namespace Demo;", "namespace Demo;" + new string('\n', LinesAdded), StringComparison.Ordinal), References.ParseOptions, old.FilePath);
            GeneratorRunResult result = Rerun(ref driver, compilation.ReplaceSyntaxTree(old, moved));

            Diagnostic second = Assert.Single(result.Diagnostics);
            Assert.Equal("NG0020", second.Id);
            Assert.Equal(first.Location.GetLineSpan().StartLinePosition.Line + LinesAdded, second.Location.GetLineSpan().StartLinePosition.Line);
            Assert.Equal(moved, second.Location.SourceTree);
            Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, NetGenGenerator.Steps.Diagnostics));
            Assert.All(Reasons(result, NetGenGenerator.Steps.Specs), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        }

        [Fact]
        public void Equal_sources_give_equal_specs_and_different_sources_different_ones()
        {
            NetworkSpec a = SpecOf(MnistMlp);
            NetworkSpec b = SpecOf(MnistMlp);
            Assert.NotSame(a, b);
            Assert.Equal(a, b);
            Assert.Equal(a.GetHashCode(), b.GetHashCode());

            NetworkSpec c = SpecOf(MnistMlp.Replace("Activation.Sigmoid", "Activation.Tanh", StringComparison.Ordinal));
            Assert.NotEqual(a, c);
            NetworkSpec d = SpecOf(MnistMlp.Replace("[Dense(500, Activation.Sigmoid)]", "[Dense(500, Activation.Sigmoid, Name = \"hidden\")]", StringComparison.Ordinal));
            Assert.NotEqual(a, d);
        }

        /// <summary>The spec the tracked Specs step produced for a one-network source.</summary>
        private static NetworkSpec SpecOf(string source)
        {
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.CreateCompilation(source));
            IncrementalGeneratorRunStep step = Assert.Single(driver.GetRunResult().Results.Single().TrackedSteps[NetGenGenerator.Steps.Specs]);
            return Assert.IsType<NetworkSpec>(Assert.Single(step.Outputs).Value);
        }
    }
}

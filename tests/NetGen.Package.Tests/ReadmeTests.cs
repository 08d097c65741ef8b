using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator;
using NetGen.Package.Tests.Infrastructure;

namespace NetGen.Package.Tests
{
    /// <summary>
    /// Every <c>```csharp</c> block of README.md and of the packages' READMEs compiles as written, usings
    /// included, with NetGen's generator run on it and no warning: a block of declarations alone, a block of
    /// statements (a program) together with the same file's declaration blocks, whose networks it may use. The
    /// runtime, NetGen.Console and NetGen.Plotting are referenced, as in a project with all three packages.
    /// </summary>
    public partial class ReadmeTests
    {
        /// <summary>The READMEs, relative to the repository root: the repository's and each package's.</summary>
        private static readonly string[] Files = ["README.md", "src/Runtime/README.md", "src/Console/README.md", "src/Plotting/README.md"];

        private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(CreateReferences);

        private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

        /// <summary>Each block as its file and the line of its opening fence.</summary>
        public static TheoryData<string, int> Blocks
        {
            get
            {
                var blocks = new TheoryData<string, int>();
                foreach (string file in Files)
                {
                    foreach ((int line, _) in Snippets(file))
                    {
                        blocks.Add(file, line);
                    }
                }
                return blocks;
            }
        }

        [Fact]
        public void The_readmes_have_programs_and_declarations()
        {
            (int Line, string Code)[] snippets = Snippets("README.md");
            Assert.True(snippets.Length >= 5, $"Found {snippets.Length} csharp blocks in README.md.");
            Assert.Contains(snippets, s => IsProgram(Parse("README.md", s)));
            Assert.Contains(snippets, s => !IsProgram(Parse("README.md", s)));
            foreach (string file in Files)
            {
                Assert.True(Snippets(file).Length > 0, $"{file} has no csharp block.");
            }
        }

        [Theory]
        [MemberData(nameof(Blocks))]
        public void The_csharp_block_compiles_as_written(string file, int line)
        {
            (int Line, string Code) snippet = Snippets(file).Single(s => s.Line == line);
            SyntaxTree tree = Parse(file, snippet);
            bool program = IsProgram(tree);
            IEnumerable<SyntaxTree> trees = program
                ? new[] { tree }.Concat(Snippets(file).Select(s => Parse(file, s)).Where(t => !IsProgram(t)))
                : [tree];
            var compilation = CSharpCompilation.Create("ReadmeSnippet", trees, References.Value,
                new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable)
                    .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                    {
                        ["CS1701"] = ReportDiagnostic.Suppress, // assembly-version unification: the SDK's concern
                        ["CS1702"] = ReportDiagnostic.Suppress,
                    }));

            CSharpGeneratorDriver.Create([new NetGenGenerator().AsSourceGenerator()], parseOptions: ParseOptions)
                .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);

            Diagnostic[] problems = generatorDiagnostics.Concat(output.GetDiagnostics())
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToArray();
            Assert.True(problems.Length == 0,
                $"The block at {file} line {line} does not compile as written:\n" + string.Join('\n', problems.Select(d => d.ToString())));
            if (snippet.Code.Contains("[Network(", StringComparison.Ordinal))
            {
                Assert.True(output.SyntaxTrees.Count() > compilation.SyntaxTrees.Count(), "The generator wrote nothing for the block's networks.");
            }
        }

        private static (int Line, string Code)[] Snippets(string file)
        {
            string text = File.ReadAllText(Repository.PathOf(file.Split('/'))).Replace("\r\n", "\n", StringComparison.Ordinal);
            return CSharpBlock().Matches(text)
                .Select(m => (Line: text.AsSpan(0, m.Index).Count('\n') + 1, Code: m.Groups["code"].Value))
                .ToArray();
        }

        private static SyntaxTree Parse(string file, (int Line, string Code) snippet) =>
            CSharpSyntaxTree.ParseText(snippet.Code, ParseOptions, path: $"{file}:{snippet.Line}");

        private static bool IsProgram(SyntaxTree tree) =>
            tree.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>().Any();

        private static ImmutableArray<MetadataReference> CreateReferences()
        {
            var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
                ?? throw new InvalidOperationException("The host gave no TRUSTED_PLATFORM_ASSEMBLIES.");
            foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                paths.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }
            foreach (Type type in new[] { typeof(INetwork), typeof(NetworkAttribute), typeof(SpectreProgress), typeof(TrainingCurves) })
            {
                paths[Path.GetFileNameWithoutExtension(type.Assembly.Location)] = type.Assembly.Location;
            }
            // What a user's project compiles against: not the generator, not Roslyn, not the test framework.
            return paths.Values
                .Where(p => !Path.GetFileName(p).StartsWith("NetGen.Generator", StringComparison.OrdinalIgnoreCase)
                    && !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase)
                    && !Path.GetFileName(p).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToImmutableArray();
        }

        [GeneratedRegex(@"^```csharp\n(?<code>.*?)\n```$", RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.Multiline)]
        private static partial Regex CSharpBlock();
    }
}

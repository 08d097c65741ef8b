using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests
{
    /// <summary>
    /// docs/diagnostics.md against the catalog: one section per descriptor (anchor = lower-case ID, heading =
    /// ID and title, the severity), no section for an ID the catalog lacks, help links that point at the
    /// sections, and examples that do what they claim: each one reports its diagnostic, each fix compiles
    /// without any diagnostic.
    /// </summary>
    public class DiagnosticDocsTests
    {
        private const string Usings = "using NetGen;\n\nnamespace Demo;\n\n";

        private static readonly Regex Anchor = new(@"^<a id=""(?<id>[^""]*)""></a>$", RegexOptions.CultureInvariant);

        private static readonly Regex IdHeading = new(@"^#+\s*(?<id>NG[0-9]+)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static readonly Regex SectionLink = new(@"\]\(#(?<anchor>[^)]*)\)", RegexOptions.CultureInvariant);

        private static readonly Regex CSharpBlock = new(@"^```csharp\n(?<code>.*?)\n```$", RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.Multiline);

        private static readonly Lazy<string[]> Lines = new(() => File.ReadAllText(DocumentPath()).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));

        private static ImmutableArray<DiagnosticDescriptor> Catalog =>
            typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
                .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
                .ToImmutableArray();

        public static TheoryData<string> CatalogIds => new(Catalog.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));

        private static DiagnosticDescriptor Descriptor(string id) => Catalog.Single(d => d.Id == id);

        // ---- Sections ------------------------------------------------------------------------------

        [Theory]
        [MemberData(nameof(CatalogIds))]
        public void Section_has_the_anchor_the_title_and_the_severity(string id)
        {
            DiagnosticDescriptor descriptor = Descriptor(id);
            string anchor = $"<a id=\"{id.ToLowerInvariant()}\"></a>";
            int[] at = Enumerable.Range(0, Lines.Value.Length).Where(i => Lines.Value[i] == anchor).ToArray();
            Assert.True(at.Length == 1, $"docs/diagnostics.md needs exactly one line '{anchor}', has {at.Length}.");
            Assert.True(at[0] + 1 < Lines.Value.Length, $"Nothing follows '{anchor}'.");
            Assert.Equal($"## {id}: {descriptor.Title}", Lines.Value[at[0] + 1]);

            string expected = descriptor.DefaultSeverity == DiagnosticSeverity.Warning ? "**Severity:** Warning" : "**Severity:** Error";
            Assert.Contains(expected, Section(id));
        }

        [Theory]
        [MemberData(nameof(CatalogIds))]
        public void Help_link_points_at_the_section(string id) =>
            Assert.Equal("docs/diagnostics.md#" + id.ToLowerInvariant(), Descriptor(id).HelpLinkUri);

        [Fact]
        public void No_section_for_an_id_outside_the_catalog()
        {
            var known = Catalog.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            string[] anchors = Lines.Value.Select(l => Anchor.Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToArray();
            string[] headings = Lines.Value.Select(l => IdHeading.Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToArray();

            string[] unknown = anchors.Where(a => !known.Contains(a.ToUpperInvariant()) || a != a.ToLowerInvariant())
                .Concat(headings.Where(h => !known.Contains(h)))
                .ToArray();
            Assert.True(unknown.Length == 0, "Sections for IDs the catalog lacks (or anchors not in lower case): " + string.Join(", ", unknown));
            Assert.Equal(anchors.Length, anchors.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(headings.Length, headings.Distinct(StringComparer.Ordinal).Count());
            // Every heading that names an ID is a section: it directly follows its anchor.
            for (int i = 0; i < Lines.Value.Length; i++)
            {
                Match heading = IdHeading.Match(Lines.Value[i]);
                if (heading.Success)
                {
                    Assert.True(i > 0 && Lines.Value[i - 1] == $"<a id=\"{heading.Groups["id"].Value.ToLowerInvariant()}\"></a>",
                        $"Line {i + 1} '{Lines.Value[i]}' does not follow its anchor.");
                }
            }
        }

        [Fact]
        public void Every_link_within_the_page_reaches_a_section()
        {
            var anchors = Lines.Value.Select(l => Anchor.Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToHashSet(StringComparer.Ordinal);
            string[] broken = Lines.Value.SelectMany(l => SectionLink.Matches(l).Select(m => m.Groups["anchor"].Value))
                .Where(a => !anchors.Contains(a))
                .ToArray();
            Assert.True(broken.Length == 0, "Links to no section: " + string.Join(", ", broken));
        }

        // ---- Examples ------------------------------------------------------------------------------

        /// <summary>
        /// A section's first C# block is the mistake, its second the fix; the internal error has none.
        /// The mistake must report the section's diagnostic with its severity (others may come along, as
        /// NG0012 with NG0013); the fix must generate with no diagnostic at all, from NetGen or the compiler.
        /// </summary>
        [Theory]
        [MemberData(nameof(CatalogIds))]
        public void Example_reports_the_diagnostic_and_the_fix_compiles_cleanly(string id)
        {
            string[] blocks = CSharpBlock.Matches(Section(id)).Select(m => m.Groups["code"].Value).ToArray();
            if (id == "NG0099")
            {
                Assert.Empty(blocks);
                return;
            }
            Assert.True(blocks.Length == 2, $"The section of {id} needs two C# blocks (the mistake, the fix), has {blocks.Length}.");

            GeneratorRun mistake = GeneratorHarness.Run(Usings + blocks[0]);
            GeneratorHarness.AssertGeneratorDidNotFail(mistake);
            Diagnostic[] inputErrors = mistake.InputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Assert.True(inputErrors.Length == 0, $"The example of {id} does not compile by itself:{Environment.NewLine}{GeneratorRun.Describe(inputErrors)}");
            Assert.True(mistake.GeneratorDiagnostics.Any(d => d.Id == id && d.Severity == Descriptor(id).DefaultSeverity),
                $"The example of {id} does not report it; it reports:{Environment.NewLine}{GeneratorRun.Describe(mistake.GeneratorDiagnostics)}");

            GeneratorRun fix = GeneratorHarness.Run(Usings + blocks[1]);
            GeneratorHarness.AssertGeneratorDidNotFail(fix);
            Assert.True(fix.AllDiagnostics.IsEmpty, $"The fix of {id} is not clean:{Environment.NewLine}{GeneratorRun.Describe(fix.AllDiagnostics)}");
            Assert.Single(fix.GeneratedFiles);
        }

        /// <summary>The suppression example at the top of the page compiles, with its NG0020 suppressed.</summary>
        [Fact]
        public void Pragma_example_in_the_introduction_suppresses_NG0020()
        {
            string introduction = string.Join("\n", Lines.Value.TakeWhile(l => !Anchor.IsMatch(l)));
            string pragma = CSharpBlock.Matches(introduction).Select(m => m.Groups["code"].Value).Single(code => code.Contains("#pragma", StringComparison.Ordinal));

            GeneratorRun run = GeneratorHarness.Run(Usings + pragma);
            GeneratorHarness.AssertGeneratorDidNotFail(run);
            Diagnostic warning = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("NG0020", warning.Id);
            Assert.True(warning.IsSuppressed);
            Assert.Single(run.GeneratedFiles);
        }

        // ---- The document --------------------------------------------------------------------------

        /// <summary>The lines from the section's anchor up to the next anchor (or the end).</summary>
        private static string Section(string id)
        {
            string anchor = $"<a id=\"{id.ToLowerInvariant()}\"></a>";
            IEnumerable<string> lines = Lines.Value.SkipWhile(l => l != anchor);
            return string.Join("\n", lines.Take(1).Concat(lines.Skip(1).TakeWhile(l => !Anchor.IsMatch(l))));
        }

        /// <summary>docs/diagnostics.md beside the folder holding NetGen.sln, found by walking up from the test binaries.</summary>
        private static string DocumentPath()
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
                {
                    return Path.Combine(dir.FullName, "docs", "diagnostics.md");
                }
            }
            throw new DirectoryNotFoundException($"No NetGen.sln above {AppContext.BaseDirectory}.");
        }
    }
}

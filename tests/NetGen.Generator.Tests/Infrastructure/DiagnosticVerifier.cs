using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Tests.Infrastructure
{
    /// <summary>A diagnostic a test expects at the next <c>{|ID:…|}</c> marker, and facts its message must state.</summary>
    internal sealed record Expect(string Id, DiagnosticSeverity Severity, params string[] MessageContains)
    {
        public static Expect Error(string id, params string[] messageContains) => new(id, DiagnosticSeverity.Error, messageContains);

        public static Expect Warning(string id, params string[] messageContains) => new(id, DiagnosticSeverity.Warning, messageContains);
    }

    /// <summary>A marked source: the text without markers and, in order, each marker's ID and span.</summary>
    internal sealed record MarkedSource(string Path, string Source, IReadOnlyList<(string Id, TextSpan Span)> Markers)
    {
        private static readonly Regex Open = new(@"\{\|(?<id>[A-Z]+[0-9]+):", RegexOptions.CultureInvariant);

        /// <summary>Strips <c>{|NG0016:…|}</c> markers (not nested) and records where each one was.</summary>
        public static MarkedSource Parse(string path, string markup)
        {
            var text = new StringBuilder();
            var markers = new List<(string, TextSpan)>();
            int position = 0;
            while (true)
            {
                Match open = Open.Match(markup, position);
                if (!open.Success)
                {
                    text.Append(markup, position, markup.Length - position);
                    break;
                }
                int close = markup.IndexOf("|}", open.Index + open.Length, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new ArgumentException($"Unclosed marker {open.Value} in {path}.");
                }
                text.Append(markup, position, open.Index - position);
                int start = text.Length;
                string inner = markup.Substring(open.Index + open.Length, close - open.Index - open.Length);
                if (inner.Contains("{|", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Nested markers are not supported ({path}).");
                }
                text.Append(inner);
                markers.Add((open.Groups["id"].Value, TextSpan.FromBounds(start, text.Length)));
                position = close + 2;
            }
            return new MarkedSource(path, text.ToString(), markers);
        }
    }

    /// <summary>
    /// Runs the generator over marked sources and asserts the complete set of diagnostics — the
    /// generator's and the compiler's on the output, warnings and errors — is exactly the marked one:
    /// same IDs, same files and spans, the expected severity and the expected facts in each message.
    /// </summary>
    internal static class DiagnosticVerifier
    {
        public static GeneratorRun Verify(string markup, params Expect[] expected) => Verify(new[] { markup }, expected);

        public static GeneratorRun Verify(string[] markups, params Expect[] expected)
        {
            MarkedSource[] sources = markups.Select((m, i) => MarkedSource.Parse($"/src/Test{i}.cs", m)).ToArray();
            var markers = sources.SelectMany(s => s.Markers.Select(m => (s.Path, m.Id, m.Span))).ToList();
            if (markers.Count != expected.Length)
            {
                throw new ArgumentException($"The sources have {markers.Count} markers but the test lists {expected.Length} expectations.");
            }
            for (int i = 0; i < markers.Count; i++)
            {
                if (markers[i].Id != expected[i].Id)
                {
                    throw new ArgumentException($"Marker {i} is {markers[i].Id} but expectation {i} is {expected[i].Id}.");
                }
            }

            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources.Select(s => (s.Path, s.Source)).ToArray()));
            GeneratorHarness.AssertGeneratorDidNotFail(run);

            var unmatched = run.AllDiagnostics.ToList();
            var problems = new List<string>();
            for (int i = 0; i < markers.Count; i++)
            {
                var (path, id, span) = markers[i];
                Diagnostic? actual = unmatched.FirstOrDefault(d => d.Id == id && d.Location.SourceTree?.FilePath == path && d.Location.SourceSpan == span);
                if (actual is null)
                {
                    Diagnostic[] sameId = unmatched.Where(d => d.Id == id).ToArray();
                    string source = sources.Single(s => s.Path == path).Source;
                    problems.Add($"Expected {id} at {path}{span} \"{source.Substring(span.Start, span.Length)}\", " +
                        (sameId.Length == 0 ? "but it was not reported." : "but it was reported at:" + Environment.NewLine + GeneratorRun.Describe(sameId)));
                    continue;
                }
                unmatched.Remove(actual);
                if (actual.Severity != expected[i].Severity)
                {
                    problems.Add($"{id} has severity {actual.Severity}, expected {expected[i].Severity}.");
                }
                string message = actual.GetMessage(CultureInfo.InvariantCulture);
                foreach (string fact in expected[i].MessageContains)
                {
                    if (!message.Contains(fact, StringComparison.Ordinal))
                    {
                        problems.Add($"{id}'s message does not contain \"{fact}\": {message}");
                    }
                }
            }
            if (expected.Any(e => e.Severity == DiagnosticSeverity.Error) && run.GeneratedFiles.Length > 0)
            {
                problems.Add("A network NetGen rejects must generate nothing, but got: " + string.Join(", ", run.GeneratedFiles.Select(f => f.HintName)));
            }
            if (unmatched.Count > 0)
            {
                problems.Add("Unexpected diagnostics:" + Environment.NewLine + GeneratorRun.Describe(unmatched));
            }
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
            return run;
        }
    }
}

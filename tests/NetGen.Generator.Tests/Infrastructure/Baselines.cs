using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;

namespace NetGen.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Golden files for generated code, without Verify: <c>Baselines/{Test}/{HintName}.txt</c> in the
    /// source tree, compared line by line. With <c>NETGEN_UPDATE_BASELINES=1</c> the baselines are
    /// rewritten from the actual output and stale files in the test's folder are deleted.
    /// </summary>
    internal static class Baselines
    {
        public const string UpdateVariable = "NETGEN_UPDATE_BASELINES";
        public const string Extension = ".txt";

        public static bool UpdateRequested => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

        /// <summary>The Baselines folder of this test project in the source tree.</summary>
        public static string Root => Path.Combine(ProjectDirectory(), "Baselines");

        /// <summary>Compares (or, when asked to, rewrites) the baselines of <paramref name="testName"/>.</summary>
        public static void Verify(string testName, IReadOnlyCollection<GeneratedFile> actual) =>
            Verify(Path.Combine(Root, testName), actual, UpdateRequested);

        /// <summary>The comparison itself, against any folder: the helper's own tests use a temporary one.</summary>
        public static void Verify(string folder, IReadOnlyCollection<GeneratedFile> actual, bool update)
        {
            var duplicates = actual.GroupBy(f => f.HintName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                throw new BaselineMismatchException($"Generated hint names collide (ignoring case): {string.Join(", ", duplicates)}.");
            }
            if (update)
            {
                Write(folder, actual);
                return;
            }

            var expectedNames = Directory.Exists(folder)
                ? Directory.GetFiles(folder, "*" + Extension).Select(p => Path.GetFileName(p)).ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);
            var actualNames = actual.Select(f => f.HintName + Extension).ToHashSet(StringComparer.Ordinal);
            string[] missing = actualNames.Except(expectedNames).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            string[] stale = expectedNames.Except(actualNames).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            if (missing.Length > 0 || stale.Length > 0)
            {
                var message = new StringBuilder($"The generated files do not match the baselines in {folder}.");
                if (missing.Length > 0)
                {
                    message.Append(Environment.NewLine).Append("  Generated, but no baseline: ").Append(string.Join(", ", missing));
                }
                if (stale.Length > 0)
                {
                    message.Append(Environment.NewLine).Append("  Baseline, but not generated: ").Append(string.Join(", ", stale));
                }
                message.Append(Environment.NewLine).Append($"  Rerun with {UpdateVariable}=1 to rewrite the baselines, then review the diff.");
                throw new BaselineMismatchException(message.ToString());
            }

            foreach (GeneratedFile file in actual.OrderBy(f => f.HintName, StringComparer.Ordinal))
            {
                string path = Path.Combine(folder, file.HintName + Extension);
                Compare(path, File.ReadAllText(path), file.Text);
            }
        }

        /// <summary>Fails with the first differing line (1-based) of <paramref name="expected"/> and <paramref name="actual"/>.</summary>
        public static void Compare(string path, string expected, string actual)
        {
            string[] expectedLines = Lines(expected);
            string[] actualLines = Lines(actual);
            int common = Math.Min(expectedLines.Length, actualLines.Length);
            for (int i = 0; i < common; i++)
            {
                if (!string.Equals(expectedLines[i], actualLines[i], StringComparison.Ordinal))
                {
                    throw new BaselineMismatchException(Mismatch(path, i + 1, expectedLines[i], actualLines[i]));
                }
            }
            if (expectedLines.Length != actualLines.Length)
            {
                throw new BaselineMismatchException(Mismatch(path, common + 1,
                    common < expectedLines.Length ? expectedLines[common] : "<end of file>",
                    common < actualLines.Length ? actualLines[common] : "<end of file>")
                    + $"{Environment.NewLine}  (baseline has {expectedLines.Length} lines, the generator wrote {actualLines.Length})");
            }
        }

        /// <summary>"\r\n" and "\r" become "\n"; a BOM is dropped.</summary>
        public static string Normalize(string text) =>
            text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

        private static string[] Lines(string text) => Normalize(text).Split('\n');

        private static string Mismatch(string path, int line, string expected, string actual) =>
            $"Generated text differs from baseline {path} at line {line}:{Environment.NewLine}" +
            $"  expected: {expected}{Environment.NewLine}" +
            $"  actual:   {actual}{Environment.NewLine}" +
            $"  Rerun with {UpdateVariable}=1 to rewrite the baselines if the change is intended, then review the diff.";

        private static void Write(string folder, IReadOnlyCollection<GeneratedFile> actual)
        {
            Directory.CreateDirectory(folder);
            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (GeneratedFile file in actual)
            {
                string name = file.HintName + Extension;
                keep.Add(name);
                File.WriteAllText(Path.Combine(folder, name), Normalize(file.Text), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
            foreach (string path in Directory.GetFiles(folder, "*" + Extension))
            {
                if (!keep.Contains(Path.GetFileName(path)))
                {
                    File.Delete(path);
                }
            }
        }

        /// <summary>
        /// tests/NetGen.Generator.Tests in the source tree: found by walking up from the test binaries to
        /// the folder holding NetGen.sln, else from the path this file was compiled from.
        /// </summary>
        private static string ProjectDirectory([CallerFilePath] string thisFile = "")
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
                {
                    string project = Path.Combine(dir.FullName, "tests", "NetGen.Generator.Tests");
                    if (Directory.Exists(project))
                    {
                        return project;
                    }
                }
            }
            string? fromSource = Path.GetDirectoryName(Path.GetDirectoryName(thisFile));
            if (fromSource is not null && File.Exists(Path.Combine(fromSource, "NetGen.Generator.Tests.csproj")))
            {
                return fromSource;
            }
            throw new DirectoryNotFoundException(
                $"Cannot find tests/NetGen.Generator.Tests: no NetGen.sln above {AppContext.BaseDirectory}, and {thisFile} is not in the project.");
        }
    }

    /// <summary>A golden-file mismatch; its message names the file, the line and both texts.</summary>
    internal sealed class BaselineMismatchException(string message) : Xunit.Sdk.XunitException(message);
}

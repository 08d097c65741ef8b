using System;
using System.IO;
using System.Linq;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests
{
    /// <summary>The golden-file helper itself, against a temporary folder.</summary>
    public sealed class BaselineHelperTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-baselines-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_folder))
            {
                Directory.Delete(_folder, recursive: true);
            }
        }

        private static GeneratedFile[] Files(params (string Hint, string Text)[] files) =>
            files.Select(f => new GeneratedFile(f.Hint, f.Text)).ToArray();

        [Fact]
        public void Update_writes_LF_files_without_BOM_and_deletes_stale_ones()
        {
            Directory.CreateDirectory(_folder);
            File.WriteAllText(Path.Combine(_folder, "Old.g.cs.txt"), "stale");
            File.WriteAllText(Path.Combine(_folder, "notes.md"), "kept: not a baseline");

            Baselines.Verify(_folder, Files(("Demo.Net.g.cs", "a\r\nb\n")), update: true);

            Assert.Equal(new[] { "Demo.Net.g.cs.txt", "notes.md" }, Directory.GetFiles(_folder).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
            byte[] bytes = File.ReadAllBytes(Path.Combine(_folder, "Demo.Net.g.cs.txt"));
            Assert.Equal("a\nb\n"u8.ToArray(), bytes);
            // And what was written verifies.
            Baselines.Verify(_folder, Files(("Demo.Net.g.cs", "a\nb\n")), update: false);
        }

        [Fact]
        public void Mismatch_names_the_file_the_first_differing_line_and_both_texts()
        {
            Baselines.Verify(_folder, Files(("Demo.Net.g.cs", "one\ntwo\nthree\n")), update: true);

            var failure = Assert.Throws<BaselineMismatchException>(() =>
                Baselines.Verify(_folder, Files(("Demo.Net.g.cs", "one\nTWO\nthree\n")), update: false));

            Assert.Contains(Path.Combine(_folder, "Demo.Net.g.cs.txt"), failure.Message, StringComparison.Ordinal);
            Assert.Contains("at line 2", failure.Message, StringComparison.Ordinal);
            Assert.Contains("expected: two", failure.Message, StringComparison.Ordinal);
            Assert.Contains("actual:   TWO", failure.Message, StringComparison.Ordinal);
            Assert.Contains(Baselines.UpdateVariable + "=1", failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Extra_or_missing_lines_are_reported_at_the_end_of_the_shorter_text()
        {
            Baselines.Verify(_folder, Files(("A.g.cs", "one\ntwo\n")), update: true);

            var longer = Assert.Throws<BaselineMismatchException>(() => Baselines.Verify(_folder, Files(("A.g.cs", "one\ntwo\nthree\n")), update: false));
            Assert.Contains("at line 3", longer.Message, StringComparison.Ordinal);
            Assert.Contains("actual:   three", longer.Message, StringComparison.Ordinal);

            var shorter = Assert.Throws<BaselineMismatchException>(() => Baselines.Verify(_folder, Files(("A.g.cs", "one\n")), update: false));
            Assert.Contains("at line 2", shorter.Message, StringComparison.Ordinal);
            Assert.Contains("expected: two", shorter.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Line_endings_and_a_BOM_do_not_matter()
        {
            Directory.CreateDirectory(_folder);
            File.WriteAllText(Path.Combine(_folder, "A.g.cs.txt"), "\uFEFFone\r\ntwo\r\n");
            Baselines.Verify(_folder, Files(("A.g.cs", "one\ntwo\n")), update: false);
        }

        [Fact]
        public void The_set_of_file_names_must_match_exactly()
        {
            Baselines.Verify(_folder, Files(("A.g.cs", "a"), ("B.g.cs", "b")), update: true);

            var missing = Assert.Throws<BaselineMismatchException>(() => Baselines.Verify(_folder, Files(("A.g.cs", "a"), ("B.g.cs", "b"), ("C.g.cs", "c")), update: false));
            Assert.Contains("Generated, but no baseline: C.g.cs.txt", missing.Message, StringComparison.Ordinal);

            var stale = Assert.Throws<BaselineMismatchException>(() => Baselines.Verify(_folder, Files(("A.g.cs", "a")), update: false));
            Assert.Contains("Baseline, but not generated: B.g.cs.txt", stale.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_test_without_baselines_fails()
        {
            var failure = Assert.Throws<BaselineMismatchException>(() => Baselines.Verify(Path.Combine(_folder, "Nothing"), Files(("A.g.cs", "a")), update: false));
            Assert.Contains("no baseline", failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void The_baselines_folder_is_found_in_the_source_tree()
        {
            Assert.True(Directory.Exists(Baselines.Root), Baselines.Root);
            Assert.True(File.Exists(Path.Combine(Baselines.Root, "..", "NetGen.Generator.Tests.csproj")), Baselines.Root);
            Assert.True(File.Exists(Path.Combine(Baselines.Root, "MnistMlp", "Demo.MnistMlp.g.cs.txt")));
        }
    }
}

using System.IO;
using System.Linq;
using NetGen.Generator.Emit;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests
{
    /// <summary>How the generator's writer wraps long lines, and that the golden files keep within its width.</summary>
    public class SourceWriterTests
    {
        [Fact]
        public void Arguments_break_between_the_outermost_arguments()
        {
            string[] parts = SourceWriter.Wrap("Call(first, Inner(a, b), third, fourth);", 24).ToArray();
            Assert.Equal(["Call(first, Inner(a, b),", "    third, fourth);"], parts);
        }

        [Fact]
        public void A_long_conditional_initializer_breaks_before_its_question_mark()
        {
            string line = "global::System.Span<float> someMask = training ? _someMask.Slice(B * Heads * Steps * Steps) : default;";
            string[] parts = SourceWriter.Wrap(line, 70).ToArray();
            Assert.Equal(["global::System.Span<float> someMask = training", "    ? _someMask.Slice(B * Heads * Steps * Steps) : default;"], parts);
        }

        [Fact]
        public void A_long_initializer_without_commas_breaks_after_its_equals_sign()
        {
            string line = "global::System.Span<float> someWeights = _someWeights.Slice(B * Heads * Steps * Steps);";
            string[] parts = SourceWriter.Wrap(line, 60).ToArray();
            Assert.Equal(["global::System.Span<float> someWeights =", "    _someWeights.Slice(B * Heads * Steps * Steps);"], parts);
        }

        [Fact]
        public void Comparisons_and_lambdas_are_not_break_points()
        {
            string line = "bool same = left == right && low <= high && f(x => x) != null;";
            Assert.Equal(["bool same =", "    left == right && low <= high && f(x => x) != null;"], SourceWriter.Wrap(line, 40).ToArray());
        }

        [Fact]
        public void Code_holding_a_string_literal_stays_whole()
        {
            string line = "new(\"layer.weight, with a comma\", global::System.Collections.Immutable.ImmutableArray.Create(24, 8), Offset),";
            Assert.Equal([line], SourceWriter.Wrap(line, 40).ToArray());
        }

        /// <summary>Every golden file: a line over the writer's width (in characters, indentation included) holds a string literal.</summary>
        [Fact]
        public void Golden_files_keep_within_the_width_except_around_string_literals()
        {
            var offenders = Directory.GetFiles(Baselines.Root, "*", SearchOption.AllDirectories)
                .SelectMany(path => File.ReadAllLines(path).Select(line => (Path.GetFileName(path), line)))
                .Where(entry => entry.line.Length > SourceWriter.MaxWidth && !entry.line.Contains('"'))
                .Select(entry => $"{entry.Item1}: {entry.line.Trim()}")
                .ToArray();
            Assert.True(offenders.Length == 0, string.Join("\n", offenders));
        }
    }
}

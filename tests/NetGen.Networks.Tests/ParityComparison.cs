using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests
{
    /// <summary>
    /// The layout check and the element-by-element comparison of the PyTorch parity tests (dense, CNN and sequence fixtures): every
    /// comparison logs its largest difference and where it falls; one outside
    /// |a − b| ≤ 1e-5·max(1, |b|) is recorded as a failure describing the worst element.
    /// </summary>
    internal static class ParityComparison
    {
        private const double Tolerance = 1e-5;

        /// <summary>The network lays out its tensors (names, shapes, offsets) exactly as the fixture does.</summary>
        public static void AssertSameLayout(IEnumerable<FixtureTensor> expected, IEnumerable<ParameterTensor> actual) =>
            Assert.Equal(expected.Select(t => Describe(t.Name, t.Shape, t.Offset)), actual.Select(t => Describe(t.Name, t.Shape, t.Offset)));

        private static string Describe(string name, IEnumerable<int> shape, int offset) => $"{name} [{string.Join(", ", shape)}] @ {offset}";

        /// <summary>
        /// Compares element by element, logs the largest difference (index, tensor, both values) and,
        /// if any element is out of tolerance, records a failure describing the worst one.
        /// </summary>
        public static void Compare(ITestOutputHelper output, string what, float[] actual, float[] expected, Func<int, string> where, List<string> failures)
        {
            if (actual.Length != expected.Length)
            {
                failures.Add($"{what}: NetGen has {actual.Length} values, PyTorch {expected.Length}.");
                return;
            }
            int largest = -1, worst = -1, bad = 0;
            double largestDiff = 0, worstRatio = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                double diff = Math.Abs((double)actual[i] - expected[i]);
                double ratio = diff / (Tolerance * Math.Max(1.0, Math.Abs((double)expected[i])));
                if (double.IsNaN(diff))
                {
                    diff = ratio = double.PositiveInfinity;
                }
                if (largest < 0 || diff > largestDiff)
                {
                    largest = i;
                    largestDiff = diff;
                }
                if (ratio > 1)
                {
                    bad++;
                    if (worst < 0 || ratio > worstRatio)
                    {
                        worst = i;
                        worstRatio = ratio;
                    }
                }
            }
            if (largest < 0)
            {
                output.WriteLine($"OK  {what}: empty");
                return;
            }
            string Describe(int i) =>
                $"at [{i}] {where(i)}: NetGen {R(actual[i])}, PyTorch {R(expected[i])}, |Δ| = {R(Math.Abs((double)actual[i] - expected[i]))}";
            if (bad == 0)
            {
                output.WriteLine($"OK  {what}: max |Δ| {Describe(largest)}");
                return;
            }
            string message = $"NOT OK {what}: {bad} of {actual.Length} values outside 1e-5·max(1, |torch|); worst {Describe(worst)}; largest |Δ| {Describe(largest)}";
            output.WriteLine(message);
            failures.Add(message);
        }

        private static string R(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
    }
}

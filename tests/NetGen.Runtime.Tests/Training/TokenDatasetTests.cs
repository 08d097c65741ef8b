using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    public class TokenDatasetTests
    {
        // Sample n: tokens n, n, n, n; labels 10n + t at each of the 4 steps.
        private static Dataset<int, int> Numbered(int count)
        {
            int[] tokens = new int[count * 4], labels = new int[count * 4];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = i / 4;
                labels[i] = 10 * (i / 4) + i % 4;
            }
            return Dataset.FromTokens(tokens, labels, sequenceLength: 4, targetSize: 4);
        }

        [Fact]
        public void From_tokens_checks_and_describes_the_shape()
        {
            Dataset<int, int> data = Numbered(5);
            Assert.Equal(5, data.Count);
            Assert.Equal(4, data.FeatureSize);
            Assert.Equal(4, data.TargetSize);
            Assert.Equal(typeof(int), data.InputType);
            Assert.Equal(typeof(float), Dataset.FromLabels(new float[3], new int[1], 3).InputType);
            Assert.Equal([3, 3, 3, 3], data.FeaturesOf(3).ToArray());
            Assert.Equal([30, 31, 32, 33], data.TargetsOf(3).ToArray());
            Assert.Contains("targets needs 2 × 1 = 2 values; it has 3",
                Assert.Throws<ArgumentException>(() => Dataset.FromTokens(new int[8], new int[3], 4)).Message);
            Assert.Contains("not a multiple", Assert.Throws<ArgumentException>(() => Dataset.FromTokens(new int[7], new int[1], 4)).Message);
        }

        [Fact]
        public void Transformations_keep_tokens_and_per_step_targets_together()
        {
            Dataset<int, int> data = Numbered(10).WithClassNames(["x"]);
            (Dataset<int, int> train, Dataset<int, int> validation) = data.Split(0.3f);
            Assert.Equal(7, train.Count);
            Assert.Equal([9, 9, 9, 9], validation.FeaturesOf(2).ToArray());
            Assert.Equal(["x"], validation.ClassNames);

            (Dataset<int, int> a, Dataset<int, int> b) = data.Split(0.3f, shuffleSeed: 2);
            foreach (Dataset<int, int> part in new[] { a, b, data.Slice(2, 5), data.Select([8, 1, 1]) })
            {
                for (int n = 0; n < part.Count; n++)
                {
                    int sample = part.FeaturesOf(n)[0];
                    Assert.Equal(Enumerable.Range(0, 4).Select(t => 10 * sample + t), part.TargetsOf(n).ToArray());
                }
            }
            Assert.Equal(10, a.Features.ToArray().Concat(b.Features.ToArray()).Distinct().Count());

            // A float dataset's transformations are still float datasets, statically.
            Dataset<int> floats = Dataset.FromLabels(new float[12], new int[4], 3);
            Dataset<int> slice = floats.Slice(1, 2), selected = floats.Select([0]), named = floats.WithClassNames(null), scaled = floats.Scale(2);
            (Dataset<int> left, Dataset<int> right) = floats.Split(0.5f);
            Assert.Equal([2, 1, 4, 4, 2, 2], new[] { slice.Count, selected.Count, named.Count, scaled.Count, left.Count, right.Count });
        }

        [Fact]
        public void A_token_loader_shuffles_samples_with_their_per_step_targets()
        {
            var loader = new DataLoader<int, int>(Numbered(11), batchSize: 4, shuffle: true, seed: 7);
            var seen = new List<int>();
            foreach (DataLoader<int, int>.Batch batch in loader.Epoch(3))
            {
                Assert.Equal(batch.Size * 4, batch.Inputs.Length);
                Assert.Equal(batch.Size * 4, batch.Targets.Length);
                for (int b = 0; b < batch.Size; b++)
                {
                    int sample = batch.Inputs[b * 4];
                    Assert.Equal([sample, sample, sample, sample], batch.Inputs.Slice(b * 4, 4).ToArray());
                    Assert.Equal(Enumerable.Range(0, 4).Select(t => 10 * sample + t), batch.Targets.Slice(b * 4, 4).ToArray());
                    seen.Add(sample);
                }
            }
            Assert.Equal(Enumerable.Range(0, 11), seen.Order());
            // The same order as a float loader with the same seed: one permutation function for both.
            Assert.Equal(DataLoader<int>.Permutation(11, 7, 3), seen);
        }
    }
}

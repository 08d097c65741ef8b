using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    public class DatasetTests
    {
        private static Dataset<int> Numbered(int count, int features = 3)
        {
            float[] x = new float[count * features];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = i / features; // every feature of sample i is i
            }
            return Dataset.FromLabels(x, Enumerable.Range(0, count).Select(i => i % 4).ToArray(), features);
        }

        [Fact]
        public void Counts_must_agree()
        {
            Assert.Contains("not a multiple", Assert.Throws<ArgumentException>(() => Dataset.FromLabels(new float[7], new int[2], 3)).Message);
            Assert.Contains("targets needs 2 × 1 = 2 values; it has 3", Assert.Throws<ArgumentException>(() => Dataset.FromLabels(new float[6], new int[3], 3)).Message);
            Assert.Equal(2, Dataset.FromValues(new float[6], new float[4], 3, targetSize: 2).Count);
        }

        [Fact]
        public void Split_holds_out_the_last_fraction_like_keras()
        {
            (Dataset<int> train, Dataset<int> validation) = Numbered(10).Split(0.2f);
            Assert.Equal(8, train.Count);
            Assert.Equal(2, validation.Count);
            Assert.Equal(8f, validation.FeaturesOf(0)[0]);
            Assert.Equal(9 % 4, validation.TargetsOf(1)[0]);

            (Dataset<int> a, Dataset<int> b) = Numbered(10).Split(0.3f, shuffleSeed: 5);
            var seen = new HashSet<float>();
            foreach (Dataset<int> part in new[] { a, b })
            {
                for (int i = 0; i < part.Count; i++)
                {
                    Assert.True(seen.Add(part.FeaturesOf(i)[0]));
                    Assert.Equal((int)part.FeaturesOf(i)[0] % 4, part.TargetsOf(i)[0]);
                }
            }
            Assert.Equal(10, seen.Count);
            Assert.Throws<ArgumentException>(() => Numbered(3).Split(0.9f)); // nothing left to train on
            Assert.Equal(54000, Dataset.FromLabels(new float[60000], new int[60000], 1).Split(0.1f).Train.Count);
            Assert.Equal(7, Numbered(10).Split(0.25f).Train.Count); // floor(10 · 0.75)
        }

        [Theory]
        [InlineData(10, 3, false, new[] { 3, 3, 3, 1 })]
        [InlineData(10, 3, true, new[] { 3, 3, 3 })]
        [InlineData(9, 3, false, new[] { 3, 3, 3 })]
        [InlineData(2, 5, false, new[] { 2 })]
        public void Batches_cover_every_sample_once_with_a_smaller_last_batch(int count, int batchSize, bool dropLast, int[] sizes)
        {
            foreach (bool shuffle in new[] { false, true })
            {
                var loader = new DataLoader<int>(Numbered(count), batchSize, shuffle, seed: 3, dropLast: dropLast);
                var seen = new List<int>();
                var actualSizes = new List<int>();
                foreach (DataLoader<int>.Batch batch in loader.Epoch(0))
                {
                    actualSizes.Add(batch.Size);
                    Assert.Equal(batch.Size * 3, batch.Inputs.Length);
                    Assert.Equal(batch.Size, batch.Targets.Length);
                    for (int b = 0; b < batch.Size; b++)
                    {
                        int sample = (int)batch.Inputs[b * 3];
                        Assert.Equal(sample, (int)batch.Inputs[b * 3 + 2]);
                        Assert.Equal(sample % 4, batch.Targets[b]);
                        seen.Add(sample);
                    }
                }
                Assert.Equal(sizes, actualSizes);
                Assert.Equal(seen.Count, seen.Distinct().Count());
                Assert.Equal(dropLast ? sizes.Sum() : count, seen.Count);
                Assert.Equal(sizes.Length, loader.BatchCount);
            }
        }

        [Fact]
        public void Shuffled_order_is_a_function_of_seed_and_epoch_alone()
        {
            int[] e3 = DataLoader<int>.Permutation(100, seed: 42, epoch: 3);
            Assert.Equal(e3, DataLoader<int>.Permutation(100, 42, 3));
            Assert.NotEqual(e3, DataLoader<int>.Permutation(100, 42, 4));
            Assert.NotEqual(e3, DataLoader<int>.Permutation(100, 43, 3));
            Assert.Equal(Enumerable.Range(0, 100), e3.Order());

            // Visiting epochs 0..3 in order or jumping straight to 3 gives the same batches.
            var loader = new DataLoader<int>(Numbered(20), 6, shuffle: true, seed: 42);
            var a = new DataLoader<int>(Numbered(20), 6, shuffle: true, seed: 42);
            for (int epoch = 0; epoch < 3; epoch++)
            {
                foreach (DataLoader<int>.Batch _ in a.Epoch(epoch))
                {
                }
            }
            Assert.Equal(Order(a, 3), Order(loader, 3));
        }

        private static List<float> Order(DataLoader<int> loader, int epoch)
        {
            var order = new List<float>();
            foreach (DataLoader<int>.Batch batch in loader.Epoch(epoch))
            {
                for (int b = 0; b < batch.Size; b++)
                {
                    order.Add(batch.Inputs[b * 3]);
                }
            }
            return order;
        }

        [Fact]
        public void Iterating_batches_allocates_nothing_per_batch()
        {
            // An epoch costs one small allocation (its shuffle generator), whatever its number of batches.
            Assert.Equal(EpochAllocation(batchSize: 100), EpochAllocation(batchSize: 2));
            Assert.True(EpochAllocation(batchSize: 2) <= 128);
        }

        private static long EpochAllocation(int batchSize)
        {
            var loader = new DataLoader<int>(Numbered(1000, 8), batchSize, shuffle: true, seed: 1);
            float sum = 0;
            foreach (DataLoader<int>.Batch batch in loader.Epoch(0))
            {
                sum += batch.Inputs[0];
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (DataLoader<int>.Batch batch in loader.Epoch(1))
            {
                sum += batch.Inputs[0];
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(sum > 0);
            return allocated;
        }

        [Fact]
        public void Standardizer_uses_training_statistics_for_every_set()
        {
            var train = Dataset.FromLabels([0, 10, 2, 10, 4, 10], [0, 1, 0], 2);
            var global = Standardizer.Fit(train);
            Assert.Equal(6f, global.Mean[0], 5);
            var perFeature = Standardizer.Fit(train, perFeature: true);
            Assert.Equal([2f, 10f], perFeature.Mean);
            Assert.Equal(1f, perFeature.Deviation[1]); // a constant feature keeps deviation 1
            Dataset<int> scaled = perFeature.Transform(Dataset.FromLabels([4, 12], [0], 2));
            Assert.Equal(2f / MathF.Sqrt(8f / 3f), scaled.Features[0], 5);
            Assert.Equal(2f, scaled.Features[1]);
            Assert.Equal(0f, train.Features[0]); // the source is untouched
        }
    }
}

using System;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary><see cref="Embedding"/> against row-by-row lookups and sums.</summary>
    public class EmbeddingKernelTests
    {
        private const int Vocabulary = 7, Dims = 5;

        private static readonly int[] Ids = [3, 0, 6, 3, 2, 3, 0, 5];

        [Fact]
        public void Forward_copies_the_row_of_each_id()
        {
            float[] table = GemmTests.Random(Vocabulary * Dims, new Rng(1));
            float[] y = RecurrentKernel.NaNs(Ids.Length * Dims + 3);
            Embedding.Forward(Ids, table, y, Ids.Length, Dims);
            for (int n = 0; n < Ids.Length; n++)
            {
                for (int d = 0; d < Dims; d++)
                {
                    Assert.Equal(table[Ids[n] * Dims + d], y[n * Dims + d]);
                }
            }
            Assert.True(float.IsNaN(y[^1])); // nothing past count·dims is touched
        }

        [Theory]
        [InlineData(-1)] // no padding row
        [InlineData(3)]  // a padding id that occurs three times
        [InlineData(4)]  // a padding id that never occurs
        public void Backward_sums_the_rows_of_repeated_ids_and_leaves_the_padding_row_zero(int paddingIndex)
        {
            float[] dy = GemmTests.Random(Ids.Length * Dims, new Rng(2));
            float[] dTable = RecurrentKernel.NaNs(Vocabulary * Dims);
            Embedding.Backward(Ids, dy, dTable, Ids.Length, Vocabulary, Dims, paddingIndex);
            for (int v = 0; v < Vocabulary; v++)
            {
                for (int d = 0; d < Dims; d++)
                {
                    // Independent reference: a double sum over the ids equal to v (never for the padding row).
                    double expected = 0;
                    for (int n = 0; n < Ids.Length; n++)
                    {
                        if (Ids[n] == v && v != paddingIndex)
                        {
                            expected += dy[n * Dims + d];
                        }
                    }
                    Assert.True(Math.Abs(expected - dTable[v * Dims + d]) <= 1e-6, $"dTable[{v}, {d}] = {dTable[v * Dims + d]}, expected {expected}");
                }
            }
            if (paddingIndex >= 0)
            {
                Assert.All(dTable.AsSpan(paddingIndex * Dims, Dims).ToArray(), value => Assert.Equal(0f, value));
            }
        }

        [Fact]
        public void Backward_adds_repeated_ids_in_their_order()
        {
            float[] dy = GemmTests.Random(Ids.Length * Dims, new Rng(3));
            float[] dTable = new float[Vocabulary * Dims];
            Embedding.Backward(Ids, dy, dTable, Ids.Length, Vocabulary, Dims, -1);
            for (int d = 0; d < Dims; d++)
            {
                // Id 3 at positions 0, 3, 5: ((0 + dy0) + dy3) + dy5, in float, exactly.
                float expected = 0f + dy[d];
                expected += dy[3 * Dims + d];
                expected += dy[5 * Dims + d];
                Assert.Equal(expected, dTable[3 * Dims + d]);
            }
        }

        [Fact]
        public void Short_buffers_are_refused()
        {
            Assert.Throws<ArgumentException>(() => Embedding.Forward(Ids, new float[Vocabulary * Dims], new float[Ids.Length * Dims - 1], Ids.Length, Dims));
            Assert.Throws<ArgumentException>(() => Embedding.Backward(Ids, new float[Ids.Length * Dims], new float[Vocabulary * Dims - 1], Ids.Length, Vocabulary, Dims, -1));
            Assert.Throws<ArgumentException>(() => Embedding.Forward(Ids.AsSpan(1), new float[Vocabulary * Dims], new float[Ids.Length * Dims], Ids.Length, Dims));
        }
    }

    /// <summary><see cref="Sequence"/>'s last-step selection and its gradient.</summary>
    public class SequenceKernelTests
    {
        [Theory]
        [InlineData(1, 1, 4)]
        [InlineData(3, 5, 2)]
        public void Last_step_picks_the_final_step_of_each_sample(int batch, int steps, int features)
        {
            float[] seq = GemmTests.Random(batch * steps * features, new Rng(batch + steps));
            float[] last = RecurrentKernel.NaNs(batch * features);
            Sequence.LastStep(seq, last, batch, steps, features);
            for (int b = 0; b < batch; b++)
            {
                for (int f = 0; f < features; f++)
                {
                    Assert.Equal(seq[(b * steps + steps - 1) * features + f], last[b * features + f]);
                }
            }
        }

        [Theory]
        [InlineData(1, 1, 4)]
        [InlineData(3, 5, 2)]
        public void Last_step_backward_routes_the_gradient_to_the_final_step_and_zeroes_the_rest(int batch, int steps, int features)
        {
            float[] dLast = GemmTests.Random(batch * features, new Rng(batch * steps));
            float[] dSeq = RecurrentKernel.NaNs(batch * steps * features);
            Sequence.LastStepBackward(dLast, dSeq, batch, steps, features);
            for (int b = 0; b < batch; b++)
            {
                for (int t = 0; t < steps; t++)
                {
                    for (int f = 0; f < features; f++)
                    {
                        float expected = t == steps - 1 ? dLast[b * features + f] : 0f;
                        Assert.Equal(expected, dSeq[(b * steps + t) * features + f]);
                    }
                }
            }
        }

        [Fact]
        public void Short_buffers_are_refused()
        {
            Assert.Throws<ArgumentException>(() => Sequence.LastStep(new float[2 * 3 * 4 - 1], new float[8], 2, 3, 4));
            Assert.Throws<ArgumentException>(() => Sequence.LastStepBackward(new float[7], new float[2 * 3 * 4], 2, 3, 4));
        }
    }
}

using System;

namespace NetGen.Runtime.Tests
{
    [Collection("Simd")]
    public class LossTests
    {
        [Fact]
        public void Cross_entropy_matches_log_softmax_and_its_gradient_is_p_minus_onehot_over_batch()
        {
            const int B = 4, C = 5;
            var rng = new Rng(11);
            float[] z = GemmTests.Random(B * C, rng);
            z[3] = 60;
            float[] p = new float[z.Length];
            Kernels.Activations.Softmax(z, p, B, C);
            int[] labels = [0, 3, 4, 3];
            float[] grad = new float[z.Length];
            float loss = Losses.SoftmaxCrossEntropy(z, p, labels, B, C, grad);

            double expected = 0;
            for (int r = 0; r < B; r++)
            {
                (double max, double sum) = MaxAndSumOfExp(z.AsSpan(r * C, C));
                expected += max + Math.Log(sum) - z[r * C + labels[r]];
                for (int c = 0; c < C; c++)
                {
                    double g = (Math.Exp(z[r * C + c] - max) / sum - (c == labels[r] ? 1 : 0)) / B;
                    Assert.Equal(g, grad[r * C + c], 6);
                }
            }
            Assert.Equal(expected / B, loss, 5);
            Assert.Equal(loss, Losses.SoftmaxCrossEntropy(z, p, labels, B, C, default));
        }

        public static System.Collections.Generic.IEnumerable<object[]> LevelsAndClasses()
        {
            foreach (object[] level in SimdLevels.All())
            {
                foreach (int classes in new[] { 3, 37, 70 })
                {
                    yield return new[] { level[0], classes };
                }
            }
        }

        /// <summary>The log-sum-exp of each row (its sum a vector at a time in float) against double precision, at every width.</summary>
        [Theory]
        [MemberData(nameof(LevelsAndClasses))]
        public void Cross_entropy_loss_matches_double_precision_at_every_width(Kernels.SimdLevel level, int classes)
        {
            const int B = 6;
            var rng = new Rng(classes);
            float[] z = GemmTests.Random(B * classes, rng);
            for (int i = 0; i < z.Length; i++)
            {
                z[i] *= 30;
            }
            float[] p = new float[z.Length];
            Kernels.Activations.Softmax(z, p, B, classes);
            int[] labels = new int[B];
            for (int r = 0; r < B; r++)
            {
                labels[r] = rng.NextInt(classes);
            }
            double expected = 0;
            for (int r = 0; r < B; r++)
            {
                (double max, double sum) = MaxAndSumOfExp(z.AsSpan(r * classes, classes));
                expected += max + Math.Log(sum) - z[r * classes + labels[r]];
            }
            float loss = 0;
            SimdLevels.With(level, () => loss = Losses.SoftmaxCrossEntropy(z, p, labels, B, classes, default));
            Assert.True(Math.Abs(loss - expected / B) <= 1e-5 * Math.Max(1, Math.Abs(expected / B)), $"{level}, {classes} classes: {loss}, expected {expected / B}");
        }

        /// <summary>A row's maximum and <c>Σ e^(z − max)</c>, in double: the reference log-sum-exp's parts.</summary>
        private static (double Max, double Sum) MaxAndSumOfExp(ReadOnlySpan<float> row)
        {
            double max = double.MinValue, sum = 0;
            foreach (float v in row)
            {
                max = Math.Max(max, v);
            }
            foreach (float v in row)
            {
                sum += Math.Exp(v - max);
            }
            return (max, sum);
        }

        [Fact]
        public void Cross_entropy_refuses_labels_outside_the_classes()
        {
            float[] z = new float[6], p = new float[6];
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxCrossEntropy(z, p, [1, 3], 2, 3, default));
            Assert.Contains("labels[1] is 3", e.Message);
            Assert.Contains("[0, 3)", e.Message);
        }

        [Fact]
        public void Binary_cross_entropy_is_stable_for_extreme_logits()
        {
            float[] z = [-200, -3, 0, 2.5f, 200];
            float[] t = [0, 1, 0.5f, 0, 1];
            float[] p = new float[z.Length];
            Kernels.Activations.Sigmoid(z, p);
            float[] grad = new float[z.Length];
            float loss = Losses.SigmoidBinaryCrossEntropy(z, p, t, grad);
            double expected = 0;
            for (int i = 0; i < z.Length; i++)
            {
                double zi = z[i];
                expected += Math.Max(zi, 0) - zi * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(zi)));
                Assert.Equal((p[i] - t[i]) / z.Length, grad[i], 6);
            }
            Assert.True(float.IsFinite(loss));
            Assert.Equal(expected / z.Length, loss, 4);
        }

        [Fact]
        public void Mean_squared_error_averages_over_every_element()
        {
            float[] y = [1, 2, 3, 4], t = [0, 2, 5, 3];
            float[] grad = new float[4];
            Assert.Equal((1 + 0 + 4 + 1) / 4f, Losses.MeanSquaredError(y, t, grad));
            Assert.Equal(new[] { 0.5f, 0f, -1f, 0.5f }, grad);
        }
    }
}

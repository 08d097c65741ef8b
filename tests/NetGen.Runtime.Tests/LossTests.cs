using System;

namespace NetGen.Runtime.Tests
{
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
                double max = double.MinValue, sum = 0;
                for (int c = 0; c < C; c++)
                {
                    max = Math.Max(max, z[r * C + c]);
                }
                for (int c = 0; c < C; c++)
                {
                    sum += Math.Exp(z[r * C + c] - max);
                }
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

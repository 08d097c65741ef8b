using System;
using System.IO;
using System.Linq;
using NetGen;

namespace NetGen.Networks.Tests
{
    /// <summary>A small classifier with dropout, whose masks come from its training stream.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(12)]
    [Dense(16, Activation.ReLU)]
    [Dropout(0.5f)]
    [Dense(4, Activation.Softmax)]
    public partial class DropoutNet;

    public class DropoutResumeTests
    {
        private static readonly float[] Inputs = Enumerable.Range(0, 8 * 12).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        private static readonly int[] Labels = [0, 1, 2, 3, 3, 2, 1, 0];

        [Fact]
        public void Dropout_masks_come_from_the_seed_and_inference_ignores_them()
        {
            var a = new DropoutNet(seed: 4);
            var b = new DropoutNet(seed: 4);
            Assert.Equal(a.ComputeGradients(Inputs, Labels, 8), b.ComputeGradients(Inputs, Labels, 8));
            Assert.True(a.Gradients.SequenceEqual(b.Gradients));
            // The next training pass draws new masks; inference draws none and is repeatable.
            float first = a.ComputeGradients(Inputs, Labels, 8);
            Assert.NotEqual(first, a.ComputeGradients(Inputs, Labels, 8));
            Assert.Equal(a.ComputeLoss(Inputs, Labels, 8), a.ComputeLoss(Inputs, Labels, 8));
            Assert.NotNull(a.TrainingRng);
            Assert.Null(new MnistMlp().TrainingRng);
        }

        [Fact]
        public void Resuming_from_a_checkpoint_repeats_the_same_masks_bit_for_bit()
        {
            string path = Path.Combine(Path.GetTempPath(), $"netgen-dropout-{Guid.NewGuid():N}.safetensors");
            try
            {
                var straight = new DropoutNet(seed: 9);
                var optimizer = new Sgd(0.1f, momentum: 0.9f);
                for (int step = 0; step < 3; step++)
                {
                    straight.TrainStep(Inputs, Labels, 8, optimizer);
                }
                Checkpoint.Save(straight, path, optimizer, new TrainingState { GlobalStep = 3, InitialLearningRate = 0.1, Seed = 9 });
                for (int step = 0; step < 4; step++)
                {
                    straight.TrainStep(Inputs, Labels, 8, optimizer);
                }

                var resumed = DropoutNet.Load(path);
                var resumedOptimizer = new Sgd(0.1f, momentum: 0.9f);
                Checkpoint.Load(resumed, path, resumedOptimizer);
                for (int step = 0; step < 4; step++)
                {
                    resumed.TrainStep(Inputs, Labels, 8, resumedOptimizer);
                }
                Assert.True(straight.Parameters.SequenceEqual(resumed.Parameters), "resumed training diverged from uninterrupted training");
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_corrupt_stream_state_is_refused_and_changes_nothing()
        {
            string path = Path.Combine(Path.GetTempPath(), $"netgen-dropout-{Guid.NewGuid():N}.safetensors");
            try
            {
                var net = new DropoutNet(seed: 1);
                Checkpoint.Save(net, path, metadata: null, training: new TrainingState { InitialLearningRate = 0.1 });
                string text = File.ReadAllText(path, System.Text.Encoding.Latin1);
                int at = text.IndexOf("\"training.rng\":\"", StringComparison.Ordinal) + "\"training.rng\":\"".Length;
                Assert.True(at > 20, "the checkpoint should carry the dropout stream's state");
                byte[] bytes = File.ReadAllBytes(path);
                bytes[at] = (byte)'z'; // not a hex digit
                File.WriteAllBytes(path, bytes);
                var other = new DropoutNet(seed: 2);
                float[] before = other.Parameters.ToArray();
                var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(other, path));
                Assert.Contains("training.rng", e.Message);
                Assert.Equal(before, other.Parameters.ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}

using System;
using System.IO;
using System.Numerics.Tensors;
using NetGen;
using NetGen.Data;

namespace NetGen.Networks.Tests
{
    public class MnistConvergenceTests
    {
        [Fact]
        public void The_mnist_subset_is_learned_above_95_percent_on_held_out_digits()
        {
            const int TrainCount = 8000, HeldOut = 2000, Batch = 32, Epochs = 30;
            string dir = Path.Combine(AppContext.BaseDirectory, "data");
            byte[] pixels = Idx.Read(Path.Combine(dir, "mnist-10k-images-idx3-ubyte.gz")).Data;
            byte[] labelBytes = Idx.Read(Path.Combine(dir, "mnist-10k-labels-idx1-ubyte.gz")).Data;
            float[] images = Array.ConvertAll(pixels, p => p / 255f);
            ReadOnlySpan<float> train = images.AsSpan(0, TrainCount * 784);
            float mean = TensorPrimitives.Sum(train) / train.Length;
            float deviation = MathF.Sqrt(TensorPrimitives.SumOfSquares(train) / train.Length - mean * mean);
            TensorPrimitives.Subtract(images, mean, images);
            TensorPrimitives.Divide(images, deviation, images);
            int[] labels = Array.ConvertAll(labelBytes, b => (int)b);

            var net = new DigitClassifier(seed: 1);
            var optimizer = new Adam(1e-3f);
            var rng = new Rng(1);
            int[] order = new int[TrainCount];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }
            float[] x = new float[Batch * 784];
            int[] y = new int[Batch];
            for (int epoch = 0; epoch < Epochs; epoch++)
            {
                optimizer.LearningRate = 1e-3f * 0.5f * (1 + MathF.Cos(MathF.PI * epoch / Epochs));
                rng.Shuffle(order.AsSpan());
                for (int start = 0; start < TrainCount; start += Batch)
                {
                    for (int b = 0; b < Batch; b++)
                    {
                        images.AsSpan(order[start + b] * 784, 784).CopyTo(x.AsSpan(b * 784));
                        y[b] = labels[order[start + b]];
                    }
                    net.TrainStep(x, y, Batch, optimizer);
                }
            }

            float[] probabilities = new float[HeldOut * 10];
            net.Forward(images.AsSpan(TrainCount * 784, HeldOut * 784), probabilities, HeldOut);
            int correct = 0;
            for (int i = 0; i < HeldOut; i++)
            {
                correct += TensorPrimitives.IndexOfMax(probabilities.AsSpan(i * 10, 10)) == labels[TrainCount + i] ? 1 : 0;
            }
            double accuracy = (double)correct / HeldOut;
            Assert.True(accuracy >= 0.95, $"held-out accuracy {accuracy:P2}");
        }
    }
}

using System;
using System.Numerics.Tensors;

namespace NetGen.Benchmarks
{
    /// <summary>
    /// The training loop every epoch workload and the accuracy mode share: mini-batches in a given
    /// order, each copied into a buffer allocated once, then one <c>TrainStep</c>. The last batch is
    /// partial (60,000 = 937 × 64 + 32), as with PyTorch's <c>drop_last=False</c>.
    /// </summary>
    public sealed class Trainer
    {
        private readonly float[] _batchInputs;
        private readonly int[] _batchLabels;

        public Trainer(int batchSize)
        {
            BatchSize = batchSize;
            _batchInputs = new float[batchSize * FashionMnist.Pixels];
            _batchLabels = new int[batchSize];
        }

        public int BatchSize { get; }

        /// <summary>One pass over <paramref name="order"/>; returns the mean of the batch losses.</summary>
        public float Epoch(INetwork<int> model, ImageSet data, ReadOnlySpan<int> order, Optimizer optimizer)
        {
            int inputSize = model.InputSize;
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                int n = Math.Min(BatchSize, order.Length - start);
                for (int b = 0; b < n; b++)
                {
                    int sample = order[start + b];
                    data.Images.AsSpan(sample * inputSize, inputSize).CopyTo(_batchInputs.AsSpan(b * inputSize));
                    _batchLabels[b] = data.Labels[sample];
                }
                lossSum += model.TrainStep(_batchInputs.AsSpan(0, n * inputSize), _batchLabels.AsSpan(0, n), n, optimizer);
                batches++;
            }
            return (float)(lossSum / batches);
        }

        /// <summary>The fraction of <paramref name="data"/> whose most probable class is the label.</summary>
        public static float Accuracy(INetwork<int> model, ImageSet data)
        {
            const int Chunk = 500;
            int inputSize = model.InputSize, outputSize = model.OutputSize;
            float[] probabilities = new float[Chunk * outputSize];
            int correct = 0;
            for (int start = 0; start < data.Count; start += Chunk)
            {
                int n = Math.Min(Chunk, data.Count - start);
                model.Forward(data.Images.AsSpan(start * inputSize, n * inputSize), probabilities.AsSpan(0, n * outputSize), n);
                for (int b = 0; b < n; b++)
                {
                    int predicted = TensorPrimitives.IndexOfMax(probabilities.AsSpan(b * outputSize, outputSize));
                    correct += predicted == data.Labels[start + b] ? 1 : 0;
                }
            }
            return (float)correct / data.Count;
        }

        /// <summary>0, 1, …, count − 1 shuffled by a generator seeded with <paramref name="seed"/>.</summary>
        public static int[] ShuffledOrder(int count, long seed)
        {
            int[] order = new int[count];
            for (int i = 0; i < count; i++)
            {
                order[i] = i;
            }
            new Rng(seed).Shuffle(order.AsSpan());
            return order;
        }
    }
}

using System;
using System.Numerics.Tensors;
using NetGen.Data;

namespace NetGen
{
    public static partial class NetworkTraining
    {
        /// <summary>
        /// Loss, accuracy, per-class precision/recall/F1 and the confusion matrix of a classifier on
        /// <paramref name="data"/>, in inference mode, <paramref name="batchSize"/> samples per pass.
        /// </summary>
        public static ClassificationReport Evaluate(this INetwork<int> network, Dataset<int> data, int batchSize = 256)
        {
            CheckEvaluation(network, data, batchSize);
            int[] predicted = new int[data.Count];
            int classes = network.OutputSize;
            var metrics = new RunningMetrics();
            int start = 0;
            foreach (DataLoader<int>.Batch batch in new DataLoader<int>(data, Math.Min(batchSize, data.Count)).Epoch(0))
            {
                float loss = network.ComputeLoss(batch.Inputs, batch.Targets, batch.Size);
                ReadOnlySpan<float> outputs = network.Outputs;
                metrics.Add(network.Loss, outputs, batch.Targets, batch.Size, classes, loss);
                for (int b = 0; b < batch.Size; b++)
                {
                    predicted[start + b] = TensorPrimitives.IndexOfMax(outputs.Slice(b * classes, classes));
                }
                start += batch.Size;
            }
            return ClassificationReport.From(data.Targets, predicted, classes, data.ClassNames, metrics.Loss);
        }

        /// <summary>
        /// Loss, MSE, MAE (and for a Sigmoid network the accuracy at 0.5) of a network with float targets on
        /// <paramref name="data"/>, in inference mode.
        /// </summary>
        public static RegressionReport Evaluate(this INetwork<float> network, Dataset<float> data, int batchSize = 256)
        {
            CheckEvaluation(network, data, batchSize);
            float[] outputs = new float[(long)data.Count * network.OutputSize];
            var metrics = new RunningMetrics();
            int start = 0;
            foreach (DataLoader<float>.Batch batch in new DataLoader<float>(data, Math.Min(batchSize, data.Count)).Epoch(0))
            {
                float loss = network.ComputeLoss(batch.Inputs, batch.Targets, batch.Size);
                metrics.Add(network.Loss, network.Outputs, batch.Targets, batch.Size, network.OutputSize, loss);
                network.Outputs.CopyTo(outputs.AsSpan(start * network.OutputSize));
                start += batch.Size;
            }
            return RegressionReport.From(outputs, data.Targets, metrics.Loss, binary: network.Loss == Loss.BinaryCrossEntropy);
        }

        /// <summary>
        /// The outputs for one sample (<c>InputSize</c> floats): probabilities for a Softmax network. The span is
        /// a view of the network's buffer, valid until its next pass; copy it to keep it.
        /// </summary>
        public static ReadOnlySpan<float> Predict(this INetwork network, ReadOnlySpan<float> sample)
        {
            ArgumentNullException.ThrowIfNull(network);
            if (sample.Length != network.InputSize)
            {
                throw new ArgumentException($"A sample has {network.InputSize} values ([{string.Join(", ", network.InputShape)}]); got {sample.Length}.", nameof(sample));
            }
            return network.Forward(sample, 1);
        }

        /// <summary>The outputs for <paramref name="batchSize"/> samples, <c>[batchSize × OutputSize]</c>, as a view valid until the next pass.</summary>
        public static ReadOnlySpan<float> Predict(this INetwork network, ReadOnlySpan<float> inputs, int batchSize)
        {
            ArgumentNullException.ThrowIfNull(network);
            return network.Forward(inputs, batchSize);
        }

        /// <summary>The outputs for every sample of <paramref name="data"/>, <c>[Count × OutputSize]</c>, in a new array.</summary>
        public static float[] Predict(this INetwork network, Dataset data, int batchSize = 256)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(data);
            CheckFeatures(network, data);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
            int size = network.OutputSize, inputs = network.InputSize;
            float[] outputs = new float[(long)data.Count * size];
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                network.Forward(data.Features.Slice(start * inputs, n * inputs), n).CopyTo(outputs.AsSpan(start * size));
            }
            return outputs;
        }

        /// <summary>The most probable class of one sample.</summary>
        public static int PredictClass(this INetwork<int> network, ReadOnlySpan<float> sample) =>
            TensorPrimitives.IndexOfMax(network.Predict(sample));

        /// <summary>The most probable class of every sample of <paramref name="data"/>.</summary>
        public static int[] PredictClasses(this INetwork<int> network, Dataset data, int batchSize = 256)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(data);
            CheckFeatures(network, data);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
            int[] classes = new int[data.Count];
            int size = network.OutputSize, inputs = network.InputSize;
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                ReadOnlySpan<float> outputs = network.Forward(data.Features.Slice(start * inputs, n * inputs), n);
                for (int b = 0; b < n; b++)
                {
                    classes[start + b] = TensorPrimitives.IndexOfMax(outputs.Slice(b * size, size));
                }
            }
            return classes;
        }

        private static void CheckEvaluation<TTarget>(INetwork<TTarget> network, Dataset<TTarget> data, int batchSize)
            where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(data);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
            CheckShapes(network, data, nameof(data));
        }

        private static void CheckFeatures(INetwork network, Dataset data)
        {
            if (data.FeatureSize != network.InputSize)
            {
                throw new ArgumentException(
                    $"data has {data.FeatureSize} features per sample; the network takes {network.InputSize} ([{string.Join(", ", network.InputShape)}]).", nameof(data));
            }
        }
    }
}

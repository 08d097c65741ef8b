using System;
using System.Numerics.Tensors;
using NetGen.Data;

namespace NetGen
{
    public static partial class NetworkTraining
    {
        /// <summary>
        /// Loss, accuracy, per-class precision/recall/F1 and the confusion matrix of a classifier on
        /// <paramref name="data"/>, in inference mode, <paramref name="batchSize"/> samples per pass. A network
        /// that classifies every time step (<c>TargetSize</c> T labels per sample) has <c>OutputSize / T</c>
        /// classes and every position counts as one prediction: the report covers <c>Count × T</c> predictions.
        /// </summary>
        public static ClassificationReport Evaluate<TInput>(this INetwork<TInput, int> network, Dataset<TInput, int> data, int batchSize = 256)
            where TInput : unmanaged
        {
            CheckEvaluation(network, data, batchSize);
            int labels = network.TargetSize;
            int classes = ClassCount(network.OutputSize, labels);
            int[] predicted = new int[(long)data.Count * labels];
            var metrics = new RunningMetrics();
            int start = 0;
            var loader = new DataLoader<TInput, int>(data, Math.Min(batchSize, data.Count));
            foreach (DataLoader<TInput, int>.Batch batch in loader.Epoch(0))
            {
                float loss = ComputeLoss(network, loader, batch, "Evaluation", nameof(data));
                ReadOnlySpan<float> outputs = network.Outputs;
                metrics.Add(network.Loss, outputs, batch.Targets, batch.Size, network.OutputSize, loss);
                ArgMax(outputs, classes, predicted.AsSpan(start * labels, batch.Size * labels), firstSample: -1);
                start += batch.Size;
            }
            ClassificationReport report = ClassificationReport.From(data.Targets, predicted, classes, data.ClassNames, metrics.Loss);
            report.LossMeasured = true;
            return report;
        }

        /// <summary>
        /// Loss, MSE, MAE (and for a Sigmoid network the accuracy at 0.5) of a network with float targets on
        /// <paramref name="data"/>, in inference mode.
        /// </summary>
        public static RegressionReport Evaluate<TInput>(this INetwork<TInput, float> network, Dataset<TInput, float> data, int batchSize = 256)
            where TInput : unmanaged
        {
            CheckEvaluation(network, data, batchSize);
            float[] outputs = new float[(long)data.Count * network.OutputSize];
            var metrics = new RunningMetrics();
            int start = 0;
            var loader = new DataLoader<TInput, float>(data, Math.Min(batchSize, data.Count));
            foreach (DataLoader<TInput, float>.Batch batch in loader.Epoch(0))
            {
                float loss = ComputeLoss(network, loader, batch, "Evaluation", nameof(data));
                metrics.Add(network.Loss, network.Outputs, batch.Targets, batch.Size, network.OutputSize, loss);
                network.Outputs.CopyTo(outputs.AsSpan(start * network.OutputSize));
                start += batch.Size;
            }
            RegressionReport report = RegressionReport.From(outputs, data.Targets, metrics.Loss, binary: network.Loss == Loss.BinaryCrossEntropy);
            report.LossMeasured = true;
            return report;
        }

        /// <summary>
        /// The outputs for one sample (<c>InputSize</c> floats or token ids): probabilities for a Softmax network.
        /// The span is a view of the network's buffer, valid until its next pass; copy it to keep it.
        /// </summary>
        public static ReadOnlySpan<float> Predict<TInput, TTarget>(this INetwork<TInput, TTarget> network, ReadOnlySpan<TInput> sample)
            where TInput : unmanaged where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(network);
            if (sample.Length != network.InputSize)
            {
                throw new ArgumentException($"A sample has {network.InputSize} values ([{string.Join(", ", network.InputShape)}]); got {sample.Length}.", nameof(sample));
            }
            return network.Forward(sample, 1);
        }

        /// <summary>The outputs for <paramref name="batchSize"/> samples, <c>[batchSize × OutputSize]</c>, as a view valid until the next pass.</summary>
        public static ReadOnlySpan<float> Predict<TInput, TTarget>(this INetwork<TInput, TTarget> network, ReadOnlySpan<TInput> inputs, int batchSize)
            where TInput : unmanaged where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(network);
            return network.Forward(inputs, batchSize);
        }

        /// <summary>
        /// The outputs for every sample of <paramref name="data"/>, <c>[Count × OutputSize]</c>, in a new array.
        /// The data's targets are ignored (any target type will do); its inputs must be the network's.
        /// </summary>
        public static float[] Predict<TInput, TTarget>(this INetwork<TInput, TTarget> network, Dataset data, int batchSize = 256)
            where TInput : unmanaged where TTarget : unmanaged
        {
            ReadOnlySpan<TInput> features = CheckPrediction(network, data, batchSize);
            int size = network.OutputSize, inputs = network.InputSize;
            float[] outputs = new float[(long)data.Count * size];
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                network.Forward(features.Slice(start * inputs, n * inputs), n).CopyTo(outputs.AsSpan(start * size));
            }
            return outputs;
        }

        /// <summary>
        /// The most probable class of one sample, for a classifier with one label per sample. A network that
        /// classifies every time step has several; use <see cref="PredictClasses{TInput}(INetwork{TInput, int}, ReadOnlySpan{TInput})"/>.
        /// </summary>
        public static int PredictClass<TInput>(this INetwork<TInput, int> network, ReadOnlySpan<TInput> sample)
            where TInput : unmanaged
        {
            ArgumentNullException.ThrowIfNull(network);
            if (network.TargetSize != 1)
            {
                throw new InvalidOperationException(
                    $"The network predicts {network.TargetSize} labels per sample (one per time step); PredictClasses(sample) returns them all.");
            }
            int[] predicted = new int[1];
            ArgMax(network.Predict(sample), network.OutputSize, predicted, firstSample: 0);
            return predicted[0];
        }

        /// <summary>
        /// The most probable class at each of the <c>TargetSize</c> positions of one sample (one value for a
        /// classifier with one label per sample; T values for one that classifies every time step), in a new array.
        /// </summary>
        public static int[] PredictClasses<TInput>(this INetwork<TInput, int> network, ReadOnlySpan<TInput> sample)
            where TInput : unmanaged
        {
            ReadOnlySpan<float> outputs = network.Predict(sample);
            int[] classes = new int[network.TargetSize];
            ArgMax(outputs, ClassCount(network.OutputSize, classes.Length), classes, firstSample: 0, classes.Length);
            return classes;
        }

        /// <summary>
        /// The most probable class of every sample of <paramref name="data"/>, laid out like its targets:
        /// <c>[Count × TargetSize]</c>, so one per sample, or one per time step for a network that classifies every step.
        /// </summary>
        public static int[] PredictClasses<TInput>(this INetwork<TInput, int> network, Dataset data, int batchSize = 256)
            where TInput : unmanaged
        {
            ReadOnlySpan<TInput> features = CheckPrediction(network, data, batchSize);
            int labels = network.TargetSize, inputs = network.InputSize;
            int classes = ClassCount(network.OutputSize, labels);
            int[] predicted = new int[(long)data.Count * labels];
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                ReadOnlySpan<float> outputs = network.Forward(features.Slice(start * inputs, n * inputs), n);
                ArgMax(outputs, classes, predicted.AsSpan(start * labels, n * labels), firstSample: start, labels);
            }
            return predicted;
        }

        // predicted[p] = argmax of outputs[p·classes … (p+1)·classes), for every position p of predicted (labelsPerSample per
        // sample). With firstSample ≥ 0 (the sample outputs[0] belongs to), NaN or ∞ outputs throw naming the sample
        // instead of becoming a class (IndexOfMax would return the first NaN's index).
        private static void ArgMax(ReadOnlySpan<float> outputs, int classes, Span<int> predicted, int firstSample, int labelsPerSample = 1)
        {
            ReadOnlySpan<float> used = outputs.Slice(0, predicted.Length * classes);
            if (firstSample >= 0 && !TensorPrimitives.IsFiniteAll(used))
            {
                int i = 0;
                while (float.IsFinite(used[i]))
                {
                    i++;
                }
                int sample = firstSample + i / classes / labelsPerSample;
                string position = labelsPerSample > 1 ? $", time step {i / classes % labelsPerSample}" : "";
                throw new InvalidOperationException(
                    $"The outputs of sample {sample} hold {used[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} (class {i % classes}{position}), " +
                    "so it has no most probable class: the network's parameters have diverged (see the training loss) or the input holds NaN or ∞.");
            }
            for (int p = 0; p < predicted.Length; p++)
            {
                predicted[p] = TensorPrimitives.IndexOfMax(outputs.Slice(p * classes, classes));
            }
        }

        private static void CheckEvaluation<TInput, TTarget>(INetwork<TInput, TTarget> network, Dataset<TInput, TTarget> data, int batchSize)
            where TInput : unmanaged where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(data);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
            CheckShapes(network, data, nameof(data));
        }

        private static ReadOnlySpan<TInput> CheckPrediction<TInput, TTarget>(INetwork<TInput, TTarget> network, Dataset data, int batchSize)
            where TInput : unmanaged where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(data);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
            CheckFeatureSize(network, data.FeatureSize, nameof(data));
            return data.FeaturesOfType<TInput>();
        }
    }
}

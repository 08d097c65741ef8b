using System;
using System.Numerics.Tensors;

namespace NetGen
{
    /// <summary>
    /// The losses, each returning the mean over the batch and, when a gradient span is given, writing
    /// the gradient of that mean. The cross-entropies are fused with their output activation: they
    /// read the logits for a stable loss and return the gradient with respect to the logits, p − y.
    /// Sums are kept in double so the mean does not drift with the batch size.
    /// </summary>
    public static class Losses
    {
        /// <summary>
        /// Categorical cross-entropy of a Softmax output: mean over rows of <c>logsumexp(z) − z[label]</c>
        /// (PyTorch <c>cross_entropy</c> on the logits). Writes <c>(p − onehot(label)) / batch</c>
        /// into <paramref name="logitGradient"/> unless it is empty.
        /// </summary>
        public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
            ReadOnlySpan<int> labels, int batch, int classes, Span<float> logitGradient)
        {
            CheckRows(logits.Length, batch, classes, nameof(logits));
            CheckRows(probabilities.Length, batch, classes, nameof(probabilities));
            NetGen.Guard.Length(labels.Length, batch, 1, nameof(labels), "1");
            NetGen.Guard.Labels(labels, classes, nameof(labels));
            bool withGradient = !logitGradient.IsEmpty;
            if (withGradient)
            {
                CheckRows(logitGradient.Length, batch, classes, nameof(logitGradient));
            }

            double total = 0;
            float scale = 1f / batch;
            for (int r = 0; r < batch; r++)
            {
                ReadOnlySpan<float> z = logits.Slice(r * classes, classes);
                float max = TensorPrimitives.Max(z);
                double sum = Kernels.FloatMath.SumOfExp(z, max);
                int label = labels[r];
                total += max + Math.Log(sum) - z[label];
                if (withGradient)
                {
                    Span<float> g = logitGradient.Slice(r * classes, classes);
                    TensorPrimitives.Multiply(probabilities.Slice(r * classes, classes), scale, g);
                    g[label] -= scale;
                }
            }
            return (float)(total / batch);
        }

        /// <summary>
        /// Binary cross-entropy of a Sigmoid output, over every element: mean of
        /// <c>max(z, 0) − z·t + log(1 + e^−|z|)</c> (PyTorch <c>BCEWithLogitsLoss</c>). Writes
        /// <c>(p − t) / count</c> into <paramref name="logitGradient"/> unless it is empty.
        /// </summary>
        public static float SigmoidBinaryCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
            ReadOnlySpan<float> targets, Span<float> logitGradient)
        {
            int count = logits.Length;
            CheckSame(probabilities.Length, count, nameof(probabilities));
            CheckSame(targets.Length, count, nameof(targets));
            bool withGradient = !logitGradient.IsEmpty;
            if (withGradient)
            {
                CheckSame(logitGradient.Length, count, nameof(logitGradient));
            }

            double total = 0;
            for (int i = 0; i < count; i++)
            {
                double z = logits[i];
                double t = targets[i];
                total += Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            }
            if (withGradient)
            {
                TensorPrimitives.Subtract(probabilities, targets, logitGradient);
                TensorPrimitives.Multiply(logitGradient, 1f / count, logitGradient);
            }
            return count == 0 ? 0f : (float)(total / count);
        }

        /// <summary>
        /// Mean squared error over every element (PyTorch <c>MSELoss</c>). Writes
        /// <c>2·(y − t) / count</c> into <paramref name="outputGradient"/> unless it is empty.
        /// </summary>
        public static float MeanSquaredError(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradient)
        {
            int count = outputs.Length;
            CheckSame(targets.Length, count, nameof(targets));
            bool withGradient = !outputGradient.IsEmpty;
            if (withGradient)
            {
                CheckSame(outputGradient.Length, count, nameof(outputGradient));
            }

            double total = 0;
            for (int i = 0; i < count; i++)
            {
                double e = (double)outputs[i] - targets[i];
                total += e * e;
            }
            if (withGradient)
            {
                TensorPrimitives.Subtract(outputs, targets, outputGradient);
                TensorPrimitives.Multiply(outputGradient, 2f / count, outputGradient);
            }
            return count == 0 ? 0f : (float)(total / count);
        }

        private static void CheckRows(int length, int batch, int columns, string name)
        {
            if (length != (long)batch * columns)
            {
                throw new ArgumentException($"{name} has {length} values; expected {batch} × {columns} = {(long)batch * columns}.", name);
            }
        }

        private static void CheckSame(int length, int expected, string name)
        {
            if (length != expected)
            {
                throw new ArgumentException($"{name} has {length} values; expected {expected}.", name);
            }
        }
    }
}

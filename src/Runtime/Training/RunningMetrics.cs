using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NetGen
{
    /// <summary>
    /// Sums a loss and the loss's companion metric over batches without allocating: accuracy (argmax against
    /// the label) for cross-entropy, accuracy at 0.5 per output for binary cross-entropy, mean absolute
    /// error for mean squared error. A classifier with several labels per sample (one per time step) has
    /// <c>outputSize / labels per sample</c> classes and every position counts as one prediction.
    /// </summary>
    internal struct RunningMetrics
    {
        private double _lossSum;
        private long _samples;
        private double _metricSum;
        private long _metricCount;

        public readonly long Samples => _samples;
        public readonly double Loss => _samples == 0 ? double.NaN : _lossSum / _samples;
        public readonly double Metric => _metricCount == 0 ? double.NaN : _metricSum / _metricCount;

        public static string MetricName(Loss loss) => loss == NetGen.Loss.MeanSquaredError ? "mae" : "accuracy";

        public void Add<TTarget>(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<TTarget> targets, int batch, int outputSize, float batchLoss)
            where TTarget : unmanaged
        {
            _lossSum += (double)batchLoss * batch;
            _samples += batch;
            if (typeof(TTarget) == typeof(int))
            {
                ReadOnlySpan<int> labels = MemoryMarshal.Cast<TTarget, int>(targets);
                int classes = NetworkTraining.ClassCount(outputSize, labels.Length / batch);
                for (int p = 0; p < labels.Length; p++)
                {
                    _metricSum += TensorPrimitives.IndexOfMax(outputs.Slice(p * classes, classes)) == labels[p] ? 1 : 0;
                }
                _metricCount += labels.Length;
                return;
            }
            ReadOnlySpan<float> values = MemoryMarshal.Cast<TTarget, float>(targets);
            int n = batch * outputSize;
            if (loss == NetGen.Loss.BinaryCrossEntropy)
            {
                for (int i = 0; i < n; i++)
                {
                    _metricSum += (outputs[i] >= 0.5f) == (values[i] >= 0.5f) ? 1 : 0;
                }
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    _metricSum += Math.Abs((double)outputs[i] - values[i]);
                }
            }
            _metricCount += n;
        }
    }
}

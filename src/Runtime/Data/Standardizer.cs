using System;
using System.Collections.Generic;

namespace NetGen.Data
{
    /// <summary>
    /// Standardization, <c>x' = (x − mean) / deviation</c>, with statistics measured on a training set and
    /// then applied unchanged to validation, test and single samples (fit on the training data only, so
    /// nothing leaks from the test set). Either one mean and deviation for all features (good for pixels)
    /// or one per feature, like scikit-learn's <c>StandardScaler</c>; a feature that never varies keeps a
    /// deviation of 1.
    /// </summary>
    public sealed class Standardizer
    {
        private readonly float[] _mean;
        private readonly float[] _deviation;

        /// <summary>A standardizer with the given statistics: one value each for all features, or one per feature.</summary>
        public Standardizer(float[] mean, float[] deviation)
        {
            ArgumentNullException.ThrowIfNull(mean);
            ArgumentNullException.ThrowIfNull(deviation);
            if (mean.Length == 0 || mean.Length != deviation.Length)
            {
                throw new ArgumentException($"mean has {mean.Length} values and deviation {deviation.Length}; they must match and not be empty.", nameof(deviation));
            }
            foreach (float d in deviation)
            {
                if (!(d > 0) || !float.IsFinite(d))
                {
                    throw new ArgumentOutOfRangeException(nameof(deviation), d, "Every deviation must be a finite number > 0.");
                }
            }
            _mean = (float[])mean.Clone();
            _deviation = (float[])deviation.Clone();
        }

        /// <summary>Measures the mean and (population) standard deviation of <paramref name="training"/>'s features.</summary>
        public static Standardizer Fit<TTarget>(Dataset<float, TTarget> training, bool perFeature = false) where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(training);
            if (training.Count == 0)
            {
                throw new ArgumentException("The dataset is empty.", nameof(training));
            }
            int width = perFeature ? training.FeatureSize : 1;
            double[] sum = new double[width], sumOfSquares = new double[width];
            ReadOnlySpan<float> x = training.Features;
            for (int i = 0; i < x.Length; i++)
            {
                int f = perFeature ? i % width : 0;
                sum[f] += x[i];
                sumOfSquares[f] += (double)x[i] * x[i];
            }
            double n = perFeature ? training.Count : x.Length;
            float[] mean = new float[width], deviation = new float[width];
            for (int f = 0; f < width; f++)
            {
                double m = sum[f] / n;
                double variance = Math.Max(0, sumOfSquares[f] / n - m * m);
                mean[f] = (float)m;
                float d = (float)Math.Sqrt(variance);
                deviation[f] = d > 1e-12f ? d : 1f;
            }
            return new Standardizer(mean, deviation);
        }

        /// <summary>The means: one for all features, or one per feature.</summary>
        public IReadOnlyList<float> Mean => _mean;

        /// <summary>The deviations, laid out like <see cref="Mean"/>.</summary>
        public IReadOnlyList<float> Deviation => _deviation;

        /// <summary>A copy of <paramref name="dataset"/> with standardized features.</summary>
        public Dataset<TTarget> Transform<TTarget>(Dataset<TTarget> dataset) where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(dataset);
            CheckWidth(dataset.FeatureSize);
            float[] features = dataset.Features.ToArray();
            TransformInPlace(features);
            return dataset.WithFeatures(features);
        }

        /// <summary>Standardizes one or more samples in place (e.g. an input before <c>Predict</c>).</summary>
        public void TransformInPlace(Span<float> features)
        {
            int width = _mean.Length;
            if (width == 1)
            {
                System.Numerics.Tensors.TensorPrimitives.Subtract(features, _mean[0], features);
                System.Numerics.Tensors.TensorPrimitives.Divide(features, _deviation[0], features);
                return;
            }
            if (features.Length % width != 0)
            {
                throw new ArgumentException($"features has {features.Length} values, not a multiple of the {width} features.", nameof(features));
            }
            for (int start = 0; start < features.Length; start += width)
            {
                Span<float> row = features.Slice(start, width);
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, _mean, row);
                System.Numerics.Tensors.TensorPrimitives.Divide(row, _deviation, row);
            }
        }

        private void CheckWidth(int featureSize)
        {
            if (_mean.Length != 1 && _mean.Length != featureSize)
            {
                throw new ArgumentException($"This standardizer has statistics for {_mean.Length} features; the dataset has {featureSize}.");
            }
        }
    }
}

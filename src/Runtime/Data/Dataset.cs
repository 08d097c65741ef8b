using System;
using System.Collections.Generic;

namespace NetGen.Data
{
    /// <summary>
    /// Samples held in memory: features as one flat <see cref="float"/> array, <c>[Count × FeatureSize]</c>
    /// row-major, and targets of type <typeparamref name="TTarget"/>, <c>[Count × TargetSize]</c>:
    /// <see cref="int"/> class labels (one per sample) or <see cref="float"/> values.
    /// </summary>
    /// <remarks>
    /// A dataset never copies the arrays it is given and never changes them; every transformation
    /// (<see cref="Split"/>, <see cref="Standardizer.Transform{TTarget}"/>, …) returns a new dataset.
    /// </remarks>
    public sealed class Dataset<TTarget> : Dataset where TTarget : unmanaged
    {
        private readonly float[] _features;
        private readonly TTarget[] _targets;

        /// <summary>
        /// Wraps <paramref name="features"/> (<c>[count × featureSize]</c>) and <paramref name="targets"/>
        /// (<c>[count × targetSize]</c>). The count is <c>features.Length / featureSize</c>; both arrays
        /// must agree on it.
        /// </summary>
        public Dataset(float[] features, TTarget[] targets, int featureSize, int targetSize = 1)
        {
            ArgumentNullException.ThrowIfNull(features);
            ArgumentNullException.ThrowIfNull(targets);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureSize);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSize);
            if (features.Length % featureSize != 0)
            {
                throw new ArgumentException(
                    $"features has {features.Length} values, not a multiple of featureSize {featureSize}.", nameof(features));
            }
            int count = features.Length / featureSize;
            if ((long)count * targetSize != targets.Length)
            {
                throw new ArgumentException(
                    $"features hold {count} samples of {featureSize} values, so targets needs {count} × {targetSize} = {(long)count * targetSize} values; it has {targets.Length}.",
                    nameof(targets));
            }
            _features = features;
            _targets = targets;
            Count = count;
            FeatureSize = featureSize;
            TargetSize = targetSize;
        }

        /// <inheritdoc/>
        public override int Count { get; }

        /// <inheritdoc/>
        public override int FeatureSize { get; }

        /// <summary>Targets per sample: 1 for class labels, the output size for regression values.</summary>
        public int TargetSize { get; }

        /// <summary>All features, <c>[Count × FeatureSize]</c>.</summary>
        public override ReadOnlySpan<float> Features => _features;

        /// <summary>All targets, <c>[Count × TargetSize]</c>.</summary>
        public ReadOnlySpan<TTarget> Targets => _targets;

        /// <summary>The features of sample <paramref name="index"/>.</summary>
        public override ReadOnlySpan<float> FeaturesOf(int index) => _features.AsSpan(CheckIndex(index) * FeatureSize, FeatureSize);

        /// <summary>The targets of sample <paramref name="index"/>.</summary>
        public ReadOnlySpan<TTarget> TargetsOf(int index) => _targets.AsSpan(CheckIndex(index) * TargetSize, TargetSize);

        /// <summary>Samples <c>[start, start + count)</c>, copied.</summary>
        public Dataset<TTarget> Slice(int start, int count)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(start);
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            if ((long)start + count > Count)
            {
                throw new ArgumentOutOfRangeException(nameof(count), $"Samples [{start}, {start + (long)count}) are outside the {Count} samples.");
            }
            return new Dataset<TTarget>(
                _features.AsSpan(start * FeatureSize, count * FeatureSize).ToArray(),
                _targets.AsSpan(start * TargetSize, count * TargetSize).ToArray(),
                FeatureSize, TargetSize) { ClassNames = ClassNames };
        }

        /// <summary>The samples at <paramref name="indices"/>, in that order, copied.</summary>
        public Dataset<TTarget> Select(ReadOnlySpan<int> indices)
        {
            float[] features = new float[(long)indices.Length * FeatureSize];
            TTarget[] targets = new TTarget[(long)indices.Length * TargetSize];
            for (int i = 0; i < indices.Length; i++)
            {
                FeaturesOf(indices[i]).CopyTo(features.AsSpan(i * FeatureSize));
                TargetsOf(indices[i]).CopyTo(targets.AsSpan(i * TargetSize));
            }
            return new Dataset<TTarget>(features, targets, FeatureSize, TargetSize) { ClassNames = ClassNames };
        }

        /// <summary>
        /// Splits off the last <paramref name="validationFraction"/> of the samples as a validation set, as
        /// Keras' <c>validation_split</c> does (before any shuffling, so the split is the same every run).
        /// With <paramref name="shuffleSeed"/> the samples are first permuted by that seed (useful when the
        /// file is sorted by class).
        /// </summary>
        public (Dataset<TTarget> Train, Dataset<TTarget> Validation) Split(float validationFraction, long? shuffleSeed = null)
        {
            if (!(validationFraction > 0 && validationFraction < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 1).");
            }
            // Keras' split point, floor(N·(1 − f)), with f read as the decimal it was written as (0.1f is 0.1, not 0.100000001).
            double fraction = (double)(decimal)validationFraction;
            int train = (int)Math.Floor(Count * (1.0 - fraction));
            int validation = Count - train;
            if (validation == 0 || train == 0)
            {
                throw new ArgumentException(
                    $"A validation fraction of {validationFraction} of {Count} samples leaves {train} to train on and {validation} to validate with; both need at least one.",
                    nameof(validationFraction));
            }
            if (shuffleSeed is long seed)
            {
                int[] order = DataLoader<TTarget>.Permutation(Count, seed, epoch: 0);
                return (Select(order.AsSpan(0, train)), Select(order.AsSpan(train)));
            }
            return (Slice(0, train), Slice(train, validation));
        }

        /// <summary>This dataset with every feature multiplied by <paramref name="factor"/> (e.g. 1/255 for pixels).</summary>
        public Dataset<TTarget> Scale(float factor)
        {
            float[] scaled = new float[_features.Length];
            System.Numerics.Tensors.TensorPrimitives.Multiply(_features, factor, scaled);
            return new Dataset<TTarget>(scaled, _targets, FeatureSize, TargetSize) { ClassNames = ClassNames };
        }

        /// <summary>This dataset, sharing its arrays, with <paramref name="classNames"/> for reports.</summary>
        public Dataset<TTarget> WithClassNames(IReadOnlyList<string>? classNames) =>
            new(_features, _targets, FeatureSize, TargetSize) { ClassNames = classNames };

        /// <summary>This dataset with <paramref name="features"/> in place of its own (same shape).</summary>
        public Dataset<TTarget> WithFeatures(float[] features) =>
            new(features, _targets, FeatureSize, TargetSize) { ClassNames = ClassNames };

        private int CheckIndex(int index)
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Sample index must be in [0, {Count}).");
            }
            return index;
        }
    }

    /// <summary>What every dataset offers whatever its targets; see <see cref="Dataset{TTarget}"/>.</summary>
    public abstract class Dataset
    {
        private protected Dataset()
        {
        }

        /// <summary>Number of samples.</summary>
        public abstract int Count { get; }

        /// <summary>Floats per sample (must equal the network's <c>InputSize</c>).</summary>
        public abstract int FeatureSize { get; }

        /// <summary>All features, <c>[Count × FeatureSize]</c>.</summary>
        public abstract ReadOnlySpan<float> Features { get; }

        /// <summary>The features of sample <paramref name="index"/>.</summary>
        public abstract ReadOnlySpan<float> FeaturesOf(int index);

        /// <summary>Optional names of the classes, by label (used by reports), e.g. "T-shirt/top" for 0.</summary>
        public IReadOnlyList<string>? ClassNames { get; init; }

        /// <summary>A classification dataset: <paramref name="features"/> <c>[N × featureSize]</c> and one label per sample.</summary>
        public static Dataset<int> FromLabels(float[] features, int[] labels, int featureSize) => new(features, labels, featureSize);

        /// <summary>A regression dataset: <paramref name="features"/> <c>[N × featureSize]</c> and <paramref name="targetSize"/> values per sample.</summary>
        public static Dataset<float> FromValues(float[] features, float[] targets, int featureSize, int targetSize = 1) =>
            new(features, targets, featureSize, targetSize);
    }
}

using System;
using System.Collections.Generic;

namespace NetGen.Data
{
    /// <summary>
    /// Samples held in memory: inputs of type <typeparamref name="TInput"/> as one flat array,
    /// <c>[Count × FeatureSize]</c> row-major (<see cref="float"/> features, or <see cref="int"/> token ids
    /// for a network that starts with an embedding), and targets of type <typeparamref name="TTarget"/>,
    /// <c>[Count × TargetSize]</c>: <see cref="int"/> class labels (one per sample, or one per time step) or
    /// <see cref="float"/> values. Float-feature datasets are <see cref="Dataset{TTarget}"/>.
    /// </summary>
    /// <remarks>
    /// Float features and targets must be finite: a NaN or ±∞ is refused when the dataset is created, naming the
    /// sample and column (CSV files are refused at the offending line). A dataset never copies the arrays it is
    /// given and never changes them (so changing them afterwards bypasses that check); every transformation
    /// (<see cref="Split"/>, <see cref="Slice"/>, …) returns a new dataset.
    /// </remarks>
    public class Dataset<TInput, TTarget> : Dataset where TInput : unmanaged where TTarget : unmanaged
    {
        private readonly TInput[] _features;
        private readonly TTarget[] _targets;

        /// <summary>
        /// Wraps <paramref name="features"/> (<c>[count × featureSize]</c>) and <paramref name="targets"/>
        /// (<c>[count × targetSize]</c>). The count is <c>features.Length / featureSize</c>; both arrays
        /// must agree on it.
        /// </summary>
        public Dataset(TInput[] features, TTarget[] targets, int featureSize, int targetSize = 1)
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
            CheckFinite(features, featureSize, nameof(features));
            CheckFinite(targets, targetSize, nameof(targets));
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

        /// <inheritdoc/>
        public override int TargetSize { get; }

        /// <inheritdoc/>
        public override Type InputType => typeof(TInput);

        /// <summary>All features, <c>[Count × FeatureSize]</c>.</summary>
        public ReadOnlySpan<TInput> Features => _features;

        /// <summary>All targets, <c>[Count × TargetSize]</c>.</summary>
        public ReadOnlySpan<TTarget> Targets => _targets;

        /// <summary>The features of sample <paramref name="index"/>.</summary>
        public ReadOnlySpan<TInput> FeaturesOf(int index) => _features.AsSpan(CheckIndex(index) * FeatureSize, FeatureSize);

        /// <summary>The targets of sample <paramref name="index"/>.</summary>
        public ReadOnlySpan<TTarget> TargetsOf(int index) => _targets.AsSpan(CheckIndex(index) * TargetSize, TargetSize);

        /// <summary>Samples <c>[start, start + count)</c>, copied.</summary>
        public Dataset<TInput, TTarget> Slice(int start, int count)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(start);
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            if ((long)start + count > Count)
            {
                throw new ArgumentOutOfRangeException(nameof(count), $"Samples [{start}, {start + (long)count}) are outside the {Count} samples.");
            }
            return Create(
                _features.AsSpan(start * FeatureSize, count * FeatureSize).ToArray(),
                _targets.AsSpan(start * TargetSize, count * TargetSize).ToArray(),
                ClassNames);
        }

        /// <summary>The samples at <paramref name="indices"/>, in that order, copied.</summary>
        public Dataset<TInput, TTarget> Select(ReadOnlySpan<int> indices)
        {
            TInput[] features = new TInput[(long)indices.Length * FeatureSize];
            TTarget[] targets = new TTarget[(long)indices.Length * TargetSize];
            for (int i = 0; i < indices.Length; i++)
            {
                FeaturesOf(indices[i]).CopyTo(features.AsSpan(i * FeatureSize));
                TargetsOf(indices[i]).CopyTo(targets.AsSpan(i * TargetSize));
            }
            return Create(features, targets, ClassNames);
        }

        /// <summary>
        /// Splits off the last <paramref name="validationFraction"/> of the samples as a validation set, as
        /// Keras' <c>validation_split</c> does (before any shuffling, so the split is the same every run).
        /// With <paramref name="shuffleSeed"/> the samples are first permuted by that seed (useful when the
        /// file is sorted by class).
        /// </summary>
        public (Dataset<TInput, TTarget> Train, Dataset<TInput, TTarget> Validation) Split(float validationFraction, long? shuffleSeed = null)
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
                int[] order = DataLoader<TInput, TTarget>.Permutation(Count, seed, epoch: 0);
                return (Select(order.AsSpan(0, train)), Select(order.AsSpan(train)));
            }
            return (Slice(0, train), Slice(train, validation));
        }

        /// <summary>This dataset, sharing its arrays, with <paramref name="classNames"/> for reports.</summary>
        public Dataset<TInput, TTarget> WithClassNames(IReadOnlyList<string>? classNames) => Create(_features, _targets, classNames);

        /// <summary>This dataset with <paramref name="features"/> in place of its own (same shape).</summary>
        public Dataset<TInput, TTarget> WithFeatures(TInput[] features) => Create(features, _targets, ClassNames);

        /// <summary>
        /// A dataset of this dataset's kind and shape around new arrays: what every transformation returns, so
        /// a <see cref="Dataset{TTarget}"/> stays one.
        /// </summary>
        private protected virtual Dataset<TInput, TTarget> Create(TInput[] features, TTarget[] targets, IReadOnlyList<string>? classNames) =>
            new(features, targets, FeatureSize, TargetSize) { ClassNames = classNames };

        internal override ReadOnlySpan<T> FeaturesOfType<T>()
        {
            if (typeof(T) != typeof(TInput))
            {
                throw new ArgumentException($"The dataset holds {typeof(TInput).Name} inputs; the network takes {typeof(T).Name} inputs.");
            }
            return System.Runtime.InteropServices.MemoryMarshal.Cast<TInput, T>(_features);
        }

        /// <summary>
        /// Throws naming the first NaN or ±∞ in <paramref name="values"/> (<c>[count × size]</c>) by sample and column,
        /// when they are floats: one NaN feature trains every parameter to NaN. One vectorized pass (about 3 ms for
        /// the 47 million values of Fashion-MNIST's training images), then a scalar search only on failure.
        /// </summary>
        private static void CheckFinite<T>(T[] values, int size, string paramName) where T : unmanaged
        {
            if (typeof(T) != typeof(float))
            {
                return;
            }
            ReadOnlySpan<float> floats = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values.AsSpan());
            if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(floats))
            {
                return;
            }
            for (int i = 0; i < floats.Length; i++)
            {
                if (!float.IsFinite(floats[i]))
                {
                    string which = paramName == "features" ? "feature" : "target";
                    throw new ArgumentException(
                        $"{paramName}: sample {i / size}, column {i % size} is {floats[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                        $"every {which} must be a finite number (one NaN or ∞ turns the loss and every parameter into NaN). Fix or drop that sample.",
                        paramName);
                }
            }
        }

        private int CheckIndex(int index)
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Sample index must be in [0, {Count}).");
            }
            return index;
        }
    }

    /// <summary>
    /// A dataset with <see cref="float"/> features, as a network with float inputs takes: see
    /// <see cref="Dataset{TInput, TTarget}"/>. Its transformations return <see cref="Dataset{TTarget}"/> again.
    /// </summary>
    public sealed class Dataset<TTarget> : Dataset<float, TTarget> where TTarget : unmanaged
    {
        /// <summary>
        /// Wraps <paramref name="features"/> (<c>[count × featureSize]</c>) and <paramref name="targets"/>
        /// (<c>[count × targetSize]</c>). The count is <c>features.Length / featureSize</c>; both arrays
        /// must agree on it.
        /// </summary>
        public Dataset(float[] features, TTarget[] targets, int featureSize, int targetSize = 1)
            : base(features, targets, featureSize, targetSize)
        {
        }

        /// <summary>Samples <c>[start, start + count)</c>, copied.</summary>
        public new Dataset<TTarget> Slice(int start, int count) => (Dataset<TTarget>)base.Slice(start, count);

        /// <summary>The samples at <paramref name="indices"/>, in that order, copied.</summary>
        public new Dataset<TTarget> Select(ReadOnlySpan<int> indices) => (Dataset<TTarget>)base.Select(indices);

        /// <summary>
        /// Splits off the last <paramref name="validationFraction"/> of the samples as a validation set, as
        /// Keras' <c>validation_split</c> does; see <see cref="Dataset{TInput, TTarget}.Split"/>.
        /// </summary>
        public new (Dataset<TTarget> Train, Dataset<TTarget> Validation) Split(float validationFraction, long? shuffleSeed = null)
        {
            (Dataset<float, TTarget> train, Dataset<float, TTarget> validation) = base.Split(validationFraction, shuffleSeed);
            return ((Dataset<TTarget>)train, (Dataset<TTarget>)validation);
        }

        /// <summary>This dataset with every feature multiplied by <paramref name="factor"/> (e.g. 1/255 for pixels).</summary>
        public Dataset<TTarget> Scale(float factor)
        {
            float[] scaled = new float[Features.Length];
            System.Numerics.Tensors.TensorPrimitives.Multiply(Features, factor, scaled);
            return WithFeatures(scaled);
        }

        /// <summary>This dataset, sharing its arrays, with <paramref name="classNames"/> for reports.</summary>
        public new Dataset<TTarget> WithClassNames(IReadOnlyList<string>? classNames) => (Dataset<TTarget>)base.WithClassNames(classNames);

        /// <summary>This dataset with <paramref name="features"/> in place of its own (same shape).</summary>
        public new Dataset<TTarget> WithFeatures(float[] features) => (Dataset<TTarget>)base.WithFeatures(features);

        private protected override Dataset<float, TTarget> Create(float[] features, TTarget[] targets, IReadOnlyList<string>? classNames) =>
            new Dataset<TTarget>(features, targets, FeatureSize, TargetSize) { ClassNames = classNames };
    }

    /// <summary>What every dataset offers whatever its inputs and targets; see <see cref="Dataset{TInput, TTarget}"/>.</summary>
    public abstract class Dataset
    {
        private protected Dataset()
        {
        }

        /// <summary>Number of samples.</summary>
        public abstract int Count { get; }

        /// <summary>Input values per sample: floats, or token ids (must equal the network's <c>InputSize</c>).</summary>
        public abstract int FeatureSize { get; }

        /// <summary>Targets per sample: 1 class label, T labels for a per-time-step classifier, or the output size for values.</summary>
        public abstract int TargetSize { get; }

        /// <summary>The type of the input values: <see cref="float"/> features or <see cref="int"/> token ids.</summary>
        public abstract Type InputType { get; }

        /// <summary>Optional names of the classes, by label (used by reports), e.g. "T-shirt/top" for 0.</summary>
        public IReadOnlyList<string>? ClassNames { get; init; }

        /// <summary>A classification dataset: <paramref name="features"/> <c>[N × featureSize]</c> and one label per sample.</summary>
        public static Dataset<int> FromLabels(float[] features, int[] labels, int featureSize) => new(features, labels, featureSize);

        /// <summary>A regression dataset: <paramref name="features"/> <c>[N × featureSize]</c> and <paramref name="targetSize"/> values per sample.</summary>
        public static Dataset<float> FromValues(float[] features, float[] targets, int featureSize, int targetSize = 1) =>
            new(features, targets, featureSize, targetSize);

        /// <summary>
        /// A token classification dataset: <paramref name="tokens"/> <c>[N × sequenceLength]</c> token ids and
        /// <paramref name="labels"/> <c>[N × targetSize]</c>: one label per sequence (<paramref name="targetSize"/> 1),
        /// or one per time step (<paramref name="targetSize"/> = <paramref name="sequenceLength"/>) for a network
        /// that classifies every step. Token ids are checked against the vocabulary by the network.
        /// </summary>
        public static Dataset<int, int> FromTokens(int[] tokens, int[] labels, int sequenceLength, int targetSize = 1) =>
            new(tokens, labels, sequenceLength, targetSize);

        /// <summary>All features reinterpreted as <typeparamref name="T"/>; throws unless that is <see cref="InputType"/>.</summary>
        internal abstract ReadOnlySpan<T> FeaturesOfType<T>() where T : unmanaged;
    }
}

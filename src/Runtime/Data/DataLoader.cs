using System;

namespace NetGen.Data
{
    /// <summary>
    /// Cuts a dataset into batches for one epoch at a time, like PyTorch's <c>DataLoader</c>: in order, or
    /// shuffled with an order that is a function of <c>(seed, epoch)</c> alone, so epoch 7 is the same
    /// whether training ran from epoch 0 or resumed at 7. The last batch is smaller when the batch size
    /// does not divide the count (unless <c>dropLast</c>). Batches are views of buffers the loader owns and
    /// reuses: iterating allocates nothing, and a batch is valid only until the next one. Inputs are
    /// <typeparamref name="TInput"/> values: <see cref="float"/> features or <see cref="int"/> token ids.
    /// </summary>
    public class DataLoader<TInput, TTarget> where TInput : unmanaged where TTarget : unmanaged
    {
        private readonly TInput[] _inputs;
        private readonly TTarget[] _targets;
        private readonly int[] _order;

        /// <summary>Creates a loader of <paramref name="batchSize"/> samples per batch over <paramref name="dataset"/>.</summary>
        public DataLoader(Dataset<TInput, TTarget> dataset, int batchSize, bool shuffle = false, long seed = 0, bool dropLast = false)
        {
            ArgumentNullException.ThrowIfNull(dataset);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
            Dataset = dataset;
            BatchSize = batchSize;
            Shuffle = shuffle;
            Seed = seed;
            DropLast = dropLast;
            int buffered = Math.Min(batchSize, Math.Max(dataset.Count, 1));
            _inputs = shuffle ? new TInput[(long)buffered * dataset.FeatureSize] : [];
            _targets = shuffle ? new TTarget[(long)buffered * dataset.TargetSize] : [];
            _order = shuffle ? new int[dataset.Count] : [];
        }

        /// <summary>The dataset batched.</summary>
        public Dataset<TInput, TTarget> Dataset { get; }

        /// <summary>Samples per batch (the last batch may hold fewer).</summary>
        public int BatchSize { get; }

        /// <summary>Whether each epoch visits the samples in a fresh random order.</summary>
        public bool Shuffle { get; }

        /// <summary>The seed the shuffled orders derive from.</summary>
        public long Seed { get; }

        /// <summary>Whether a last, incomplete batch is skipped.</summary>
        public bool DropLast { get; }

        /// <summary>Batches per epoch.</summary>
        public int BatchCount => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

        /// <summary>Samples per epoch (all of them, or fewer with <see cref="DropLast"/>).</summary>
        public int SampleCount => DropLast ? BatchCount * BatchSize : Dataset.Count;

        /// <summary>The batches of epoch <paramref name="epoch"/> (0-based). Only one enumeration may be active at a time.</summary>
        public Enumerable Epoch(int epoch)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(epoch);
            if (Shuffle)
            {
                FillPermutation(_order, Seed, epoch);
            }
            return new Enumerable(this);
        }

        /// <summary>
        /// The order in which a shuffled loader with <paramref name="seed"/> visits <paramref name="count"/>
        /// samples in epoch <paramref name="epoch"/>: a Fisher–Yates shuffle of 0…count−1 by an <see cref="Rng"/>
        /// seeded from both.
        /// </summary>
        public static int[] Permutation(int count, long seed, int epoch)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            int[] order = new int[count];
            FillPermutation(order, seed, epoch);
            return order;
        }

        private static void FillPermutation(int[] order, long seed, int epoch)
        {
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }
            // The golden-ratio increment keeps (seed, epoch) and (seed + 1, epoch − k) apart; Rng mixes further.
            var rng = new Rng(unchecked(seed + (epoch + 1) * (long)0x9E3779B97F4A7C15UL));
            rng.Shuffle(order.AsSpan());
        }

        /// <summary>
        /// The dataset row at <paramref name="position"/> of batch <paramref name="batch"/> in the epoch last started
        /// with <see cref="Epoch"/>: where an error found in a batch is in the data.
        /// </summary>
        public int RowOf(int batch, int position)
        {
            long at = (long)batch * BatchSize + position;
            if ((uint)batch >= (uint)BatchCount || (uint)position >= (uint)BatchSize || at >= SampleCount)
            {
                throw new ArgumentOutOfRangeException(nameof(position), $"Batch {batch}, position {position} is outside this epoch's {BatchCount} batches of {BatchSize}.");
            }
            return Shuffle ? _order[at] : (int)at;
        }

        private Batch MakeBatch(int index)
        {
            int start = index * BatchSize;
            int size = Math.Min(BatchSize, Dataset.Count - start);
            int f = Dataset.FeatureSize, t = Dataset.TargetSize;
            if (!Shuffle)
            {
                return new Batch(index, size, Dataset.Features.Slice(start * f, size * f), Dataset.Targets.Slice(start * t, size * t));
            }
            ReadOnlySpan<TInput> features = Dataset.Features;
            ReadOnlySpan<TTarget> targets = Dataset.Targets;
            for (int b = 0; b < size; b++)
            {
                int sample = _order[start + b];
                features.Slice(sample * f, f).CopyTo(_inputs.AsSpan(b * f, f));
                targets.Slice(sample * t, t).CopyTo(_targets.AsSpan(b * t, t));
            }
            return new Batch(index, size, _inputs.AsSpan(0, size * f), _targets.AsSpan(0, size * t));
        }

        /// <summary>One batch: <see cref="Size"/> samples' inputs and targets, views valid until the next batch.</summary>
        public readonly ref struct Batch
        {
            internal Batch(int index, int size, ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets)
            {
                Index = index;
                Size = size;
                Inputs = inputs;
                Targets = targets;
            }

            /// <summary>Position of the batch in its epoch, from 0.</summary>
            public int Index { get; }

            /// <summary>Samples in the batch.</summary>
            public int Size { get; }

            /// <summary>Inputs, <c>[Size × FeatureSize]</c>.</summary>
            public ReadOnlySpan<TInput> Inputs { get; }

            /// <summary>Targets, <c>[Size × TargetSize]</c>.</summary>
            public ReadOnlySpan<TTarget> Targets { get; }
        }

        /// <summary>The batches of one epoch, for <c>foreach</c>.</summary>
        public readonly struct Enumerable
        {
            private readonly DataLoader<TInput, TTarget> _loader;

            internal Enumerable(DataLoader<TInput, TTarget> loader) => _loader = loader;

            /// <summary>Starts the enumeration.</summary>
            public Enumerator GetEnumerator() => new(_loader);
        }

        /// <summary>Walks the batches of one epoch without allocating.</summary>
        public struct Enumerator
        {
            private readonly DataLoader<TInput, TTarget> _loader;
            private readonly int _count;
            private int _index;

            internal Enumerator(DataLoader<TInput, TTarget> loader)
            {
                _loader = loader;
                _count = loader.BatchCount;
                _index = -1;
            }

            /// <summary>The current batch.</summary>
            public readonly Batch Current => _loader.MakeBatch(_index);

            /// <summary>Advances to the next batch.</summary>
            public bool MoveNext() => ++_index < _count;
        }
    }

    /// <summary>A <see cref="DataLoader{TInput, TTarget}"/> over a dataset with <see cref="float"/> features.</summary>
    public sealed class DataLoader<TTarget> : DataLoader<float, TTarget> where TTarget : unmanaged
    {
        /// <summary>Creates a loader of <paramref name="batchSize"/> samples per batch over <paramref name="dataset"/>.</summary>
        public DataLoader(Dataset<float, TTarget> dataset, int batchSize, bool shuffle = false, long seed = 0, bool dropLast = false)
            : base(dataset, batchSize, shuffle, seed, dropLast)
        {
        }
    }
}

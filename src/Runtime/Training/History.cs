using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NetGen
{
    /// <summary>
    /// What one epoch of <c>Fit</c> measured, under Keras' names: <c>loss</c> and <c>accuracy</c> (or
    /// <c>mae</c> for mean-squared-error networks) on the training batches, <c>val_loss</c> and
    /// <c>val_accuracy</c> on the validation data, and <c>lr</c>, the learning rate at the epoch's start.
    /// </summary>
    public sealed class EpochLog
    {
        private readonly Dictionary<string, double> _metrics;

        /// <summary>Creates a log for epoch <paramref name="epoch"/> (0-based).</summary>
        public EpochLog(int epoch, IReadOnlyDictionary<string, double> metrics, double seconds)
        {
            ArgumentNullException.ThrowIfNull(metrics);
            Epoch = epoch;
            _metrics = new Dictionary<string, double>(metrics, StringComparer.Ordinal);
            Names = [.. metrics.Keys];
            Seconds = seconds;
        }

        /// <summary>The epoch index, from 0 (displays add 1).</summary>
        public int Epoch { get; }

        /// <summary>Wall-clock seconds the epoch took, validation included.</summary>
        public double Seconds { get; }

        /// <summary>The metric names, in the order they were recorded.</summary>
        public IReadOnlyList<string> Names { get; }

        /// <summary>The value of <paramref name="metric"/>; throws naming the available ones if absent.</summary>
        public double this[string metric] => TryGet(metric, out double value) ? value
            : throw new KeyNotFoundException($"No metric \"{metric}\" in this epoch; there are {string.Join(", ", Names)}.");

        /// <summary>Whether <paramref name="metric"/> was recorded, and its value.</summary>
        public bool TryGet(string metric, out double value) => _metrics.TryGetValue(metric, out value);

        /// <inheritdoc/>
        public override string ToString()
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"epoch {Epoch + 1}");
            foreach (string name in Names)
            {
                text.Append("  ").Append(name).Append(' ').Append(Format(name, _metrics[name]));
            }
            return text.ToString();
        }

        /// <summary>A metric formatted for people: accuracies as percentages, the rest with 4 significant decimals.</summary>
        public static string Format(string name, double value)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (name.EndsWith("accuracy", StringComparison.Ordinal))
            {
                return (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
            }
            if (name == "lr")
            {
                return value.ToString("0.####e+0", CultureInfo.InvariantCulture);
            }
            return value.ToString("F4", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The per-epoch record of a <c>Fit</c> run, like Keras' <c>History</c>: <c>history["val_loss"]</c> is
    /// the validation loss of every epoch. <see cref="ToCsv"/> writes it in the shape of Keras' <c>CSVLogger</c>.
    /// </summary>
    public sealed class History
    {
        private readonly List<EpochLog> _epochs = new();
        private readonly List<string> _names = new();

        /// <summary>One log per epoch run, in order.</summary>
        public IReadOnlyList<EpochLog> Epochs => _epochs;

        /// <summary>Every metric name seen, in first-seen order.</summary>
        public IReadOnlyList<string> Names => _names;

        /// <summary>The epoch at which a callback, or a non-finite step, stopped training (0-based), or null if it ran to the end.</summary>
        public int? StoppedEpoch { get; internal set; }

        /// <summary>
        /// The step whose loss or gradients were NaN or ±∞, when <see cref="FitOptions.OnNonFinite"/> is
        /// <see cref="NonFiniteAction.Stop"/> and training stopped there; null otherwise. The epoch it happened in is
        /// not in <see cref="Epochs"/> (it did not complete).
        /// </summary>
        public NonFiniteStep? NonFinite { get; internal set; }

        /// <summary>
        /// Where training ended (epochs completed, optimizer steps, initial learning rate, seed): save it with
        /// <c>Checkpoint.Save(network, path, optimizer, history.TrainingState)</c> to resume later.
        /// </summary>
        public TrainingState? TrainingState { get; internal set; }

        /// <summary>The values of <paramref name="metric"/>, one per epoch (NaN where an epoch lacks it).</summary>
        public IReadOnlyList<double> this[string metric]
        {
            get
            {
                if (!_names.Contains(metric))
                {
                    throw new KeyNotFoundException($"No metric \"{metric}\" in this history; there are {string.Join(", ", _names)}.");
                }
                var values = new double[_epochs.Count];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = _epochs[i].TryGet(metric, out double v) ? v : double.NaN;
                }
                return values;
            }
        }

        /// <summary>Whether any epoch recorded <paramref name="metric"/>.</summary>
        public bool Contains(string metric) => _names.Contains(metric);

        /// <summary>Appends an epoch's log.</summary>
        public void Add(EpochLog log)
        {
            ArgumentNullException.ThrowIfNull(log);
            _epochs.Add(log);
            foreach (string name in log.Names)
            {
                if (!_names.Contains(name))
                {
                    _names.Add(name);
                }
            }
        }

        /// <summary>
        /// The history as CSV: a header <c>epoch,loss,accuracy,…,seconds</c> and one row per epoch (epoch from 0,
        /// as Keras' <c>CSVLogger</c>), numbers in the invariant culture at full precision, empty cells for missing values.
        /// </summary>
        public string ToCsv()
        {
            var csv = new StringBuilder();
            csv.Append("epoch");
            foreach (string name in _names)
            {
                csv.Append(',').Append(name);
            }
            csv.Append(",seconds\n");
            foreach (EpochLog log in _epochs)
            {
                csv.Append(log.Epoch.ToString(CultureInfo.InvariantCulture));
                foreach (string name in _names)
                {
                    csv.Append(',');
                    if (log.TryGet(name, out double v))
                    {
                        csv.Append(v.ToString("R", CultureInfo.InvariantCulture));
                    }
                }
                csv.Append(',').Append(log.Seconds.ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
            }
            return csv.ToString();
        }

        /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/>.</summary>
        public void SaveCsv(string path) => File.WriteAllText(path, ToCsv());
    }
}

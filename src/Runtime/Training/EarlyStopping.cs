using System;

namespace NetGen
{
    /// <summary>Whether a monitored metric should go down (<see cref="Min"/>) or up (<see cref="Max"/>).</summary>
    public enum MonitorMode
    {
        /// <summary>Decided from the name, as Keras does: up for accuracy, precision, recall and F1, down otherwise.</summary>
        Auto,

        /// <summary>Lower is better (losses, errors).</summary>
        Min,

        /// <summary>Higher is better (accuracy).</summary>
        Max,
    }

    /// <summary>Tracks the best value of a metric across epochs.</summary>
    internal sealed class MetricMonitor
    {
        private readonly double _minDelta;

        public MetricMonitor(string metric, MonitorMode mode, double minDelta)
        {
            ArgumentException.ThrowIfNullOrEmpty(metric);
            if (!(minDelta >= 0) || !double.IsFinite(minDelta))
            {
                throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number ≥ 0.");
            }
            if (!Enum.IsDefined(mode))
            {
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown monitor mode.");
            }
            Metric = metric;
            Maximize = mode == MonitorMode.Max || (mode == MonitorMode.Auto && IsHigherBetter(metric));
            _minDelta = minDelta;
            Best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;
        }

        public string Metric { get; }
        public bool Maximize { get; }
        public double Best { get; private set; }

        public void Reset() => Best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;

        /// <summary>Reads the metric from <paramref name="log"/>; throws, naming what there is, if absent.</summary>
        public double Read(EpochLog log)
        {
            if (!log.TryGet(Metric, out double value))
            {
                string hint = Metric.StartsWith("val_", StringComparison.Ordinal)
                    ? " Validation metrics need ValidationSplit or Validation in FitOptions."
                    : "";
                throw new InvalidOperationException($"Monitored metric \"{Metric}\" is not logged; the epoch has {string.Join(", ", log.Names)}.{hint}");
            }
            return value;
        }

        /// <summary>Whether <paramref name="value"/> beats the best by more than minDelta; if so it becomes the best.</summary>
        public bool Improve(double value)
        {
            bool better = Maximize ? value - _minDelta > Best : value + _minDelta < Best;
            if (better)
            {
                Best = value;
            }
            return better;
        }

        private static bool IsHigherBetter(string metric)
        {
            foreach (string word in new[] { "acc", "precision", "recall", "f1", "auc" })
            {
                if (metric.Contains(word, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// Stops training when a monitored metric has not improved for <see cref="Patience"/> epochs, as Keras'
    /// <c>EarlyStopping</c>: an epoch improves when it beats the best so far by more than <c>minDelta</c>.
    /// With <c>restoreBestWeights</c> the network ends training with the parameters (and buffers) of its
    /// best epoch, whether or not it stopped early.
    /// </summary>
    public sealed class EarlyStopping : Callback
    {
        private readonly MetricMonitor _monitor;
        private float[] _bestParameters = [];
        private float[] _bestBuffers = [];
        private int _wait;

        /// <summary>Watches <paramref name="monitor"/> (default <c>val_loss</c>).</summary>
        public EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = false)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(patience);
            _monitor = new MetricMonitor(monitor, mode, minDelta);
            Patience = patience;
            RestoreBestWeights = restoreBestWeights;
        }

        /// <summary>Epochs without improvement tolerated before stopping.</summary>
        public int Patience { get; }

        /// <summary>Whether the best epoch's parameters are put back at the end.</summary>
        public bool RestoreBestWeights { get; }

        /// <summary>The best value seen.</summary>
        public double Best => _monitor.Best;

        /// <summary>The epoch (0-based) of the best value, or −1 before the first.</summary>
        public int BestEpoch { get; private set; } = -1;

        /// <summary>The epoch at which this callback stopped training, or null.</summary>
        public int? StoppedEpoch { get; private set; }

        /// <inheritdoc/>
        public override void OnTrainBegin(TrainingContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            _monitor.Reset();
            _wait = 0;
            BestEpoch = -1;
            StoppedEpoch = null;
            if (RestoreBestWeights)
            {
                _bestParameters = new float[context.Network.Parameters.Length];
                _bestBuffers = new float[context.Network.Buffers.Length];
            }
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(TrainingContext context, EpochLog log)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(log);
            double current = _monitor.Read(log);
            if (_monitor.Improve(current))
            {
                _wait = 0;
                BestEpoch = log.Epoch;
                if (RestoreBestWeights)
                {
                    context.Network.Parameters.CopyTo(_bestParameters);
                    context.Network.Buffers.CopyTo(_bestBuffers);
                }
                return;
            }
            _wait++;
            // Stopping at the last epoch would stop nothing: training ends there anyway.
            if (_wait >= Patience && log.Epoch + 1 < context.Epochs)
            {
                StoppedEpoch = log.Epoch;
                context.StopTraining = true;
                context.Log($"Early stopping after epoch {log.Epoch + 1}: {_monitor.Metric} has not improved for {_wait} epoch{(_wait == 1 ? "" : "s")} (best {EpochLog.Format(_monitor.Metric, Best)} at epoch {BestEpoch + 1}).");
            }
        }

        /// <inheritdoc/>
        public override void OnTrainEnd(TrainingContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (RestoreBestWeights && BestEpoch >= 0 && context.History.Epochs.Count > 0 && context.History.Epochs[^1].Epoch != BestEpoch)
            {
                _bestParameters.CopyTo(context.Network.Parameters);
                _bestBuffers.CopyTo(context.Network.Buffers);
                context.Log($"Restored the parameters of epoch {BestEpoch + 1} ({_monitor.Metric} {EpochLog.Format(_monitor.Metric, Best)}).");
            }
        }
    }
}

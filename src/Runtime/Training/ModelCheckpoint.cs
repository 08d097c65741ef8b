using System;
using System.Globalization;

namespace NetGen
{
    /// <summary>
    /// Saves a checkpoint (safetensors, written atomically) after epochs, as Keras' <c>ModelCheckpoint</c>:
    /// by default only when the monitored metric improves, so the file always holds the best network so
    /// far. The path may contain <c>{epoch}</c> (1-based). With <c>includeOptimizer</c> (the default) the
    /// optimizer's state and the training state go in too, so <c>Fit</c> can resume from the file exactly.
    /// </summary>
    public sealed class ModelCheckpoint : Callback
    {
        private readonly MetricMonitor _monitor;

        /// <summary>Saves to <paramref name="path"/>, watching <paramref name="monitor"/> (default <c>val_loss</c>).</summary>
        public ModelCheckpoint(string path, string monitor = "val_loss", MonitorMode mode = MonitorMode.Auto, bool saveBestOnly = true, bool includeOptimizer = true)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            Path = path;
            _monitor = new MetricMonitor(monitor, mode, 0);
            SaveBestOnly = saveBestOnly;
            IncludeOptimizer = includeOptimizer;
        }

        /// <summary>The file written (a pattern if it contains <c>{epoch}</c>).</summary>
        public string Path { get; }

        /// <summary>Whether only improvements are saved (otherwise every epoch).</summary>
        public bool SaveBestOnly { get; }

        /// <summary>Whether optimizer and training state are saved with the parameters.</summary>
        public bool IncludeOptimizer { get; }

        /// <summary>The best monitored value so far.</summary>
        public double Best => _monitor.Best;

        /// <summary>The path last written, or null.</summary>
        public string? LastSaved { get; private set; }

        /// <inheritdoc/>
        public override void OnTrainBegin(TrainingContext context)
        {
            _monitor.Reset();
            LastSaved = null;
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(TrainingContext context, EpochLog log)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(log);
            // Saving every epoch needs no monitored metric; saving the best does.
            double current = SaveBestOnly ? _monitor.Read(log) : log.TryGet(_monitor.Metric, out double value) ? value : double.NaN;
            bool improved = !double.IsNaN(current) && _monitor.Improve(current);
            if (SaveBestOnly && !improved)
            {
                return;
            }
            string path = Path.Replace("{epoch}", (log.Epoch + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var metadata = new System.Collections.Generic.Dictionary<string, string>
            {
                ["epoch"] = (log.Epoch + 1).ToString(CultureInfo.InvariantCulture),
            };
            if (!double.IsNaN(current))
            {
                metadata["monitor"] = _monitor.Metric;
                metadata[_monitor.Metric] = current.ToString("R", CultureInfo.InvariantCulture);
            }
            Checkpoint.Save(context.Network, path, IncludeOptimizer ? context.Optimizer : null, IncludeOptimizer ? context.State : null, metadata);
            LastSaved = path;
        }
    }
}

using System;

namespace NetGen
{
    /// <summary>
    /// A progress display for <c>Fit</c>: a <see cref="Callback"/> that also prints the messages other
    /// callbacks send through <see cref="TrainingContext.Log"/>. The runtime's <see cref="ConsoleProgress"/>
    /// needs nothing but the console; NetGen.Console offers a Spectre.Console one through this same type.
    /// </summary>
    public abstract class ProgressReporter : Callback
    {
        /// <summary>Prints one message line (e.g. "Early stopping: …") without breaking a live display.</summary>
        public abstract void WriteLine(string message);

        /// <summary>Called instead of <see cref="Callback.OnTrainEnd"/> when training ends by an exception: close any live display.</summary>
        public virtual void OnTrainAborted()
        {
        }
    }

    /// <summary>
    /// The default display. On an interactive console: the network's summary and the SIMD level
    /// (<see cref="ExecutionInfo.Describe"/>), then per epoch a bar
    /// redrawn in place (at most ten times a second) with samples/s, loss, the training metric and the ETA,
    /// replaced by the epoch's line when it ends. When the output is redirected (CI logs, files): just one
    /// plain line per epoch.
    /// </summary>
    public sealed class ConsoleProgress : ProgressReporter
    {
        private const int BarWidth = 24;
        private static readonly long RedrawTicks = System.Diagnostics.Stopwatch.Frequency / 10;
        private readonly System.IO.TextWriter? _writer;
        private long _lastDraw;
        private int _drawnLength;

        /// <summary>
        /// Writes to <paramref name="writer"/> (default the console). <paramref name="live"/> chooses the
        /// in-place bar; by default it is on exactly when writing to a console whose output is not redirected.
        /// </summary>
        public ConsoleProgress(System.IO.TextWriter? writer = null, bool? live = null)
        {
            _writer = writer;
            Live = live ?? (writer is null && !Console.IsOutputRedirected);
        }

        /// <summary>Whether the bar is redrawn in place (otherwise one line per epoch).</summary>
        public bool Live { get; }

        private System.IO.TextWriter Out => _writer ?? Console.Out;

        /// <inheritdoc/>
        public override void OnTrainBegin(TrainingContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            Out.WriteLine(context.Network.Summary.TrimEnd());
            Out.WriteLine($"Training on {context.SampleCount:N0} samples in {context.BatchCount:N0} batches per epoch{(context.HasValidation ? ", validating after each epoch" : "")}.");
            Out.WriteLine(ExecutionInfo.Describe());
        }

        /// <inheritdoc/>
        public override void OnEpochBegin(TrainingContext context, int epoch) => _lastDraw = 0;

        /// <inheritdoc/>
        public override void OnBatchEnd(TrainingContext context, in BatchLog batch)
        {
            if (!Live)
            {
                return;
            }
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (now - _lastDraw < RedrawTicks && batch.Batch + 1 < batch.BatchCount)
            {
                return;
            }
            _lastDraw = now;
            Draw(FormatBar(context.Epochs, batch));
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(TrainingContext context, EpochLog log)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(log);
            string line = FormatEpoch(context.Epochs, context.SampleCount, log);
            if (Live)
            {
                Draw(line);
                Out.WriteLine();
                _drawnLength = 0;
            }
            else
            {
                Out.WriteLine(line);
            }
        }

        /// <inheritdoc/>
        public override void WriteLine(string message)
        {
            if (_drawnLength > 0)
            {
                Out.Write('\r' + new string(' ', _drawnLength) + '\r');
                _drawnLength = 0;
            }
            Out.WriteLine(message);
        }

        /// <inheritdoc/>
        public override void OnTrainAborted()
        {
            if (_drawnLength > 0)
            {
                Out.WriteLine();
                _drawnLength = 0;
            }
        }

        /// <summary>The line printed when an epoch ends, e.g. <c>Epoch  3/10  60,000 samples  4.2 s  14,300 samples/s  loss 0.4321  accuracy 84.12%  val_loss …</c>.</summary>
        public static string FormatEpoch(int epochs, int samples, EpochLog log)
        {
            ArgumentNullException.ThrowIfNull(log);
            int width = epochs.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            var text = new System.Text.StringBuilder();
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"Epoch {(log.Epoch + 1).ToString().PadLeft(width)}/{epochs}  {log.Seconds,5:F1} s  {samples / Math.Max(log.Seconds, 1e-9),9:N0} samples/s");
            foreach (string name in log.Names)
            {
                text.Append("  ").Append(name).Append(' ').Append(EpochLog.Format(name, log[name]));
            }
            return text.ToString();
        }

        private static string FormatBar(int epochs, in BatchLog batch)
        {
            int width = epochs.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            double fraction = (double)batch.SamplesDone / Math.Max(1, batch.SampleCount);
            int filled = (int)(fraction * BarWidth);
            string bar = new string('=', filled) + (filled < BarWidth ? ">" + new string('.', BarWidth - filled - 1) : "");
            double seconds = batch.Elapsed.TotalSeconds;
            double rate = batch.SamplesDone / Math.Max(seconds, 1e-9);
            double eta = (batch.SampleCount - batch.SamplesDone) / Math.Max(rate, 1e-9);
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Epoch {(batch.Epoch + 1).ToString().PadLeft(width)}/{epochs} [{bar}] {batch.SamplesDone,7:N0}/{batch.SampleCount:N0}  {rate,7:N0} samples/s  loss {batch.RunningLoss:F4}  {batch.MetricName} {EpochLog.Format(batch.MetricName, batch.RunningMetric)}  ETA {eta:F0} s");
        }

        private void Draw(string line)
        {
            int max = ConsoleWidth() - 1;
            if (max > 10 && line.Length > max)
            {
                line = line.Substring(0, max);
            }
            int pad = Math.Max(0, _drawnLength - line.Length);
            Out.Write('\r' + line + new string(' ', pad));
            Out.Flush();
            _drawnLength = line.Length;
        }

        private int ConsoleWidth()
        {
            if (_writer is not null)
            {
                return int.MaxValue;
            }
            try
            {
                int w = Console.WindowWidth;
                return w > 0 ? w : int.MaxValue;
            }
            catch (System.IO.IOException)
            {
                return int.MaxValue;
            }
            catch (PlatformNotSupportedException)
            {
                return int.MaxValue;
            }
        }
    }
}

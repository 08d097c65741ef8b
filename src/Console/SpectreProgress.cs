using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NetGen
{
    /// <summary>
    /// A Spectre.Console display for <c>Fit</c>: the network's summary in a panel, then per epoch a live
    /// progress bar with samples/s, running loss and metric, and the time left, replaced by a coloured
    /// line when the epoch ends. When the console is not interactive (output redirected, CI) it writes
    /// the same plain line per epoch as <see cref="ConsoleProgress"/>.
    /// </summary>
    public sealed class SpectreProgress : ProgressReporter
    {
        private readonly IAnsiConsole _console;
        private readonly ConsoleProgress? _plain;
        private TaskCompletionSource? _epochDone;
        private Task? _rendering;
        private ProgressTask? _task;
        private long _lastUpdate;
        private string _stats = "";

        /// <summary>Renders on <paramref name="console"/> (default <see cref="AnsiConsole.Console"/>).</summary>
        public SpectreProgress(IAnsiConsole? console = null)
        {
            _console = console ?? AnsiConsole.Console;
            if (!_console.Profile.Capabilities.Interactive)
            {
                _plain = new ConsoleProgress(live: false);
            }
        }

        /// <inheritdoc/>
        public override void OnTrainBegin(TrainingContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (_plain is not null)
            {
                _plain.OnTrainBegin(context);
                return;
            }
            _console.Write(new Panel(new Spectre.Console.Text(context.Network.Summary.TrimEnd()))
                .Header(context.Network.GetType().Name).Border(BoxBorder.Rounded));
            _console.MarkupLine(
                $"[grey]Training on {context.SampleCount:N0} samples in {context.BatchCount:N0} batches per epoch{(context.HasValidation ? ", validating after each epoch" : "")}. {Markup.Escape(ExecutionInfo.Describe())}.[/]");
        }

        /// <inheritdoc/>
        public override void OnEpochBegin(TrainingContext context, int epoch)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (_plain is not null)
            {
                return;
            }
            var started = new ManualResetEventSlim();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _epochDone = done;
            string title = $"Epoch {epoch + 1}/{context.Epochs}";
            int samples = context.SampleCount;
            _rendering = _console.Progress()
                .AutoClear(true)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new StatsColumn(this), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    _task = ctx.AddTask(title, maxValue: samples);
                    started.Set();
                    await done.Task.ConfigureAwait(false);
                });
            started.Wait();
            _lastUpdate = 0;
            _stats = "";
        }

        /// <inheritdoc/>
        public override void OnBatchEnd(TrainingContext context, in BatchLog batch)
        {
            if (_task is null)
            {
                return;
            }
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (now - _lastUpdate < System.Diagnostics.Stopwatch.Frequency / 20 && batch.Batch + 1 < batch.BatchCount)
            {
                return;
            }
            _lastUpdate = now;
            double rate = batch.SamplesDone / Math.Max(batch.Elapsed.TotalSeconds, 1e-9);
            string stats = string.Create(CultureInfo.InvariantCulture,
                $"{rate,7:N0} samples/s  loss {batch.RunningLoss:F4}  {batch.MetricName} {EpochLog.Format(batch.MetricName, batch.RunningMetric)}");
            Volatile.Write(ref _stats, stats);
            _task.Value = batch.SamplesDone;
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(TrainingContext context, EpochLog log)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(log);
            if (_plain is not null)
            {
                _plain.OnEpochEnd(context, log);
                return;
            }
            Finish();
            string line = ConsoleProgress.FormatEpoch(context.Epochs, context.SampleCount, log);
            _console.MarkupLine(Colour(line));
        }

        /// <inheritdoc/>
        public override void OnTrainEnd(TrainingContext context) => Finish();

        /// <inheritdoc/>
        public override void OnTrainAborted() => Finish();

        /// <inheritdoc/>
        public override void WriteLine(string message)
        {
            if (_plain is not null)
            {
                _plain.WriteLine(message);
                return;
            }
            _console.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");
        }

        private void Finish()
        {
            if (_epochDone is null)
            {
                return;
            }
            _epochDone.TrySetResult();
            _rendering?.GetAwaiter().GetResult();
            _epochDone = null;
            _rendering = null;
            _task = null;
        }

        // "Epoch 3/10 …  val_loss 0.39 …": epoch in bold, validation metrics in cyan.
        private static string Colour(string line)
        {
            string escaped = Markup.Escape(line);
            int first = escaped.IndexOf("  ", StringComparison.Ordinal);
            if (first > 0)
            {
                escaped = $"[bold]{escaped[..first]}[/]{escaped[first..]}";
            }
            int validation = escaped.IndexOf("val_", StringComparison.Ordinal);
            int rate = escaped.IndexOf("  lr ", StringComparison.Ordinal);
            if (validation > 0 && rate > validation)
            {
                escaped = $"{escaped[..validation]}[cyan]{escaped[validation..rate]}[/]{escaped[rate..]}";
            }
            return escaped;
        }

        private sealed class StatsColumn(SpectreProgress owner) : ProgressColumn
        {
            public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            {
                string stats = Volatile.Read(ref owner._stats);
                return new Markup($"[grey]{Markup.Escape(stats)}[/]");
            }
        }
    }
}

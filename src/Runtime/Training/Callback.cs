using System;

namespace NetGen
{
    /// <summary>
    /// Hooks into <c>Fit</c>, like Keras callbacks: override the moments you need. <see cref="OnBatchEnd"/>
    /// runs after every optimizer step, so keep it cheap and allocation-free.
    /// </summary>
    public abstract class Callback
    {
        /// <summary>Before the first epoch.</summary>
        public virtual void OnTrainBegin(TrainingContext context)
        {
        }

        /// <summary>Before epoch <paramref name="epoch"/> (0-based).</summary>
        public virtual void OnEpochBegin(TrainingContext context, int epoch)
        {
        }

        /// <summary>After each batch's optimizer step.</summary>
        public virtual void OnBatchEnd(TrainingContext context, in BatchLog batch)
        {
        }

        /// <summary>After each epoch, validation included; <paramref name="log"/> is already in the history.</summary>
        public virtual void OnEpochEnd(TrainingContext context, EpochLog log)
        {
        }

        /// <summary>After the last epoch (or an early stop).</summary>
        public virtual void OnTrainEnd(TrainingContext context)
        {
        }
    }

    /// <summary>A callback made of delegates, like Keras' <c>LambdaCallback</c>.</summary>
    public sealed class LambdaCallback : Callback
    {
        /// <summary>Runs before the first epoch.</summary>
        public Action<TrainingContext>? TrainBegin { get; init; }

        /// <summary>Runs before each epoch.</summary>
        public Action<TrainingContext, int>? EpochBegin { get; init; }

        /// <summary>Runs after each batch.</summary>
        public Action<TrainingContext, BatchLog>? BatchEnd { get; init; }

        /// <summary>Runs after each epoch.</summary>
        public Action<TrainingContext, EpochLog>? EpochEnd { get; init; }

        /// <summary>Runs after training.</summary>
        public Action<TrainingContext>? TrainEnd { get; init; }

        /// <inheritdoc/>
        public override void OnTrainBegin(TrainingContext context) => TrainBegin?.Invoke(context);

        /// <inheritdoc/>
        public override void OnEpochBegin(TrainingContext context, int epoch) => EpochBegin?.Invoke(context, epoch);

        /// <inheritdoc/>
        public override void OnBatchEnd(TrainingContext context, in BatchLog batch) => BatchEnd?.Invoke(context, batch);

        /// <inheritdoc/>
        public override void OnEpochEnd(TrainingContext context, EpochLog log) => EpochEnd?.Invoke(context, log);

        /// <inheritdoc/>
        public override void OnTrainEnd(TrainingContext context) => TrainEnd?.Invoke(context);
    }

    /// <summary>One optimizer step as seen by callbacks and progress reporters.</summary>
    public readonly struct BatchLog
    {
        /// <summary>Epoch index, from 0.</summary>
        public int Epoch { get; init; }

        /// <summary>Batch index within the epoch, from 0.</summary>
        public int Batch { get; init; }

        /// <summary>Batches in this epoch.</summary>
        public int BatchCount { get; init; }

        /// <summary>Samples in this batch.</summary>
        public int Size { get; init; }

        /// <summary>Samples of this epoch done, this batch included.</summary>
        public int SamplesDone { get; init; }

        /// <summary>Samples in this epoch.</summary>
        public int SampleCount { get; init; }

        /// <summary>Optimizer steps taken since training first began (resumes included), this one included.</summary>
        public long GlobalStep { get; init; }

        /// <summary>This batch's mean loss (before its step).</summary>
        public double Loss { get; init; }

        /// <summary>The mean loss over the epoch's batches so far, weighted by samples.</summary>
        public double RunningLoss { get; init; }

        /// <summary>The name of the running training metric (<c>accuracy</c> or <c>mae</c>).</summary>
        public string MetricName { get; init; }

        /// <summary>That metric over the epoch so far.</summary>
        public double RunningMetric { get; init; }

        /// <summary>The learning rate this step used.</summary>
        public double LearningRate { get; init; }

        /// <summary>The global gradient norm before clipping, or NaN when clipping is off.</summary>
        public double GradientNorm { get; init; }

        /// <summary>Time since the epoch began.</summary>
        public TimeSpan Elapsed { get; init; }
    }

    /// <summary>The state of a <c>Fit</c> run, shared with callbacks.</summary>
    public sealed class TrainingContext
    {
        internal TrainingContext(INetwork network, Optimizer optimizer, History history, int epochs, int sampleCount, int batchCount, TrainingState state)
        {
            Network = network;
            Optimizer = optimizer;
            History = history;
            Epochs = epochs;
            SampleCount = sampleCount;
            BatchCount = batchCount;
            State = state;
        }

        /// <summary>The network being trained.</summary>
        public INetwork Network { get; }

        /// <summary>Its optimizer.</summary>
        public Optimizer Optimizer { get; }

        /// <summary>The epochs logged so far.</summary>
        public History History { get; }

        /// <summary>The epoch Fit stops before (the total, as Keras' <c>epochs</c>).</summary>
        public int Epochs { get; }

        /// <summary>Training samples per epoch.</summary>
        public int SampleCount { get; }

        /// <summary>Batches per epoch.</summary>
        public int BatchCount { get; }

        /// <summary>Whether validation data is used.</summary>
        public bool HasValidation { get; internal set; }

        /// <summary>Where training stands: epochs completed and optimizer steps taken (what a checkpoint saves to resume).</summary>
        public TrainingState State { get; internal set; }

        /// <summary>Set to end training after the current epoch (early stopping does).</summary>
        public bool StopTraining { get; set; }

        /// <summary>Writes a line where the progress display writes (nothing when quiet); callbacks use it for messages.</summary>
        public Action<string> Log { get; internal set; } = _ => { };
    }
}

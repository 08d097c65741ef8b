using System.Collections.Generic;
using NetGen.Data;

namespace NetGen
{
    /// <summary>How <c>Fit</c> trains: everything has a default except what the data decides.</summary>
    public sealed class FitOptions
    {
        /// <summary>
        /// The epoch to stop before, as Keras' <c>epochs</c>: the total, so a run resumed at epoch 3 with
        /// <c>Epochs = 10</c> runs 7 more. Default 1.
        /// </summary>
        public int Epochs { get; init; } = 1;

        /// <summary>Samples per optimizer step (the last batch of an epoch may be smaller). Default 32.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>The optimizer; default a new <see cref="Adam"/> with PyTorch's defaults (lr 1e−3).</summary>
        public Optimizer? Optimizer { get; init; }

        /// <summary>
        /// The fraction of the training data held out for validation: the last samples, before shuffling,
        /// as Keras' <c>validation_split</c>. 0 (the default) for none; exclusive with <see cref="Validation"/>.
        /// </summary>
        public float ValidationSplit { get; init; }

        /// <summary>Validation data, evaluated after every epoch (must have the training data's target type).</summary>
        public Dataset? Validation { get; init; }

        /// <summary>Whether each epoch visits the samples in a new order derived from (<see cref="Seed"/>, epoch). Default true.</summary>
        public bool Shuffle { get; init; } = true;

        /// <summary>The shuffling seed. Default 0.</summary>
        public long Seed { get; init; }

        /// <summary>A learning-rate schedule, applied per epoch or per step (see <see cref="LearningRateSchedule.Interval"/>).</summary>
        public LearningRateSchedule? Schedule { get; init; }

        /// <summary>When set, gradients are clipped to this global L2 norm before each step, as <c>clip_grad_norm_</c>.</summary>
        public float? ClipGradientNorm { get; init; }

        /// <summary>Callbacks, called in order: <see cref="EarlyStopping"/>, <see cref="ModelCheckpoint"/>, <see cref="LambdaCallback"/>, your own.</summary>
        public IList<Callback> Callbacks { get; init; } = new List<Callback>();

        /// <summary>
        /// Whether to show progress and the network's summary (default true). With no <see cref="Progress"/>,
        /// that is a <see cref="ConsoleProgress"/>: a live bar on an interactive console, one line per epoch
        /// when the output is redirected.
        /// </summary>
        public bool Verbose { get; init; } = true;

        /// <summary>The progress display when <see cref="Verbose"/>; e.g. the Spectre.Console one from NetGen.Console.</summary>
        public ProgressReporter? Progress { get; init; }

        /// <summary>Continues a run from a checkpoint's training state (epoch, step, initial learning rate, seed).</summary>
        public TrainingState? Resume { get; init; }

        /// <summary>
        /// What to do when a batch's loss, or its gradients, are NaN or ±∞: <see cref="NonFiniteAction.Throw"/>
        /// (default: the step is skipped and <see cref="TrainingDivergedException"/> names the epoch, batch, last
        /// finite loss and likely causes), <see cref="NonFiniteAction.Stop"/> (skip the step, return the history
        /// with <see cref="History.NonFinite"/> set) or <see cref="NonFiniteAction.Ignore"/> (no check). The check
        /// reads the loss and, when clipping, the norm it computes anyway; without clipping, one vectorized pass over
        /// the gradients, small beside the step.
        /// </summary>
        public NonFiniteAction OnNonFinite { get; init; } = NonFiniteAction.Throw;

        /// <summary>Samples per forward pass when evaluating validation data. Default 256.</summary>
        public int ValidationBatchSize { get; init; } = 256;
    }
}

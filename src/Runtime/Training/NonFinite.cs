using System;
using System.Globalization;

namespace NetGen
{
    /// <summary>What <c>Fit</c> does when a batch's loss or gradients are NaN or ±∞ (see <see cref="FitOptions.OnNonFinite"/>).</summary>
    public enum NonFiniteAction
    {
        /// <summary>Skip the step and throw <see cref="TrainingDivergedException"/> (the default).</summary>
        Throw,

        /// <summary>
        /// Skip the step and stop quietly: <c>Fit</c> returns the history of the completed epochs, with
        /// <see cref="History.NonFinite"/> and <see cref="History.StoppedEpoch"/> set, and callbacks' <c>OnTrainEnd</c> runs.
        /// </summary>
        Stop,

        /// <summary>Check nothing and step anyway, as a raw <c>TrainStep</c> loop does (parameters may become NaN).</summary>
        Ignore,
    }

    /// <summary>The step at which <c>Fit</c> met a non-finite loss or gradient. The parameters are those from before it.</summary>
    public sealed class NonFiniteStep
    {
        internal NonFiniteStep(int epoch, int epochs, int batch, int batchCount, long globalStep, float loss, double lastFiniteLoss, float learningRate,
            bool clipping)
        {
            Epoch = epoch;
            Batch = batch;
            GlobalStep = globalStep;
            Loss = loss;
            LastFiniteLoss = lastFiniteLoss;
            LearningRate = learningRate;
            Message = Describe(epochs, batchCount, clipping);
        }

        /// <summary>The epoch, from 0 (displays add 1).</summary>
        public int Epoch { get; }

        /// <summary>The batch within the epoch, from 0.</summary>
        public int Batch { get; }

        /// <summary>Optimizer steps taken before this one.</summary>
        public long GlobalStep { get; }

        /// <summary>The batch's loss: NaN or ±∞, or finite when only the gradients were not.</summary>
        public float Loss { get; }

        /// <summary>Whether the loss was finite and only the gradients held NaN or ±∞.</summary>
        public bool InGradientsOnly => float.IsFinite(Loss);

        /// <summary>The loss of the last batch that was finite, or NaN if none was.</summary>
        public double LastFiniteLoss { get; }

        /// <summary>The learning rate of the step.</summary>
        public float LearningRate { get; }

        /// <summary>What happened, where, and the likely causes.</summary>
        public string Message { get; }

        /// <inheritdoc/>
        public override string ToString() => Message;

        private string Describe(int epochs, int batchCount, bool clipping)
        {
            var c = CultureInfo.InvariantCulture;
            string what = InGradientsOnly
                ? string.Create(c, $"the gradients hold NaN or ∞ (the loss was {Loss:G6})")
                : string.Create(c, $"the loss is {Loss}");
            string last = double.IsNaN(LastFiniteLoss) ? "no batch had a finite loss" : string.Create(c, $"the last finite loss was {LastFiniteLoss:G6}");
            string clip = clipping ? "" : ", no gradient clipping (set FitOptions.ClipGradientNorm, e.g. 1)";
            return string.Create(c,
                $"Training diverged at epoch {Epoch + 1}/{epochs}, batch {Batch + 1}/{batchCount} (step {GlobalStep}): {what}; {last}. ") +
                "The step was not applied: the parameters are those from before it. " +
                string.Create(c, $"Likely causes: a learning rate too high ({LearningRate:G6}){clip}, or bad data (a NaN or ∞ feature or target, an extreme value). ") +
                "FitOptions.OnNonFinite = NonFiniteAction.Stop stops without an exception.";
        }
    }

    /// <summary>
    /// Thrown by <c>Fit</c> when a batch's loss or gradients are NaN or ±∞ (with the default
    /// <see cref="FitOptions.OnNonFinite"/>): the step was not applied, so the network holds the parameters
    /// from before it. <see cref="Step"/> says where; the message also says why it is likely.
    /// </summary>
    public sealed class TrainingDivergedException : InvalidOperationException
    {
        /// <summary>Creates the exception for <paramref name="step"/>.</summary>
        public TrainingDivergedException(NonFiniteStep step)
            : base((step ?? throw new ArgumentNullException(nameof(step))).Message) => Step = step;

        /// <summary>Where training diverged.</summary>
        public NonFiniteStep Step { get; }
    }
}

using System;

namespace NetGen
{
    /// <summary>
    /// Where a training run stands, saved in checkpoints so a run resumes exactly: epochs completed, optimizer
    /// steps taken, the optimizer's initial learning rate (what schedules scale) and the shuffling seed.
    /// </summary>
    public sealed record TrainingState
    {
        /// <summary>Epochs completed; a resumed Fit starts at this epoch.</summary>
        public int Epoch { get; init; }

        /// <summary>Optimizer steps taken so far (the schedule's t with <see cref="ScheduleInterval.Step"/>).</summary>
        public long GlobalStep { get; init; }

        /// <summary>The learning rate schedules start from.</summary>
        public double InitialLearningRate { get; init; }

        /// <summary>The seed of the shuffled epoch orders.</summary>
        public long Seed { get; init; }

        internal static TrainingState Start(double initialLearningRate, long seed) =>
            new() { InitialLearningRate = initialLearningRate, Seed = seed };

        internal void Validate()
        {
            if (Epoch < 0 || GlobalStep < 0 || !double.IsFinite(InitialLearningRate) || InitialLearningRate < 0)
            {
                throw new ArgumentException($"Invalid training state {this}.");
            }
        }
    }
}

using System;

namespace NetGen
{
    /// <summary>When a schedule advances: once per epoch (PyTorch's usual <c>scheduler.step()</c> after each epoch) or after every batch.</summary>
    public enum ScheduleInterval
    {
        /// <summary>Step t is the epoch index (0 for the first epoch).</summary>
        Epoch,

        /// <summary>Step t is the number of optimizer steps taken so far (0 for the first batch).</summary>
        Step,
    }

    /// <summary>
    /// A learning-rate schedule: the rate at step t as a function of the optimizer's initial rate, in the
    /// closed forms of PyTorch's <c>torch.optim.lr_scheduler</c> (values match its schedulers to float
    /// precision). <c>Fit</c> sets <see cref="Optimizer.LearningRate"/> from it before each epoch or batch
    /// (see <see cref="Interval"/>). Schedules hold no state, so a resumed run picks up exactly.
    /// </summary>
    public abstract class LearningRateSchedule
    {
        /// <summary>Whether t counts epochs (the default) or optimizer steps.</summary>
        public ScheduleInterval Interval
        {
            get => _interval;
            init => _interval = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown interval.");
        }

        private ScheduleInterval _interval = ScheduleInterval.Epoch;

        /// <summary>The learning rate at step <paramref name="t"/> (0-based) for an initial rate <paramref name="initial"/>.</summary>
        public abstract double LearningRate(long t, double initial);

        /// <summary><c>StepLR</c>: the rate times <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
        public static LearningRateSchedule Step(int stepSize, double gamma = 0.1) => new StepSchedule(stepSize, gamma);

        /// <summary><c>MultiStepLR</c>: the rate times <paramref name="gamma"/> at each milestone.</summary>
        public static LearningRateSchedule MultiStep(int[] milestones, double gamma = 0.1) => new MultiStepSchedule(milestones, gamma);

        /// <summary><c>ExponentialLR</c>: the rate times <paramref name="gamma"/> every step.</summary>
        public static LearningRateSchedule Exponential(double gamma) => new ExponentialSchedule(gamma);

        /// <summary>
        /// <c>CosineAnnealingLR</c>: <c>η_min + (η₀ − η_min)(1 + cos(π t / T_max)) / 2</c>, from the initial
        /// rate at t = 0 to <paramref name="minimum"/> at t = <paramref name="tMax"/> (and back up after, as in PyTorch).
        /// </summary>
        public static LearningRateSchedule Cosine(int tMax, double minimum = 0) => new CosineSchedule(tMax, minimum);

        /// <summary>
        /// <c>LinearLR</c>: the rate times a factor going linearly from <paramref name="startFactor"/> to
        /// <paramref name="endFactor"/> over <paramref name="totalSteps"/> steps, then constant: a linear warmup.
        /// </summary>
        public static LearningRateSchedule Linear(double startFactor = 1.0 / 3, double endFactor = 1.0, int totalSteps = 5) =>
            new LinearSchedule(startFactor, endFactor, totalSteps);

        /// <summary>
        /// A linear warmup for <paramref name="warmupSteps"/> steps (factor <paramref name="startFactor"/> → 1),
        /// then <paramref name="after"/> started afresh, as PyTorch's
        /// <c>SequentialLR([LinearLR(start_factor, total_iters=warmupSteps), after], milestones=[warmupSteps])</c>.
        /// The interval is <paramref name="after"/>'s.
        /// </summary>
        public static LearningRateSchedule Warmup(int warmupSteps, LearningRateSchedule after, double startFactor = 0.1)
        {
            ArgumentNullException.ThrowIfNull(after);
            return new SequentialSchedule([new LinearSchedule(startFactor, 1.0, warmupSteps), after], [warmupSteps]) { Interval = after.Interval };
        }

        /// <summary><c>SequentialLR</c>: <paramref name="schedules"/>[i] from milestone i − 1, each restarted at 0 at its milestone.</summary>
        public static LearningRateSchedule Sequential(LearningRateSchedule[] schedules, int[] milestones) =>
            new SequentialSchedule(schedules, milestones);

        /// <summary>A constant rate (the optimizer's initial one).</summary>
        public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

        /// <summary>This schedule advancing per optimizer step instead of per epoch (or the reverse).</summary>
        public LearningRateSchedule Per(ScheduleInterval interval)
        {
            var copy = (LearningRateSchedule)MemberwiseClone();
            copy._interval = Enum.IsDefined(interval) ? interval : throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown interval.");
            return copy;
        }

        private protected static void CheckStep(long t)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(t);
        }
    }

    internal sealed class ConstantSchedule : LearningRateSchedule
    {
        public override double LearningRate(long t, double initial) => initial;
    }

    internal sealed class StepSchedule : LearningRateSchedule
    {
        private readonly int _stepSize;
        private readonly double _gamma;

        public StepSchedule(int stepSize, double gamma)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
            _stepSize = stepSize;
            _gamma = gamma;
        }

        public override double LearningRate(long t, double initial)
        {
            CheckStep(t);
            return initial * Math.Pow(_gamma, t / _stepSize);
        }
    }

    internal sealed class MultiStepSchedule : LearningRateSchedule
    {
        private readonly int[] _milestones;
        private readonly double _gamma;

        public MultiStepSchedule(int[] milestones, double gamma)
        {
            ArgumentNullException.ThrowIfNull(milestones);
            _milestones = (int[])milestones.Clone();
            Array.Sort(_milestones);
            _gamma = gamma;
        }

        public override double LearningRate(long t, double initial)
        {
            CheckStep(t);
            int passed = 0;
            foreach (int m in _milestones)
            {
                passed += t >= m ? 1 : 0;
            }
            return initial * Math.Pow(_gamma, passed);
        }
    }

    internal sealed class ExponentialSchedule(double gamma) : LearningRateSchedule
    {
        public override double LearningRate(long t, double initial)
        {
            CheckStep(t);
            return initial * Math.Pow(gamma, t);
        }
    }

    internal sealed class CosineSchedule : LearningRateSchedule
    {
        private readonly int _tMax;
        private readonly double _minimum;

        public CosineSchedule(int tMax, double minimum)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
            _tMax = tMax;
            _minimum = minimum;
        }

        public override double LearningRate(long t, double initial)
        {
            CheckStep(t);
            return _minimum + (initial - _minimum) * (1 + Math.Cos(Math.PI * t / _tMax)) / 2;
        }
    }

    internal sealed class LinearSchedule : LearningRateSchedule
    {
        private readonly double _start, _end;
        private readonly int _total;

        public LinearSchedule(double startFactor, double endFactor, int totalSteps)
        {
            if (!(startFactor > 0 && startFactor <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "The start factor must be in (0, 1], as in PyTorch's LinearLR.");
            }
            if (!(endFactor >= 0 && endFactor <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, "The end factor must be in [0, 1].");
            }
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
            _start = startFactor;
            _end = endFactor;
            _total = totalSteps;
        }

        public override double LearningRate(long t, double initial)
        {
            CheckStep(t);
            return initial * (_start + (_end - _start) * Math.Min(t, _total) / _total);
        }
    }

    internal sealed class SequentialSchedule : LearningRateSchedule
    {
        private readonly LearningRateSchedule[] _schedules;
        private readonly int[] _milestones;

        public SequentialSchedule(LearningRateSchedule[] schedules, int[] milestones)
        {
            ArgumentNullException.ThrowIfNull(schedules);
            ArgumentNullException.ThrowIfNull(milestones);
            if (schedules.Length == 0 || milestones.Length != schedules.Length - 1)
            {
                throw new ArgumentException($"{schedules.Length} schedules need {Math.Max(0, schedules.Length - 1)} milestones; got {milestones.Length}.", nameof(milestones));
            }
            for (int i = 0; i < milestones.Length; i++)
            {
                if (milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1]))
                {
                    throw new ArgumentException("Milestones must be positive and increasing.", nameof(milestones));
                }
            }
            _schedules = (LearningRateSchedule[])schedules.Clone();
            _milestones = (int[])milestones.Clone();
        }

        public override double LearningRate(long t, double initial)
        {
            CheckStep(t);
            int i = 0;
            while (i < _milestones.Length && t >= _milestones[i])
            {
                i++;
            }
            long start = i == 0 ? 0 : _milestones[i - 1];
            return _schedules[i].LearningRate(t - start, initial);
        }
    }
}

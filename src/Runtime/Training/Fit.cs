using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics.Tensors;
using NetGen.Data;

namespace NetGen
{
    /// <summary>
    /// <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> for every generated network, as extension methods:
    /// <c>model.Fit(train, new FitOptions { … })</c>.
    /// </summary>
    public static partial class NetworkTraining
    {
        /// <summary>
        /// Trains <paramref name="network"/> on <paramref name="train"/> and returns the per-epoch history.
        /// Each step is <c>ComputeGradients</c>, optional clipping, <c>optimizer.Step(Parameters, Gradients)</c>
        /// on batches from a <see cref="DataLoader{TInput, TTarget}"/>: after the first epoch a step allocates nothing.
        /// Training metrics are measured on each batch's outputs before its step (as Keras does); validation
        /// metrics after each epoch. Inputs are floats or, for a network that starts with an embedding, token
        /// ids (a <see cref="Dataset{TInput, TTarget}"/> of <see cref="int"/>, e.g. from <see cref="Dataset.FromTokens"/>).
        /// </summary>
        public static History Fit<TInput, TTarget>(this INetwork<TInput, TTarget> network, Dataset<TInput, TTarget> train, FitOptions? options = null)
            where TInput : unmanaged where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(train);
            options ??= new FitOptions();
            CheckShapes(network, train, nameof(train));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs, nameof(options.Epochs));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ValidationBatchSize, nameof(options.ValidationBatchSize));
            if (options.ClipGradientNorm is float clip && !(clip > 0 && float.IsFinite(clip)))
            {
                throw new ArgumentOutOfRangeException(nameof(options), clip, "ClipGradientNorm must be a finite number > 0.");
            }

            Dataset<TInput, TTarget>? validation = ResolveValidation(network, ref train, options);
            Optimizer optimizer = options.Optimizer ?? new Adam();
            TrainingState state = options.Resume ?? TrainingState.Start(optimizer.LearningRate, options.Seed);
            state.Validate();
            if (options.Resume is not null && options.Resume.Seed != options.Seed)
            {
                throw new ArgumentException(
                    $"The run being resumed shuffled with seed {options.Resume.Seed}; FitOptions.Seed is {options.Seed}. Use the same seed to continue the same run.", nameof(options));
            }
            var loader = new DataLoader<TInput, TTarget>(train, options.BatchSize, options.Shuffle, options.Seed);
            var history = new History();
            var context = new TrainingContext(network, optimizer, history, options.Epochs, loader.SampleCount, loader.BatchCount, state)
            {
                HasValidation = validation is not null,
            };

            var callbacks = new List<Callback>();
            ProgressReporter? progress = null;
            if (options.Verbose)
            {
                progress = options.Progress ?? new ConsoleProgress();
                callbacks.Add(progress);
                context.Log = progress.WriteLine;
            }
            callbacks.AddRange(options.Callbacks);
            try
            {
                Train(network, options, loader, validation, context, callbacks);
            }
            catch
            {
                progress?.OnTrainAborted();
                throw;
            }
            return history;
        }

        private static void Train<TInput, TTarget>(INetwork<TInput, TTarget> network, FitOptions options, DataLoader<TInput, TTarget> loader,
            Dataset<TInput, TTarget>? validation, TrainingContext context, List<Callback> callbacks)
            where TInput : unmanaged where TTarget : unmanaged
        {
            Optimizer optimizer = context.Optimizer;
            TrainingState state = context.State;
            History history = context.History;

            foreach (Callback c in callbacks)
            {
                c.OnTrainBegin(context);
            }
            string metricName = RunningMetrics.MetricName(network.Loss);
            LearningRateSchedule? schedule = options.Schedule;
            double initialRate = state.InitialLearningRate;
            long step = state.GlobalStep;
            int outputSize = network.OutputSize;
            double lastFiniteLoss = double.NaN;

            for (int epoch = state.Epoch; epoch < options.Epochs && !context.StopTraining; epoch++)
            {
                long epochStart = Stopwatch.GetTimestamp();
                if (schedule is { Interval: ScheduleInterval.Epoch })
                {
                    optimizer.LearningRate = (float)schedule.LearningRate(epoch, initialRate);
                }
                // The rate the epoch starts with: its first step's, where the schedule moves per step.
                double epochRate = schedule is { Interval: ScheduleInterval.Step } ? schedule.LearningRate(step, initialRate) : optimizer.LearningRate;
                foreach (Callback c in callbacks)
                {
                    c.OnEpochBegin(context, epoch);
                }

                var running = new RunningMetrics();
                int done = 0;
                foreach (DataLoader<TInput, TTarget>.Batch batch in loader.Epoch(epoch))
                {
                    if (schedule is { Interval: ScheduleInterval.Step })
                    {
                        optimizer.LearningRate = (float)schedule.LearningRate(step, initialRate);
                    }
                    float loss;
                    try
                    {
                        loss = network.ComputeGradients(batch.Inputs, batch.Targets, batch.Size);
                    }
                    catch (ArgumentException e)
                    {
                        ArgumentException? located = InvalidRow(network, loader, batch, e, "Training", "train", $"epoch {epoch + 1}, ");
                        if (located is null)
                        {
                            throw;
                        }
                        throw located;
                    }
                    double norm = double.NaN;
                    if (options.ClipGradientNorm is float maxNorm)
                    {
                        norm = GradientClipping.ClipByGlobalNorm(network.Gradients, maxNorm);
                    }
                    // Checked before the step, so a diverging step never reaches the parameters.
                    if (options.OnNonFinite != NonFiniteAction.Ignore && !IsFiniteStep(loss, norm, network.Gradients))
                    {
                        var bad = new NonFiniteStep(epoch, options.Epochs, batch.Index, loader.BatchCount, step, loss, lastFiniteLoss,
                            optimizer.LearningRate, options.ClipGradientNorm is not null);
                        if (options.OnNonFinite == NonFiniteAction.Throw)
                        {
                            throw new TrainingDivergedException(bad);
                        }
                        history.NonFinite = bad;
                        context.StopTraining = true;
                        break;
                    }
                    lastFiniteLoss = loss;
                    running.Add(network.Loss, network.Outputs, batch.Targets, batch.Size, outputSize, loss);
                    optimizer.Step(network.Parameters, network.Gradients);
                    step++;
                    done += batch.Size;
                    var log = new BatchLog
                    {
                        Epoch = epoch,
                        Batch = batch.Index,
                        BatchCount = loader.BatchCount,
                        Size = batch.Size,
                        SamplesDone = done,
                        SampleCount = loader.SampleCount,
                        GlobalStep = step,
                        Loss = loss,
                        RunningLoss = running.Loss,
                        MetricName = metricName,
                        RunningMetric = running.Metric,
                        LearningRate = optimizer.LearningRate,
                        GradientNorm = norm,
                        Elapsed = Stopwatch.GetElapsedTime(epochStart),
                    };
                    for (int i = 0; i < callbacks.Count; i++)
                    {
                        callbacks[i].OnBatchEnd(context, log);
                    }
                }

                if (history.NonFinite is not null)
                {
                    history.StoppedEpoch = epoch;
                    break;
                }
                var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
                {
                    ["loss"] = running.Loss,
                    [metricName] = running.Metric,
                };
                if (validation is not null)
                {
                    RunningMetrics v = Measure(network, validation, options.ValidationBatchSize);
                    metrics["val_loss"] = v.Loss;
                    metrics["val_" + metricName] = v.Metric;
                }
                metrics["lr"] = epochRate;
                var epochLog = new EpochLog(epoch, metrics, Stopwatch.GetElapsedTime(epochStart).TotalSeconds);
                history.Add(epochLog);
                context.State = state with { Epoch = epoch + 1, GlobalStep = step };
                foreach (Callback c in callbacks)
                {
                    c.OnEpochEnd(context, epochLog);
                }
                if (context.StopTraining)
                {
                    history.StoppedEpoch = epoch;
                }
            }
            history.TrainingState = context.State;
            foreach (Callback c in callbacks)
            {
                c.OnTrainEnd(context);
            }
        }

        // Whether a step may be applied: a finite loss, and finite gradients (from the clipping norm when there is one,
        // else one vectorized pass: a NaN or ∞ gradient with a finite loss is rare but real, e.g. an overflowing backward).
        private static bool IsFiniteStep(float loss, double clippingNorm, ReadOnlySpan<float> gradients) =>
            float.IsFinite(loss) && (double.IsNaN(clippingNorm) ? TensorPrimitives.IsFiniteAll(gradients) : double.IsFinite(clippingNorm));

        /// <summary>
        /// An error a batch raised (a bad label, an unknown token), as an exception naming the dataset row rather than
        /// the position in the (shuffled) batch: each sample is checked alone to find the first one that raises it.
        /// Null when no single sample does (the original exception is then rethrown). <paramref name="what"/> names the
        /// data ("Training", "Validation", "Evaluation"), <paramref name="when"/> the epoch if any.
        /// </summary>
        internal static ArgumentException? InvalidRow<TInput, TTarget>(INetwork<TInput, TTarget> network, DataLoader<TInput, TTarget> loader,
            DataLoader<TInput, TTarget>.Batch batch, ArgumentException error, string what, string paramName, string when = "")
            where TInput : unmanaged where TTarget : unmanaged
        {
            int f = network.InputSize, t = network.TargetSize;
            for (int p = 0; p < batch.Size; p++)
            {
                try
                {
                    network.ComputeLoss(batch.Inputs.Slice(p * f, f), batch.Targets.Slice(p * t, t), 1);
                }
                catch (ArgumentException alone)
                {
                    int row = loader.RowOf(batch.Index, p);
                    string where = loader.Shuffle ? $"position {p} of shuffled batch {batch.Index + 1}" : $"batch {batch.Index + 1}";
                    return new ArgumentException(
                        $"{what} sample {row} (row {row} of the {what.ToLowerInvariant()} data; {when}{where}) is invalid. Checked alone: {alone.Message}",
                        paramName, error);
                }
            }
            return null;
        }

        private static Dataset<TInput, TTarget>? ResolveValidation<TInput, TTarget>(INetwork<TInput, TTarget> network, ref Dataset<TInput, TTarget> train,
            FitOptions options)
            where TInput : unmanaged where TTarget : unmanaged
        {
            if (options.ValidationSplit != 0 && options.Validation is not null)
            {
                throw new ArgumentException("Set either ValidationSplit or Validation, not both.", nameof(options));
            }
            if (options.Validation is not null)
            {
                if (options.Validation is not Dataset<TInput, TTarget> given)
                {
                    throw new ArgumentException(
                        $"Validation must be a {DatasetName<TInput, TTarget>()} like the training data; it is a {DatasetName(options.Validation)}.", nameof(options));
                }
                CheckShapes(network, given, "Validation");
                return given;
            }
            if (options.ValidationSplit != 0)
            {
                (Dataset<TInput, TTarget> rest, Dataset<TInput, TTarget> held) = train.Split(options.ValidationSplit);
                train = rest;
                return held;
            }
            return null;
        }

        private static void CheckShapes<TInput, TTarget>(INetwork<TInput, TTarget> network, Dataset<TInput, TTarget> data, string name)
            where TInput : unmanaged where TTarget : unmanaged
        {
            CheckFeatureSize(network, data.FeatureSize, name);
            if (data.TargetSize != network.TargetSize)
            {
                throw new ArgumentException(
                    $"{name} has {data.TargetSize} targets per sample; the network needs {network.TargetSize}.", name);
            }
            if (data.Count == 0)
            {
                throw new ArgumentException($"{name} is empty.", name);
            }
        }

        // Loss and metric over a dataset in inference mode, chunk by chunk.
        internal static RunningMetrics Measure<TInput, TTarget>(INetwork<TInput, TTarget> network, Dataset<TInput, TTarget> data, int batchSize)
            where TInput : unmanaged where TTarget : unmanaged
        {
            var metrics = new RunningMetrics();
            var loader = new DataLoader<TInput, TTarget>(data, Math.Min(batchSize, data.Count));
            foreach (DataLoader<TInput, TTarget>.Batch batch in loader.Epoch(0))
            {
                float loss = ComputeLoss(network, loader, batch, "Validation", "Validation");
                metrics.Add(network.Loss, network.Outputs, batch.Targets, batch.Size, network.OutputSize, loss);
            }
            return metrics;
        }

        // The batch's loss; an invalid sample is reported by its dataset row.
        internal static float ComputeLoss<TInput, TTarget>(INetwork<TInput, TTarget> network, DataLoader<TInput, TTarget> loader,
            DataLoader<TInput, TTarget>.Batch batch, string what, string paramName)
            where TInput : unmanaged where TTarget : unmanaged
        {
            try
            {
                return network.ComputeLoss(batch.Inputs, batch.Targets, batch.Size);
            }
            catch (ArgumentException e)
            {
                ArgumentException? located = InvalidRow(network, loader, batch, e, what, paramName);
                if (located is null)
                {
                    throw;
                }
                throw located;
            }
        }

        private static void CheckFeatureSize(INetwork network, int featureSize, string name)
        {
            if (featureSize != network.InputSize)
            {
                throw new ArgumentException(
                    $"{name} has {featureSize} features per sample; the network takes {network.InputSize} ([{string.Join(", ", network.InputShape)}]).", name);
            }
        }

        /// <summary>
        /// The classes of a cross-entropy network with <paramref name="outputSize"/> outputs and
        /// <paramref name="labelsPerSample"/> labels per sample (1, or T for a per-time-step classifier).
        /// </summary>
        internal static int ClassCount(int outputSize, int labelsPerSample)
        {
            if (labelsPerSample <= 0 || outputSize % labelsPerSample != 0)
            {
                throw new InvalidOperationException(
                    $"A classifier with {outputSize} outputs per sample cannot have {labelsPerSample} labels per sample: the outputs must be labels × classes.");
            }
            return outputSize / labelsPerSample;
        }

        // Dataset<Int32> for float features (the type users write), Dataset<Int32, Int32> otherwise.
        private static string DatasetName<TInput, TTarget>() => typeof(TInput) == typeof(float)
            ? $"Dataset<{typeof(TTarget).Name}>"
            : $"Dataset<{typeof(TInput).Name}, {typeof(TTarget).Name}>";

        private static string DatasetName(Dataset data)
        {
            Type type = data.GetType();
            if (!type.IsGenericType)
            {
                return type.Name;
            }
            Type[] arguments = type.GetGenericArguments();
            string input = arguments.Length == 2 ? arguments[0].Name + ", " : "";
            return $"Dataset<{input}{arguments[^1].Name}>";
        }
    }
}

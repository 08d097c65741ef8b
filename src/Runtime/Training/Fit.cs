using System;
using System.Collections.Generic;
using System.Diagnostics;
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
        /// on batches from a <see cref="DataLoader{TTarget}"/>: after the first epoch a step allocates nothing.
        /// Training metrics are measured on each batch's outputs before its step (as Keras does); validation
        /// metrics after each epoch.
        /// </summary>
        public static History Fit<TTarget>(this INetwork<TTarget> network, Dataset<TTarget> train, FitOptions? options = null)
            where TTarget : unmanaged
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

            Dataset<TTarget>? validation = ResolveValidation(network, ref train, options);
            Optimizer optimizer = options.Optimizer ?? new Adam();
            TrainingState state = options.Resume ?? TrainingState.Start(optimizer.LearningRate, options.Seed);
            state.Validate();
            if (options.Resume is not null && options.Resume.Seed != options.Seed)
            {
                throw new ArgumentException(
                    $"The run being resumed shuffled with seed {options.Resume.Seed}; FitOptions.Seed is {options.Seed}. Use the same seed to continue the same run.", nameof(options));
            }
            var loader = new DataLoader<TTarget>(train, options.BatchSize, options.Shuffle, options.Seed);
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

        private static void Train<TTarget>(INetwork<TTarget> network, FitOptions options, DataLoader<TTarget> loader, Dataset<TTarget>? validation,
            TrainingContext context, List<Callback> callbacks)
            where TTarget : unmanaged
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

            for (int epoch = state.Epoch; epoch < options.Epochs && !context.StopTraining; epoch++)
            {
                long epochStart = Stopwatch.GetTimestamp();
                if (schedule is { Interval: ScheduleInterval.Epoch })
                {
                    optimizer.LearningRate = (float)schedule.LearningRate(epoch, initialRate);
                }
                double epochRate = optimizer.LearningRate;
                foreach (Callback c in callbacks)
                {
                    c.OnEpochBegin(context, epoch);
                }

                var running = new RunningMetrics();
                int done = 0;
                foreach (DataLoader<TTarget>.Batch batch in loader.Epoch(epoch))
                {
                    if (schedule is { Interval: ScheduleInterval.Step })
                    {
                        optimizer.LearningRate = (float)schedule.LearningRate(step, initialRate);
                    }
                    float loss = network.ComputeGradients(batch.Inputs, batch.Targets, batch.Size);
                    double norm = double.NaN;
                    if (options.ClipGradientNorm is float maxNorm)
                    {
                        norm = GradientClipping.ClipByGlobalNorm(network.Gradients, maxNorm);
                    }
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

        private static Dataset<TTarget>? ResolveValidation<TTarget>(INetwork<TTarget> network, ref Dataset<TTarget> train, FitOptions options)
            where TTarget : unmanaged
        {
            if (options.ValidationSplit != 0 && options.Validation is not null)
            {
                throw new ArgumentException("Set either ValidationSplit or Validation, not both.", nameof(options));
            }
            if (options.Validation is not null)
            {
                if (options.Validation is not Dataset<TTarget> given)
                {
                    throw new ArgumentException(
                        $"Validation must be a Dataset<{typeof(TTarget).Name}> like the training data; it is a {options.Validation.GetType().Name}.", nameof(options));
                }
                CheckShapes(network, given, "Validation");
                return given;
            }
            if (options.ValidationSplit != 0)
            {
                (Dataset<TTarget> rest, Dataset<TTarget> held) = train.Split(options.ValidationSplit);
                train = rest;
                return held;
            }
            return null;
        }

        private static void CheckShapes<TTarget>(INetwork<TTarget> network, Dataset<TTarget> data, string name)
            where TTarget : unmanaged
        {
            if (data.FeatureSize != network.InputSize)
            {
                throw new ArgumentException(
                    $"{name} has {data.FeatureSize} features per sample; the network takes {network.InputSize} ([{string.Join(", ", network.InputShape)}]).", name);
            }
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
        internal static RunningMetrics Measure<TTarget>(INetwork<TTarget> network, Dataset<TTarget> data, int batchSize)
            where TTarget : unmanaged
        {
            var metrics = new RunningMetrics();
            foreach (DataLoader<TTarget>.Batch batch in new DataLoader<TTarget>(data, Math.Min(batchSize, data.Count)).Epoch(0))
            {
                float loss = network.ComputeLoss(batch.Inputs, batch.Targets, batch.Size);
                metrics.Add(network.Loss, network.Outputs, batch.Targets, batch.Size, network.OutputSize, loss);
            }
            return metrics;
        }
    }
}

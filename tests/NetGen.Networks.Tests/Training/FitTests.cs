using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Data;

namespace NetGen.Networks.Tests.Training
{
    public class FitTests
    {
        [Fact]
        public void Fit_learns_and_logs_every_epoch_like_keras()
        {
            var model = new BlobClassifier(seed: 1);
            History history = model.Fit(TrainingData.Blobs(600, seed: 2), new FitOptions
            {
                Epochs = 5, BatchSize = 32, Optimizer = new Adam(0.01f), ValidationSplit = 0.2f, Verbose = false,
            });
            Assert.Equal(5, history.Epochs.Count);
            Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy", "lr"], history.Names);
            Assert.True(history["loss"][4] < history["loss"][0]);
            Assert.True(history["val_accuracy"][4] > 0.9, $"val_accuracy {history["val_accuracy"][4]}");
            Assert.Equal(0.01, history["lr"][0], 6);
            Assert.Null(history.StoppedEpoch);

            string[] csv = history.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds", csv[0]);
            Assert.Equal(6, csv.Length);
            Assert.StartsWith("4,", csv[5]);

            ClassificationReport report = model.Evaluate(TrainingData.Blobs(300, seed: 3));
            Assert.True(report.Accuracy > 0.9);
            Assert.Equal(300, report.Count);
            Assert.Equal(report.Accuracy, model.PredictClasses(TrainingData.Blobs(300, seed: 3)).Zip(TrainingData.Blobs(300, seed: 3).Targets.ToArray()).Count(p => p.First == p.Second) / 300.0, 12);
        }

        [Fact]
        public void Fit_is_exactly_compute_gradients_clip_and_step_in_loader_order()
        {
            Dataset<int> data = TrainingData.Blobs(100, seed: 4);
            var fitted = new BlobClassifier(seed: 5);
            fitted.Fit(data, new FitOptions
            {
                Epochs = 2, BatchSize = 16, Optimizer = new Adam(0.01f), Seed = 9, ClipGradientNorm = 0.5f,
                Schedule = LearningRateSchedule.Cosine(tMax: 14).Per(ScheduleInterval.Step), Verbose = false,
            });

            var manual = new BlobClassifier(seed: 5);
            var optimizer = new Adam(0.01f);
            var loader = new DataLoader<int>(data, 16, shuffle: true, seed: 9);
            var cosine = LearningRateSchedule.Cosine(tMax: 14);
            long step = 0;
            for (int epoch = 0; epoch < 2; epoch++)
            {
                foreach (DataLoader<int>.Batch batch in loader.Epoch(epoch))
                {
                    optimizer.LearningRate = (float)cosine.LearningRate(step++, 0.01f); // the schedule scales the optimizer's own (float) rate
                    manual.ComputeGradients(batch.Inputs, batch.Targets, batch.Size);
                    GradientClipping.ClipByGlobalNorm(manual.Gradients, 0.5f);
                    optimizer.Step(manual.Parameters, manual.Gradients);
                }
            }
            Assert.Equal(TrainingData.Bits(manual.Parameters), TrainingData.Bits(fitted.Parameters));
        }

        [Fact]
        public void The_same_seed_gives_the_same_bits_and_another_seed_another_order()
        {
            float[] Train(long seed)
            {
                var model = new BlobClassifier(seed: 1);
                model.Fit(TrainingData.Blobs(200, seed: 6), new FitOptions { Epochs = 2, Seed = seed, Verbose = false });
                return model.Parameters.ToArray();
            }
            Assert.Equal(TrainingData.Bits(Train(3)), TrainingData.Bits(Train(3)));
            Assert.NotEqual(TrainingData.Bits(Train(3)), TrainingData.Bits(Train(4)));
        }

        [Fact]
        public void Callbacks_see_every_batch_with_a_smaller_last_one_and_the_schedule()
        {
            var sizes = new List<int>();
            var rates = new List<double>();
            int epochsSeen = 0;
            var model = new BlobClassifier(seed: 1);
            History history = model.Fit(TrainingData.Blobs(70, seed: 7), new FitOptions
            {
                Epochs = 3, BatchSize = 32, Optimizer = new Sgd(0.1f), Verbose = false,
                Schedule = LearningRateSchedule.Step(stepSize: 1, gamma: 0.5),
                Callbacks =
                {
                    new LambdaCallback
                    {
                        BatchEnd = (context, batch) => { sizes.Add(batch.Size); rates.Add(batch.LearningRate); },
                        EpochEnd = (context, log) => epochsSeen++,
                    },
                },
            });
            Assert.Equal([32, 32, 6, 32, 32, 6, 32, 32, 6], sizes);
            Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025], rates.Select(r => Math.Round(r, 6)));
            Assert.Equal(3, epochsSeen);
            Assert.Equal([0.1, 0.05, 0.025], history["lr"].Select(r => Math.Round(r, 6)));
        }

        [Fact]
        public void With_a_per_step_schedule_each_epoch_logs_the_rate_of_its_first_step()
        {
            var firstRates = new List<double>();
            bool first = true;
            var model = new BlobClassifier(seed: 1);
            History history = model.Fit(TrainingData.Blobs(70, seed: 7), new FitOptions
            {
                Epochs = 3, BatchSize = 32, Optimizer = new Sgd(0.1f), Verbose = false,
                Schedule = LearningRateSchedule.Cosine(tMax: 9).Per(ScheduleInterval.Step),
                Callbacks =
                {
                    new LambdaCallback
                    {
                        EpochBegin = (context, epoch) => first = true,
                        BatchEnd = (context, batch) =>
                        {
                            if (first)
                            {
                                firstRates.Add(batch.LearningRate);
                                first = false;
                            }
                        },
                    },
                },
            });
            Assert.Equal(firstRates.Select(r => Math.Round(r, 6)), history["lr"].Select(r => Math.Round(r, 6)));
            Assert.Equal(0.1, Math.Round(history["lr"][0], 6));
        }

        [Fact]
        public void Regression_fit_reports_mae_and_evaluates_mse()
        {
            var model = new PlaneRegressor(seed: 1);
            History history = model.Fit(TrainingData.Plane(512, seed: 8), new FitOptions
            {
                Epochs = 30, BatchSize = 32, Optimizer = new Adam(0.05f), Validation = TrainingData.Plane(128, seed: 9), Verbose = false,
            });
            Assert.Contains("val_mae", history.Names);
            RegressionReport report = model.Evaluate(TrainingData.Plane(128, seed: 10));
            Assert.True(report.MeanSquaredError < 1e-2, report.ToString());
            Assert.Equal(report.MeanSquaredError, report.Loss, 4);
            Assert.Null(report.BinaryAccuracy);
            Assert.Equal(2f * 1 - 3f * 1 + 0.5f, model.Predict([1f, 1f])[0], 1);
        }

        [Fact]
        public void Early_stopping_stops_and_restores_the_best_epoch()
        {
            // Labels of the validation set are noise: validation loss soon rises while training loss falls.
            var snapshots = new List<float[]>();
            var stopping = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
            var model = new BlobClassifier(seed: 1);
            Dataset<int> validation = TrainingData.Blobs(200, seed: 12, shuffleLabels: true);
            History history = model.Fit(TrainingData.Blobs(300, seed: 11), new FitOptions
            {
                Epochs = 60, BatchSize = 16, Optimizer = new Adam(0.02f), Validation = validation, Verbose = false,
                Callbacks = { stopping, new LambdaCallback { EpochEnd = (context, log) => snapshots.Add(context.Network.Parameters.ToArray()) } },
            });
            Assert.NotNull(history.StoppedEpoch);
            Assert.Equal(stopping.StoppedEpoch, history.StoppedEpoch);
            Assert.Equal(stopping.BestEpoch + 2, stopping.StoppedEpoch);
            Assert.Equal(history.Epochs.Count, stopping.StoppedEpoch + 1);
            Assert.Equal(history["val_loss"].Min(), stopping.Best);
            Assert.Equal(TrainingData.Bits(snapshots[stopping.BestEpoch]), TrainingData.Bits(model.Parameters));
        }

        [Fact]
        public void Training_steps_allocate_nothing_whatever_the_number_of_batches()
        {
            long Allocated(int batchSize)
            {
                var model = new BlobClassifier(seed: 1);
                var options = new FitOptions { Epochs = 1, BatchSize = batchSize, Optimizer = new Adam(), Verbose = false, ClipGradientNorm = 1f };
                Dataset<int> data = TrainingData.Blobs(1024, seed: 13);
                model.Fit(data, options); // warm-up: workspaces, optimizer state, JIT
                long before = GC.GetAllocatedBytesForCurrentThread();
                model.Fit(data, new FitOptions { Epochs = 1, BatchSize = batchSize, Optimizer = options.Optimizer, Verbose = false, ClipGradientNorm = 1f });
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }
            long few = Allocated(256), many = Allocated(4); // 4 vs 256 batches
            Assert.True(many - few < 2048, $"4 batches: {few} bytes; 256 batches: {many} bytes");
        }

        [Fact]
        public void Console_progress_writes_the_summary_and_one_line_per_epoch_when_redirected()
        {
            var output = new StringWriter();
            var model = new BlobClassifier(seed: 1);
            model.Fit(TrainingData.Blobs(100, seed: 14), new FitOptions
            {
                Epochs = 3, ValidationSplit = 0.2f, Progress = new ConsoleProgress(output, live: false),
                Callbacks = { new EarlyStopping("val_loss", patience: 0) },
            });
            string[] lines = output.ToString().Split(Environment.NewLine);
            Assert.Contains(lines, l => l.Contains("Network: BlobClassifier", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Training on 80 samples in 3 batches per epoch, validating", StringComparison.Ordinal));
            Assert.Contains(lines, l => l == NetGen.ExecutionInfo.Describe() && l.StartsWith("SIMD: ", StringComparison.Ordinal));
            string[] epochs = lines.Where(l => l.StartsWith("Epoch ", StringComparison.Ordinal)).ToArray();
            Assert.InRange(epochs.Length, 1, 3);
            Assert.Matches(@"^Epoch 1/3 +[0-9.]+ s +[0-9,]+ samples/s  loss [0-9.]+  accuracy [0-9.]+%  val_loss [0-9.]+  val_accuracy [0-9.]+%  lr 1e-3$", epochs[0]);
            Assert.DoesNotContain('\r', output.ToString());

            var live = new StringWriter();
            new BlobClassifier(seed: 1).Fit(TrainingData.Blobs(100, seed: 14), new FitOptions { Epochs = 1, Progress = new ConsoleProgress(live, live: true) });
            Assert.Contains("\rEpoch 1/1 [", live.ToString());
        }

        [Fact]
        public void An_exception_in_a_callback_ends_the_live_line_and_propagates()
        {
            var live = new StringWriter();
            var model = new BlobClassifier(seed: 1);
            Assert.Throws<TimeoutException>(() => model.Fit(TrainingData.Blobs(100, seed: 14), new FitOptions
            {
                Epochs = 2, BatchSize = 10, Progress = new ConsoleProgress(live, live: true),
                Callbacks = { new LambdaCallback { BatchEnd = (context, batch) => { if (batch.Batch == 9) { throw new TimeoutException(); } } } },
            }));
            Assert.EndsWith(Environment.NewLine, live.ToString());
        }

        [Fact]
        public void Mistakes_are_explained()
        {
            var model = new BlobClassifier(seed: 1);
            var wrongWidth = Dataset.FromLabels(new float[10], new int[2], 5);
            Assert.Contains("5 features per sample; the network takes 4", Assert.Throws<ArgumentException>(() => model.Fit(wrongWidth)).Message);
            var regression = Dataset.FromValues(new float[8], new float[2], 4);
            Assert.Contains("Validation must be a Dataset<Int32>",
                Assert.Throws<ArgumentException>(() => model.Fit(TrainingData.Blobs(10, 1), new FitOptions { Validation = regression, Verbose = false })).Message);
            Assert.Throws<ArgumentException>(() => model.Fit(TrainingData.Blobs(10, 1), new FitOptions { Validation = TrainingData.Blobs(5, 2), ValidationSplit = 0.1f }));
            var e = Assert.Throws<InvalidOperationException>(() => model.Fit(TrainingData.Blobs(10, 1), new FitOptions { Verbose = false, Callbacks = { new EarlyStopping() } }));
            Assert.Contains("\"val_loss\" is not logged", e.Message);
            Assert.Contains("A sample has 4 values", Assert.Throws<ArgumentException>(() => model.Predict(new float[3])).Message);
        }
    }
}

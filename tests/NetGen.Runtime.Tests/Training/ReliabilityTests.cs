using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// Training that fails loudly (divergence stops Fit before the bad step reaches the parameters), data errors
    /// that name the dataset row, and misuse of a diverged network (saving it, predicting with it) that is caught.
    /// </summary>
    public class ReliabilityTests
    {
        // Three separable classes in 3 features.
        private static Dataset<int> Blobs(int count, long seed)
        {
            var rng = new Rng(seed);
            float[] x = new float[count * 3];
            int[] y = new int[count];
            for (int n = 0; n < count; n++)
            {
                y[n] = n % 3;
                for (int f = 0; f < 3; f++)
                {
                    x[n * 3 + f] = (f == y[n] ? 2f : -1f) + 0.5f * rng.NextNormal();
                }
            }
            return Dataset.FromLabels(x, y, 3);
        }

        // A learning rate that overflows the weights to ∞ within a few steps, so the loss turns NaN.
        private static FitOptions Diverging(NonFiniteAction action, List<float[]> snapshots, float? clip = null) => new()
        {
            Epochs = 50,
            BatchSize = 8,
            Optimizer = new Sgd(3e38f),
            OnNonFinite = action,
            ClipGradientNorm = clip,
            Verbose = false,
            Callbacks = { new LambdaCallback { BatchEnd = (context, _) => snapshots.Add(context.Network.Parameters.ToArray()) } },
        };

        [Theory]
        [InlineData(null)]
        [InlineData(1e30f)]
        public void A_diverging_Fit_throws_naming_the_step_and_keeps_the_parameters_from_before_it(float? clip)
        {
            var model = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            var snapshots = new List<float[]> { model.Parameters.ToArray() };
            TrainingDivergedException e = Assert.Throws<TrainingDivergedException>(() => model.Fit(Blobs(60, 2), Diverging(NonFiniteAction.Throw, snapshots, clip)));

            Assert.Equal(snapshots[^1], model.Parameters.ToArray());
            Assert.True(model.Parameters.ToArray().All(float.IsFinite));
            NonFiniteStep step = e.Step;
            Assert.Equal(snapshots.Count - 1, step.GlobalStep);
            Assert.Equal(step.GlobalStep, step.Epoch * 8L + step.Batch); // 60 samples in batches of 8: 8 per epoch
            Assert.Contains($"epoch {step.Epoch + 1}/50, batch {step.Batch + 1}/8", e.Message, StringComparison.Ordinal);
            Assert.Contains("learning rate too high (3E+38)", e.Message, StringComparison.Ordinal);
            Assert.Equal(clip is null, e.Message.Contains("no gradient clipping", StringComparison.Ordinal));
            Assert.Contains("bad data", e.Message, StringComparison.Ordinal);
            Assert.True(double.IsNaN(step.LastFiniteLoss) || double.IsFinite(step.LastFiniteLoss));
            Assert.False(step.InGradientsOnly && float.IsNaN(step.Loss));
        }

        [Theory]
        [InlineData(null)]
        [InlineData(5f)]
        public void A_gradient_that_turns_infinite_under_a_finite_loss_stops_Fit_too(float? clip)
        {
            var inner = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            var model = new PoisonedGradients(inner, poisonedStep: 5);
            var snapshots = new List<float[]>();
            TrainingDivergedException e = Assert.Throws<TrainingDivergedException>(() => model.Fit(Blobs(60, 2), new FitOptions
            {
                Epochs = 3,
                BatchSize = 8,
                Optimizer = new Sgd(0.1f),
                ClipGradientNorm = clip,
                Verbose = false,
                Callbacks = { new LambdaCallback { BatchEnd = (context, _) => snapshots.Add(context.Network.Parameters.ToArray()) } },
            }));
            Assert.True(e.Step.InGradientsOnly);
            Assert.Equal(5, e.Step.GlobalStep);
            Assert.Contains("the gradients hold NaN or ∞ (the loss was ", e.Message, StringComparison.Ordinal);
            Assert.Equal(5, snapshots.Count);
            Assert.Equal(snapshots[^1], inner.Parameters.ToArray());
        }

        // A network whose gradients get one +∞ at one step (counted over ComputeGradients calls), its loss untouched.
        private sealed class PoisonedGradients(SoftmaxRegression inner, int poisonedStep) : INetwork<int>
        {
            private int _calls;

            public int InputSize => inner.InputSize;
            public int OutputSize => inner.OutputSize;
            public IReadOnlyList<int> InputShape => inner.InputShape;
            public int ParameterCount => inner.ParameterCount;
            public Loss Loss => inner.Loss;
            public Span<float> Parameters => inner.Parameters;
            public Span<float> Gradients => inner.Gradients;
            public IReadOnlyList<ParameterTensor> ParameterLayout => inner.ParameterLayout;
            public Span<float> Buffers => inner.Buffers;
            public IReadOnlyList<ParameterTensor> BufferLayout => inner.BufferLayout;
            public string Summary => inner.Summary;
            public NetworkArchitecture Architecture => inner.Architecture;
            public ReadOnlySpan<float> Outputs => inner.Outputs;
            public Rng? TrainingRng => null;
            public int TargetSize => 1;

            public ReadOnlySpan<float> Forward(ReadOnlySpan<float> inputs, int batchSize) => inner.Forward(inputs, batchSize);
            public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize) => inner.Forward(inputs, outputs, batchSize);
            public float ComputeLoss(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, int batchSize) => inner.ComputeLoss(inputs, targets, batchSize);
            public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, int batchSize, Optimizer optimizer) => throw new NotSupportedException();

            public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, int batchSize)
            {
                float loss = inner.ComputeGradients(inputs, targets, batchSize);
                if (_calls++ == poisonedStep)
                {
                    inner.Gradients[^1] = float.PositiveInfinity;
                }
                return loss;
            }
        }

        [Fact]
        public void OnNonFinite_Stop_returns_the_completed_epochs_marked_and_Ignore_steps_into_NaN()
        {
            var model = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            var snapshots = new List<float[]> { model.Parameters.ToArray() };
            bool ended = false;
            FitOptions options = Diverging(NonFiniteAction.Stop, snapshots);
            options.Callbacks.Add(new LambdaCallback { TrainEnd = _ => ended = true });
            History history = model.Fit(Blobs(60, 2), options);
            Assert.NotNull(history.NonFinite);
            Assert.Equal(history.NonFinite!.Epoch, history.StoppedEpoch);
            Assert.Equal(history.NonFinite.Epoch, history.Epochs.Count);
            Assert.True(ended);
            Assert.Equal(snapshots[^1], model.Parameters.ToArray());

            var ignoring = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            History ignored = ignoring.Fit(Blobs(60, 2), Diverging(NonFiniteAction.Ignore, []));
            Assert.Null(ignored.NonFinite);
            Assert.Contains(ignoring.Parameters.ToArray(), v => !float.IsFinite(v));
        }

        [Fact]
        public void A_non_finite_feature_or_target_is_refused_naming_the_sample_and_column()
        {
            float[] x = new float[5 * 3];
            x[4 * 3 + 2] = float.NaN;
            ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(x, new int[5], 3));
            Assert.Equal("features", e.ParamName);
            Assert.Contains("sample 4, column 2 is NaN", e.Message, StringComparison.Ordinal);

            float[] y = new float[5 * 2];
            y[3] = float.NegativeInfinity;
            e = Assert.Throws<ArgumentException>(() => Dataset.FromValues(new float[5 * 3], y, 3, targetSize: 2));
            Assert.Equal("targets", e.ParamName);
            Assert.Contains("sample 1, column 1 is -Infinity", e.Message, StringComparison.Ordinal);

            // Token inputs and label targets are integers: nothing to check there.
            Assert.Equal(2, Dataset.FromTokens([1, 2, 3, 4], [0, 1], 2).Count);
        }

        [Fact]
        public void A_bad_label_met_inside_a_shuffled_Fit_names_the_dataset_row()
        {
            Dataset<int> data = Blobs(40, 2);
            int[] labels = data.Targets.ToArray();
            labels[29] = 7;
            var bad = Dataset.FromLabels(data.Features.ToArray(), labels, 3);
            var model = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            ArgumentException e = Assert.Throws<ArgumentException>(() =>
                model.Fit(bad, new FitOptions { Epochs = 1, BatchSize = 16, Seed = 5, Verbose = false }));
            Assert.StartsWith("Training sample 29 (row 29 of the training data; epoch 1, position ", e.Message, StringComparison.Ordinal);
            Assert.Contains("targets[0] is 7", e.Message, StringComparison.Ordinal);
            Assert.IsType<ArgumentOutOfRangeException>(e.InnerException);

            // The position named is where the loader put row 29 in its shuffled batch.
            int[] order = DataLoader<int>.Permutation(40, seed: 5, epoch: 0);
            int at = Array.IndexOf(order, 29);
            Assert.Contains($"position {at % 16} of shuffled batch {at / 16 + 1})", e.Message, StringComparison.Ordinal);
            Assert.Contains($"targets[{at % 16}] is 7", e.InnerException!.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_bad_label_in_validation_or_evaluation_data_names_the_dataset_row()
        {
            Dataset<int> data = Blobs(40, 2);
            int[] labels = data.Targets.ToArray();
            labels[37] = -1;
            var bad = Dataset.FromLabels(data.Features.ToArray(), labels, 3);
            var model = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            ArgumentException e = Assert.Throws<ArgumentException>(() => model.Evaluate(bad, batchSize: 16));
            Assert.StartsWith("Evaluation sample 37 (row 37 of the evaluation data; batch 3) is invalid. Checked alone: targets[0] is -1", e.Message, StringComparison.Ordinal);
            Assert.Equal("data", e.ParamName);
            e = Assert.Throws<ArgumentException>(() =>
                model.Fit(data, new FitOptions { Validation = bad, ValidationBatchSize = 16, Verbose = false }));
            Assert.StartsWith("Validation sample 37 (row 37 of the validation data; batch 3)", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_bad_token_met_inside_Fit_names_the_dataset_row()
        {
            var rng = new Rng(3);
            int[] tokens = new int[30 * 5];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = rng.NextInt(10);
            }
            tokens[17 * 5 + 3] = 12;
            var model = new BagOfEmbeddings(vocabulary: 10, dimension: 4, length: 5, classes: 2);
            ArgumentException e = Assert.Throws<ArgumentException>(() =>
                model.Fit(Dataset.FromTokens(tokens, new int[30], 5), new FitOptions { BatchSize = 8, Verbose = false }));
            Assert.StartsWith("Training sample 17 ", e.Message, StringComparison.Ordinal);
            Assert.Contains("position 3 holds token 12", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void DataLoader_RowOf_is_the_row_each_batch_position_holds()
        {
            Dataset<int> data = Blobs(10, 2);
            foreach (bool shuffle in new[] { false, true })
            {
                var loader = new DataLoader<int>(data, 4, shuffle, seed: 9);
                foreach (DataLoader<float, int>.Batch batch in loader.Epoch(3))
                {
                    for (int p = 0; p < batch.Size; p++)
                    {
                        int row = loader.RowOf(batch.Index, p);
                        Assert.Equal(data.FeaturesOf(row).ToArray(), batch.Inputs.Slice(p * 3, 3).ToArray());
                    }
                }
                Assert.Throws<ArgumentOutOfRangeException>(() => loader.RowOf(2, 2)); // the last batch holds 2
            }
        }

        [Fact]
        public void A_diverged_network_is_not_saved_and_predicts_no_class()
        {
            using var dir = new TempDirectory();
            string path = dir.File("model.safetensors");
            var model = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            model.Save(path);
            byte[] good = File.ReadAllBytes(path);
            model.Parameters[3 * 1 + 2] = float.NaN; // fc.weight [3, 3] at [1, 2]
            InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => model.Save(path));
            Assert.Contains("\"fc.weight\" holds NaN at [1, 2]", e.Message, StringComparison.Ordinal);
            Assert.Equal(good, File.ReadAllBytes(path));
            Assert.Equal(["model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));

            Dataset<int> test = Blobs(6, 4);
            e = Assert.Throws<InvalidOperationException>(() => model.PredictClass(test.FeaturesOf(0)));
            Assert.Contains("sample 0 hold NaN", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<InvalidOperationException>(() => model.PredictClasses(test, batchSize: 4));
            Assert.Contains("sample 0 hold NaN", e.Message, StringComparison.Ordinal);

            // A huge (finite) weight overflows only the samples whose feature 2 is large: sample 4 of [0, 1, 2, 4, 4, 5].
            var huge = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            huge.Parameters[3 * 1 + 2] = 3e38f;
            float[] x = test.Features.ToArray();
            for (int n = 0; n < 6; n++)
            {
                x[n * 3 + 2] = n == 4 ? 10f : 0f;
            }
            e = Assert.Throws<InvalidOperationException>(() => huge.PredictClasses(Dataset.FromLabels(x, new int[6], 3), batchSize: 4));
            Assert.Contains("sample 4 hold NaN", e.Message, StringComparison.Ordinal);

            ClassificationReport report = model.Evaluate(test);
            Assert.True(double.IsNaN(report.Loss));
            Assert.StartsWith("Loss NaN   Accuracy", report.ToString(), StringComparison.Ordinal);
            Assert.Contains("The loss is not finite", report.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("Loss", ClassificationReport.From([0, 1], [0, 1], 2).ToString(), StringComparison.Ordinal);
        }
    }
}

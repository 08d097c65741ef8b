using System;
using System.IO;
using System.Linq;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>Fit, Evaluate and Predict on token datasets, with hand-written token networks as the generated ones will be.</summary>
    public sealed class TokenTrainingTests : IDisposable
    {
        private const int Vocabulary = 12, Length = 7;
        private readonly TempDirectory _dir = new();

        public void Dispose() => _dir.Dispose();

        /// <summary>Sequences of 7 tokens in [0, 12); label 1 when at least 4 of them are "low" (&lt; 6): a linear function of the bag.</summary>
        internal static Dataset<int, int> Majority(int count, long seed)
        {
            var rng = new Rng(seed);
            int[] tokens = new int[count * Length], labels = new int[count];
            for (int n = 0; n < count; n++)
            {
                int low = 0;
                for (int t = 0; t < Length; t++)
                {
                    int token = rng.NextInt(Vocabulary);
                    tokens[n * Length + t] = token;
                    low += token < 6 ? 1 : 0;
                }
                labels[n] = low >= 4 ? 1 : 0;
            }
            return Dataset.FromTokens(tokens, labels, Length);
        }

        /// <summary>Sequences of 6 tokens in [0, 10), one label per step: the previous token mod 3 (0 at the first step).</summary>
        internal static Dataset<int, int> PreviousMod3(int count, long seed)
        {
            const int V = 10, T = 6;
            var rng = new Rng(seed);
            int[] tokens = new int[count * T], labels = new int[count * T];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = rng.NextInt(V);
                labels[i] = i % T == 0 ? 0 : tokens[i - 1] % 3;
            }
            return Dataset.FromTokens(tokens, labels, T, targetSize: T);
        }

        [Fact]
        public void A_bag_of_embeddings_learns_a_token_task_through_fit()
        {
            var model = new BagOfEmbeddings(Vocabulary, dimension: 4, Length, classes: 2, seed: 3);
            int batches = 0;
            History history = model.Fit(Majority(600, seed: 1), new FitOptions
            {
                Epochs = 25, BatchSize = 32, Optimizer = new Adam(0.05f), ValidationSplit = 0.2f, Seed = 5, Verbose = false,
                Callbacks = { new LambdaCallback { BatchEnd = (_, _) => batches++ } },
            });

            Assert.Equal(25 * 15, batches); // 480 training samples in batches of 32
            Assert.True(history["val_accuracy"][^1] > 0.9, history.ToCsv());
            Assert.True(history["loss"][^1] < history["loss"][0] / 2, history.ToCsv());
            ClassificationReport report = model.Evaluate(Majority(400, seed: 2));
            Assert.True(report.Accuracy > 0.9, report.ToString());
            Assert.Equal(400, report.Count);
            Assert.Contains("Confusion matrix", report.ToString());
        }

        [Fact]
        public void A_per_step_classifier_learns_and_counts_every_position_as_a_prediction()
        {
            var model = new PerStepTagger(vocabulary: 10, length: 6, classes: 3, seed: 4);
            Dataset<int, int> test = PreviousMod3(100, seed: 8);
            History history = model.Fit(PreviousMod3(300, seed: 7), new FitOptions
            {
                Epochs = 15, BatchSize = 25, Optimizer = new Adam(0.1f), Validation = test, Verbose = false,
            });

            ClassificationReport report = model.Evaluate(test, batchSize: 30);
            Assert.Equal(100 * 6, report.Count);
            Assert.Equal(3, report.PerClass.Count);
            Assert.True(report.Accuracy > 0.99, report.ToString());
            // Fit's validation after the last epoch measured the same network on the same data.
            Assert.Equal(report.Accuracy, history["val_accuracy"][^1], 12);
            Assert.Equal(report.Loss, history["val_loss"][^1], 6);
            Assert.Equal(NaiveAccuracy(model, test), report.Accuracy, 12);
        }

        [Fact]
        public void Running_training_accuracy_of_a_per_step_classifier_is_per_position()
        {
            // An untrained tagger with a zero learning rate: the epoch's running accuracy is the accuracy of the
            // fixed network over every position of every sample, as a naive count gives.
            var model = new PerStepTagger(vocabulary: 10, length: 6, classes: 3, seed: 9);
            for (int i = 0; i < model.ParameterCount; i++)
            {
                model.Parameters[i] = (i * 7919 % 23) / 23f - 0.5f; // spread the logits so accuracy is neither 0 nor 1
            }
            Dataset<int, int> data = PreviousMod3(90, seed: 10);
            double expected = NaiveAccuracy(model, data);
            Assert.InRange(expected, 0.05, 0.95);
            History history = model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 16, Optimizer = new Sgd(0f), Verbose = false });
            Assert.Equal(expected, history["accuracy"][0], 12);
            Assert.Equal(expected, model.Evaluate(data).Accuracy, 12);
        }

        // The fraction of (sample, step) positions whose largest output is the label, from Predict's outputs.
        private static double NaiveAccuracy(PerStepTagger model, Dataset<int, int> data)
        {
            float[] outputs = model.Predict(data, batchSize: 7);
            int classes = model.Classes, correct = 0;
            ReadOnlySpan<int> labels = data.Targets;
            for (int p = 0; p < labels.Length; p++)
            {
                int best = 0;
                for (int k = 1; k < classes; k++)
                {
                    best = outputs[p * classes + k] > outputs[p * classes + best] ? k : best;
                }
                correct += best == labels[p] ? 1 : 0;
            }
            return (double)correct / labels.Length;
        }

        [Fact]
        public void Predicting_classes_per_step_returns_one_class_per_position()
        {
            var model = new PerStepTagger(vocabulary: 10, length: 6, classes: 3, seed: 11);
            Dataset<int, int> data = PreviousMod3(20, seed: 12);
            int[] all = model.PredictClasses(data, batchSize: 3);
            Assert.Equal(20 * 6, all.Length);
            for (int n = 0; n < data.Count; n++)
            {
                int[] one = model.PredictClasses(data.FeaturesOf(n));
                Assert.Equal(all.AsSpan(n * 6, 6).ToArray(), one);
                ReadOnlySpan<float> outputs = model.Predict(data.FeaturesOf(n));
                Assert.Equal(6 * 3, outputs.Length);
                for (int t = 0; t < 6; t++)
                {
                    Assert.Equal(outputs.Slice(t * 3, 3).ToArray().Max(), outputs[t * 3 + one[t]]);
                }
            }
            Assert.Contains("PredictClasses", Assert.Throws<InvalidOperationException>(() => model.PredictClass(data.FeaturesOf(0))).Message);

            var bag = new BagOfEmbeddings(Vocabulary, 4, Length, 2);
            Dataset<int, int> sequences = Majority(9, seed: 3);
            int[] classes = bag.PredictClasses(sequences);
            Assert.Equal(9, classes.Length);
            Assert.Equal(classes[4], bag.PredictClass(sequences.FeaturesOf(4)));
            Assert.Equal([classes[4]], bag.PredictClasses(sequences.FeaturesOf(4)));
        }

        [Fact]
        public void Resuming_token_training_from_a_checkpoint_continues_exactly()
        {
            Dataset<int, int> data = Majority(150, seed: 5);
            FitOptions Options(Optimizer optimizer, TrainingState? resume = null, params Callback[] callbacks) => new()
            {
                Epochs = 4, BatchSize = 16, Optimizer = optimizer, Seed = 21, ValidationSplit = 0.2f, ClipGradientNorm = 1f,
                Resume = resume, Verbose = false, Callbacks = callbacks.ToList(),
            };

            var uninterrupted = new BagOfEmbeddings(Vocabulary, 4, Length, 2, seed: 8);
            uninterrupted.Fit(data, Options(new Adam(0.02f)));

            string path = Path.Combine(_dir.Path, "epoch-{epoch}.safetensors");
            var first = new BagOfEmbeddings(Vocabulary, 4, Length, 2, seed: 8);
            first.Fit(data, Options(new Adam(0.02f), callbacks:
            [
                new ModelCheckpoint(path, saveBestOnly: false),
                new LambdaCallback { EpochEnd = (context, log) => context.StopTraining = log.Epoch == 1 },
            ]));

            var resumed = new BagOfEmbeddings(Vocabulary, 4, Length, 2, seed: 99);
            var optimizer = new Adam(0.5f);
            CheckpointInfo info = resumed.LoadWeights(path.Replace("{epoch}", "2"), optimizer);
            History rest = resumed.Fit(data, Options(optimizer, resume: info.Training));

            Assert.Equal([2, 3], rest.Epochs.Select(e => e.Epoch));
            Assert.Equal(uninterrupted.Parameters.ToArray(), resumed.Parameters.ToArray());
        }

        [Fact]
        public void Token_networks_reject_data_of_the_wrong_shape_or_kind()
        {
            var model = new BagOfEmbeddings(Vocabulary, 4, Length, 2);
            Dataset<int, int> wrongLength = Dataset.FromTokens(new int[12], new int[2], sequenceLength: 6);
            Assert.Contains("6 features per sample; the network takes 7", Assert.Throws<ArgumentException>(() => model.Fit(wrongLength)).Message);
            Dataset<int, int> perStep = Dataset.FromTokens(new int[14], new int[14], Length, targetSize: Length);
            Assert.Contains("7 targets per sample; the network needs 1", Assert.Throws<ArgumentException>(() => model.Evaluate(perStep)).Message);

            var floats = Dataset.FromLabels(new float[14], new int[2], Length);
            Assert.Contains("Validation must be a Dataset<Int32, Int32> like the training data; it is a Dataset<Int32>",
                Assert.Throws<ArgumentException>(() => model.Fit(Majority(10, 1), new FitOptions { Validation = floats, Verbose = false })).Message);
            Assert.Contains("holds Single inputs; the network takes Int32 inputs", Assert.Throws<ArgumentException>(() => model.Predict(floats)).Message);

            int[] tokens = new int[2 * Length];
            tokens[Length + 3] = Vocabulary;
            var bad = Dataset.FromTokens(tokens, new int[2], Length);
            // Fit names the dataset row; the network's own message (checked alone, so sample 0) says where in the sequence.
            ArgumentException e = Assert.Throws<ArgumentException>(() => model.Fit(bad, new FitOptions { Shuffle = false, Verbose = false }));
            Assert.StartsWith("Training sample 1 (row 1 of the training data; epoch 1, batch 1)", e.Message);
            Assert.Contains("position 3 holds token 12; a token id must be in [0, 12)", e.Message);
            Assert.Contains("inputs: sample 1, position 3 holds token 12", e.InnerException!.Message);
        }

        [Fact]
        public void The_hand_written_token_networks_have_the_gradients_of_their_loss()
        {
            // Central differences in double around each parameter; the networks above are only as good as this.
            Check(new BagOfEmbeddings(Vocabulary, 3, Length, 2, seed: 2), Majority(5, seed: 1));
            Check(new PerStepTagger(vocabulary: 10, length: 6, classes: 3, seed: 2), PreviousMod3(4, seed: 1));

            static void Check(HandNetwork<int> net, Dataset<int, int> data)
            {
                for (int i = 0; i < net.ParameterCount; i++)
                {
                    net.Parameters[i] *= 10; // larger logits, gradients well above float noise
                }
                net.ComputeGradients(data.Features, data.Targets, data.Count);
                float[] analytic = net.Gradients.ToArray();
                const float h = 1e-2f;
                for (int i = 0; i < net.ParameterCount; i++)
                {
                    float saved = net.Parameters[i];
                    net.Parameters[i] = saved + h;
                    double plus = net.ComputeLoss(data.Features, data.Targets, data.Count);
                    net.Parameters[i] = saved - h;
                    double minus = net.ComputeLoss(data.Features, data.Targets, data.Count);
                    net.Parameters[i] = saved;
                    double numeric = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"{net.GetType().Name}[{i}]: {analytic[i]} vs {numeric}");
                }
                Assert.Contains(analytic, g => Math.Abs(g) > 1e-2);
            }
        }
    }
}

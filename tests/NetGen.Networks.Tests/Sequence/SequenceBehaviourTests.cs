using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;

namespace NetGen.Networks.Tests.Sequence
{
    /// <summary>A small character model: 8 tokens of 11 → Embedding(6) → two LSTMs(10) → Dense(11, Softmax) at every step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(8, vocabularySize: 11)]
    [Embedding(6)]
    [Lstm(10, ReturnSequences = true)]
    [Lstm(10, ReturnSequences = true)]
    [Dense(11, Activation.Softmax)]
    public partial class SmallCharModel;

    /// <summary>A sequence classifier: 12 tokens of 20 → Embedding(6, padding 0) → Gru(10, 2 layers), last step → Dense(4, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(12, vocabularySize: 20)]
    [Embedding(6, PaddingIndex = 0)]
    [Gru(10, Layers = 2)]
    [Dense(4, Activation.Softmax)]
    public partial class SmallGruClassifier;

    /// <summary>
    /// A character model wide enough for the kernels to split work across threads at batch 64: the recurrent
    /// step goes parallel from batch × hidden ≥ 2,048 values and a GEMM from 2 M flops per part
    /// (src/Runtime/Kernels/Recurrent.cs and Gemm.cs at the time of writing); dW_hh here is 2·128·32·1,024 ≈ 8 M flops.
    /// </summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(16, vocabularySize: 30)]
    [Embedding(16)]
    [Lstm(32, ReturnSequences = true)]
    [Dense(30, Activation.Softmax)]
    public partial class WideCharModel;

    /// <summary>A GRU classifier as wide as <see cref="WideCharModel"/>, two stacked layers, last step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(16, vocabularySize: 30)]
    [Embedding(16, PaddingIndex = 0)]
    [Gru(32, Layers = 2)]
    [Dense(4, Activation.Softmax)]
    public partial class WideGruClassifier;

    /// <summary>
    /// What a user of a sequence network relies on besides the numbers: the generated constants, no
    /// allocation in steady-state training and generation, results independent of the thread count,
    /// token ids and labels checked with messages that say where and what, and Fit / Evaluate on a
    /// token dataset (per-step labels count once per position).
    /// </summary>
    public class SequenceBehaviourTests
    {
        [Fact]
        public void Constants_describe_tokens_steps_and_classes()
        {
            Assert.Equal(8, SmallCharModel.InputSize);
            Assert.Equal(8, SmallCharModel.SequenceLength);
            Assert.Equal(11, SmallCharModel.VocabularySize);
            Assert.Equal(11, SmallCharModel.Classes);
            Assert.Equal(8, SmallCharModel.TargetSize);
            Assert.Equal(8 * 11, SmallCharModel.OutputSize);
            Assert.Equal([8], SmallCharModel.InputShape);
            Assert.Equal(8, ((INetwork<int, int>)new SmallCharModel()).TargetSize);

            Assert.Equal(12, SmallGruClassifier.InputSize);
            Assert.Equal(20, SmallGruClassifier.VocabularySize);
            Assert.Equal(1, SmallGruClassifier.TargetSize);
            Assert.Equal(4, SmallGruClassifier.OutputSize);
            Assert.Equal(
                ["embedding.weight", "gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0",
                 "gru.weight_ih_l1", "gru.weight_hh_l1", "gru.bias_ih_l1", "gru.bias_hh_l1", "dense.weight", "dense.bias"],
                SmallGruClassifier.ParameterLayout.Select(t => t.Name));
            Assert.Matches(@"lstm_1 \(Lstm, sequences\)\s+\[B, 8, 10\]", SmallCharModel.Summary);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Training_and_stepping_allocate_nothing_after_the_first_call(int threads)
        {
            int savedThreads = Parallelism.MaxThreads;
            Parallelism.MaxThreads = threads;
            try
            {
                var rng = new Rng(3);
                var charModel = new SmallCharModel(seed: 1);
                (int[] tokens, int[] labels) = Batch(rng, 32, SmallCharModel.SequenceLength, SmallCharModel.VocabularySize, SmallCharModel.TargetSize, SmallCharModel.Classes);
                AssertNoSteadyStateAllocation(charModel, tokens, labels, 32, generate: steps =>
                {
                    for (int s = 0; s < steps; s++)
                    {
                        charModel.Step(tokens.AsSpan(s * 4, 4), 4);
                    }
                });

                var classifier = new SmallGruClassifier(seed: 2);
                (tokens, labels) = Batch(rng, 32, SmallGruClassifier.SequenceLength, SmallGruClassifier.VocabularySize, 1, 4);
                AssertNoSteadyStateAllocation(classifier, tokens, labels, 32, generate: steps =>
                {
                    for (int s = 0; s < steps; s++)
                    {
                        classifier.Step(tokens.AsSpan(s * 3, 3), 3);
                    }
                });

                if (threads == 1)
                {
                    return;
                }
                // Wide enough for the kernels' threaded paths at batch 64 (see WideCharModel).
                var wide = new WideCharModel(seed: 3);
                (tokens, labels) = Batch(rng, 64, WideCharModel.SequenceLength, WideCharModel.VocabularySize, WideCharModel.TargetSize, WideCharModel.Classes);
                AssertNoSteadyStateAllocation(wide, tokens, labels, 64, generate: steps =>
                {
                    for (int s = 0; s < steps; s++)
                    {
                        wide.Step(tokens.AsSpan(s * 64, 64), 64);
                    }
                });
                var wideGru = new WideGruClassifier(seed: 4);
                (tokens, labels) = Batch(rng, 64, WideGruClassifier.SequenceLength, WideGruClassifier.VocabularySize, 1, 4);
                AssertNoSteadyStateAllocation(wideGru, tokens, labels, 64, generate: steps =>
                {
                    for (int s = 0; s < steps; s++)
                    {
                        wideGru.Step(tokens.AsSpan(s * 64, 64), 64);
                    }
                });
            }
            finally
            {
                Parallelism.MaxThreads = savedThreads;
            }
        }

        /// <summary>
        /// Warms up (the full batch, a half batch, inference, generation), then measures windows of steady-state
        /// calls. As NetworkBehaviourTests: a per-step allocation shows in every window, while the runtime now and
        /// then allocates a few hundred bytes once on this thread (tiering), so one clean window of three is the bar.
        /// </summary>
        private static void AssertNoSteadyStateAllocation(INetwork<int, int> net, int[] tokens, int[] labels, int batch, Action<int> generate)
        {
            int perSample = net.InputSize, targets = net.TargetSize, half = batch / 2;
            float[] outputs = new float[batch * net.OutputSize];
            foreach (Optimizer optimizer in new Optimizer[] { new Adam(1e-3f), new Sgd(0.01f, momentum: 0.9f) })
            {
                void Round()
                {
                    net.TrainStep(tokens, labels, batch, optimizer);
                    net.TrainStep(tokens.AsSpan(0, half * perSample), labels.AsSpan(0, half * targets), half, optimizer);
                    net.Forward(tokens, outputs, batch);
                    net.ComputeLoss(tokens, labels, batch);
                    generate(5);
                }
                Round();
                var windows = new List<long>();
                for (int window = 0; window < 3 && (windows.Count == 0 || windows[^1] != 0); window++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int step = 0; step < 5; step++)
                    {
                        Round();
                    }
                    windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
                }
                Assert.True(windows[^1] == 0,
                    $"{net.GetType().Name}, {optimizer.GetType().Name}: bytes allocated in each window of five steady-state rounds: {string.Join(", ", windows)}");
            }
        }

        [Fact]
        public void Parameters_are_bit_identical_with_one_and_two_threads()
        {
            float[] Train(Func<INetwork<int, int>> create, int threads)
            {
                int savedThreads = Parallelism.MaxThreads;
                Parallelism.MaxThreads = threads;
                try
                {
                    INetwork<int, int> net = create();
                    int v = net.ParameterLayout[0].Shape[0];
                    int classes = net.OutputSize / net.TargetSize;
                    var rng = new Rng(11);
                    var optimizer = new Adam(1e-2f);
                    for (int step = 0; step < 4; step++)
                    {
                        (int[] tokens, int[] labels) = Batch(rng, 64, net.InputSize, v, net.TargetSize, classes);
                        net.TrainStep(tokens, labels, 64, optimizer);
                    }
                    return net.Parameters.ToArray();
                }
                finally
                {
                    Parallelism.MaxThreads = savedThreads;
                }
            }
            foreach (Func<INetwork<int, int>> create in new Func<INetwork<int, int>>[]
            {
                () => new WideCharModel(seed: 5), () => new WideGruClassifier(seed: 6), () => new SmallCharModel(seed: 7),
            })
            {
                float[] one = Train(create, 1);
                float[] two = Train(create, 2);
                int firstDifference = FirstDifference(one, two);
                Assert.True(firstDifference < 0, $"{create().GetType().Name}: parameter {firstDifference} differs: {(firstDifference < 0 ? 0 : one[firstDifference]):G9} with 1 thread, {(firstDifference < 0 ? 0 : two[firstDifference]):G9} with 2");
                Assert.NotEqual(create().Parameters.ToArray(), one);
            }
        }

        [Fact]
        public void Stepping_a_whole_sequence_reproduces_Forward_for_stacked_grus_and_lstms()
        {
            // Stacked GRU (Layers = 2) classifying from the last step: after T steps, Step's output is Forward's.
            var rng = new Rng(41);
            const int B = 3, T = SmallGruClassifier.SequenceLength, C = 4;
            (int[] tokens, _) = Batch(rng, B, T, SmallGruClassifier.VocabularySize, 1, C);
            tokens[1] = tokens[T + 5] = 0; // the padding token, looked up like any other
            var classifier = new SmallGruClassifier(seed: 12);
            float[] expected = classifier.Forward(tokens, B).ToArray();
            float[] stepped = StepThrough(classifier.Step, tokens, B, T, C)[T - 1];
            AssertClose(expected, stepped, "GRU classifier: last Step vs Forward");

            // Two LSTMs with a Dense at every step: Step t's output is Forward's step t.
            const int V = SmallCharModel.VocabularySize, S = SmallCharModel.SequenceLength;
            (tokens, _) = Batch(rng, B, S, V, 1, 1);
            var model = new SmallCharModel(seed: 13);
            float[] forward = model.Forward(tokens, B).ToArray();
            float[][] steps = StepThrough(model.Step, tokens, B, S, V);
            for (int t = 0; t < S; t++)
            {
                float[] atT = Enumerable.Range(0, B).SelectMany(b => forward.AsSpan((b * S + t) * V, V).ToArray()).ToArray();
                AssertClose(atT, steps[t], $"char model: Step {t} vs Forward");
            }
        }

        private delegate ReadOnlySpan<float> StepFunction(ReadOnlySpan<int> tokens, int batchSize);

        /// <summary>Feeds <paramref name="tokens"/> [B, T] one column per Step; returns each step's outputs [B, width].</summary>
        private static float[][] StepThrough(StepFunction step, int[] tokens, int batch, int steps, int width)
        {
            var outputs = new float[steps][];
            var column = new int[batch];
            for (int t = 0; t < steps; t++)
            {
                for (int b = 0; b < batch; b++)
                {
                    column[b] = tokens[b * steps + t];
                }
                outputs[t] = step(column, batch).ToArray();
                Assert.Equal(batch * width, outputs[t].Length);
            }
            return outputs;
        }

        /// <summary>Step and Forward take different kernel paths (one step against the whole sequence): equal to 1e-6.</summary>
        private static void AssertClose(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f, $"{what}: [{i}] {actual[i]:G9}, expected {expected[i]:G9}");
            }
        }

        [Fact]
        public void A_token_outside_the_vocabulary_is_refused_with_sample_position_value_and_range()
        {
            var net = new SmallCharModel();
            var optimizer = new Adam();
            int[] tokens = new int[2 * 8];
            int[] labels = new int[2 * 8];
            tokens[8 + 3] = 11;
            var e = Assert.Throws<ArgumentException>(() => net.Forward(tokens, 2));
            Assert.Contains("sample 1, position 3 holds token 11; a token id must be in [0, 11)", e.Message);
            Assert.Equal("inputs", e.ParamName);
            e = Assert.Throws<ArgumentException>(() => net.TrainStep(tokens, labels, 2, optimizer));
            Assert.Contains("sample 1, position 3 holds token 11", e.Message);
            Assert.Throws<ArgumentException>(() => net.ComputeLoss(tokens, labels, 2));
            Assert.Throws<ArgumentException>(() => net.ComputeGradients(tokens, labels, 2));

            tokens[8 + 3] = 0;
            tokens[5] = -1;
            e = Assert.Throws<ArgumentException>(() => net.Forward(tokens, new float[2 * 88], 2));
            Assert.Contains("sample 0, position 5 holds token -1; a token id must be in [0, 11)", e.Message);

            e = Assert.Throws<ArgumentException>(() => net.Step([3, 40], 2));
            Assert.Contains("holds token 40; a token id must be in [0, 11)", e.Message);
            Assert.Equal("tokens", e.ParamName);
            Assert.Throws<ArgumentException>(() => net.Step([3, 4, 5], 2));

            var classifier = new SmallGruClassifier();
            e = Assert.Throws<ArgumentException>(() => classifier.Forward(Enumerable.Repeat(20, 12).ToArray(), 1));
            Assert.Contains("sample 0, position 0 holds token 20; a token id must be in [0, 20)", e.Message);
        }

        [Fact]
        public void Wrong_labels_are_refused_and_a_refused_step_changes_nothing()
        {
            var net = new SmallCharModel(seed: 4);
            float[] before = net.Parameters.ToArray();
            int[] tokens = new int[2 * 8];
            int[] labels = new int[2 * 8];
            labels[13] = 11;
            var range = Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainStep(tokens, labels, 2, new Sgd(1f)));
            Assert.Contains("labels[13] is 11; a class label must be in [0, 11)", range.Message);
            labels[13] = -2;
            Assert.Throws<ArgumentOutOfRangeException>(() => net.ComputeLoss(tokens, labels, 2));
            Assert.Equal(before, net.Parameters.ToArray());

            // One label per step: a per-sequence label count is refused.
            var e = Assert.Throws<ArgumentException>(() => net.ComputeGradients(tokens, new int[2], 2));
            Assert.Contains("labels has 2 values; expected batchSize × TargetSize = 2 × 8 = 16", e.Message);
            e = Assert.Throws<ArgumentException>(() => net.Forward(new int[15], 2));
            Assert.Contains("inputs has 15 values; expected batchSize × InputSize = 2 × 8 = 16", e.Message);

            var classifier = new SmallGruClassifier();
            range = Assert.Throws<ArgumentOutOfRangeException>(() => classifier.ComputeGradients(new int[2 * 12], [0, 4], 2));
            Assert.Contains("labels[1] is 4; a class label must be in [0, 4)", range.Message);
        }

        [Fact]
        public void Fit_on_a_token_dataset_reduces_the_loss_and_Evaluate_counts_every_position()
        {
            // Next-token prediction on a deterministic cycle: token t+1 = (token t + 3) mod 11, from random starts.
            const int N = 256, T = SmallCharModel.SequenceLength, V = SmallCharModel.VocabularySize;
            var rng = new Rng(21);
            int[] tokens = new int[N * T];
            int[] labels = new int[N * T];
            for (int n = 0; n < N; n++)
            {
                int token = rng.NextInt(V);
                for (int t = 0; t < T; t++)
                {
                    tokens[n * T + t] = token;
                    token = (token + 3) % V;
                    labels[n * T + t] = token;
                }
            }
            Dataset<int, int> data = Dataset.FromTokens(tokens, labels, sequenceLength: T, targetSize: T);
            Assert.Equal(N, data.Count);

            var net = new SmallCharModel(seed: 8);
            History history = net.Fit(data, new FitOptions { Epochs = 8, BatchSize = 32, Optimizer = new Adam(2e-2f), Verbose = false, Seed = 1 });
            Assert.Equal(8, history.Epochs.Count);
            Assert.True(history["loss"][7] < 0.5 * history["loss"][0], $"loss by epoch: {string.Join(", ", history["loss"])}");

            ClassificationReport report = net.Evaluate(data, batchSize: 100);
            Assert.Equal((long)N * T, report.Count);
            Assert.Equal(V, report.PerClass.Count);

            // The report's accuracy is the argmax at every (sample, step) of Forward, against every label.
            ReadOnlySpan<float> probabilities = net.Forward(tokens, N);
            int correct = 0;
            for (int i = 0; i < N * T; i++)
            {
                ReadOnlySpan<float> p = probabilities.Slice(i * V, V);
                int best = 0;
                for (int c = 1; c < V; c++)
                {
                    if (p[c] > p[best])
                    {
                        best = c;
                    }
                }
                correct += best == labels[i] ? 1 : 0;
            }
            Assert.Equal(correct, report.Correct);
            Assert.Equal(correct / (double)(N * T), report.Accuracy, 12);
            Assert.Equal(net.ComputeLoss(tokens, labels, N), report.Loss, 4);
            Assert.True(report.Accuracy > 0.9, $"accuracy {report.Accuracy:P1}");
        }

        [Fact]
        public void Fit_trains_a_sequence_classifier_from_token_ids()
        {
            // Label = which of four "keyword" tokens (1..4) appears somewhere among padding and filler tokens.
            const int N = 320, T = SmallGruClassifier.SequenceLength;
            var rng = new Rng(31);
            int[] tokens = new int[N * T];
            int[] labels = new int[N];
            for (int n = 0; n < N; n++)
            {
                labels[n] = rng.NextInt(4);
                int length = 4 + rng.NextInt(T - 4);
                for (int t = 0; t < T; t++)
                {
                    tokens[n * T + t] = t < T - length ? 0 : 5 + rng.NextInt(15);
                }
                tokens[n * T + T - length + rng.NextInt(length)] = 1 + labels[n];
            }
            Dataset<int, int> data = Dataset.FromTokens(tokens, labels, sequenceLength: T);
            var net = new SmallGruClassifier(seed: 3);
            float before = net.ComputeLoss(tokens, labels, N);
            History history = net.Fit(data, new FitOptions { Epochs = 6, BatchSize = 32, Optimizer = new Adam(1e-2f), Verbose = false });
            float after = net.ComputeLoss(tokens, labels, N);
            Assert.True(after < 0.5f * before, $"loss {before:G4} → {after:G4}; by epoch: {string.Join(", ", history["loss"])}");
            Assert.Equal(N, net.Evaluate(data).Count);
        }

        /// <summary><paramref name="count"/> random sequences of <paramref name="steps"/> tokens below <paramref name="vocabulary"/>, and <paramref name="targets"/> random labels each.</summary>
        private static (int[] Tokens, int[] Labels) Batch(Rng rng, int count, int steps, int vocabulary, int targets, int classes)
        {
            int[] tokens = new int[count * steps];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = rng.NextInt(vocabulary);
            }
            int[] labels = new int[count * targets];
            for (int i = 0; i < labels.Length; i++)
            {
                labels[i] = rng.NextInt(classes);
            }
            return (tokens, labels);
        }

        private static int FirstDifference(float[] a, float[] b)
        {
            for (int i = 0; i < a.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
                {
                    return i;
                }
            }
            return a.Length == b.Length ? -1 : a.Length;
        }
    }
}

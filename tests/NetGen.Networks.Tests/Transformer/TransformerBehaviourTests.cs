using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using NetGen.Data;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Transformer
{
    /// <summary>SpamClassifier's shape: 16 tokens of 50 → Embedding(8, padding 0) → learned positions → post-norm ReLU and pre-norm GELU encoders, dropout 0.1 → pool → Dense(2, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(16, vocabularySize: 50)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(heads: 2, feedForward: 16, Dropout = 0.1f)]
    [TransformerEncoder(heads: 2, feedForward: 16, Dropout = 0.1f, NormFirst = true, Activation = Activation.Gelu)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class SpamShaped;

    /// <summary>
    /// SpamClassifier's layers, wide enough for the kernels to split work across threads at batch 64: attention goes
    /// parallel from 2 M flops (64 samples × 4 heads × 4·32²·8 ≈ 8 M forward), a GEMM from 2 M flops per part
    /// (2,048 rows × 32 × 96 × 2 ≈ 12 M for in_proj), at the time of writing.
    /// </summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(32, vocabularySize: 64)]
    [Embedding(32, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(heads: 4, feedForward: 64, Dropout = 0.1f)]
    [TransformerEncoder(heads: 4, feedForward: 64, Dropout = 0.1f, NormFirst = true, Activation = Activation.Gelu)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class WideSpamShaped;

    /// <summary>Keyword spotting: 12 tokens of 16 (padding 0) → Embedding(16) → learned positions → one encoder → pool → Dense(2, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(12, vocabularySize: 16)]
    [Embedding(16, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(heads: 2, feedForward: 32, Dropout = 0f)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class KeywordTransformer;

    /// <summary>
    /// What a user of a Transformer relies on besides the numbers: no allocation in steady-state training and
    /// generation, dropout active in training only and reproducible from the seed, results independent of the
    /// thread count, an all-padding sequence refused with a message naming the sample, and Fit learning a
    /// padded token classification task.
    /// </summary>
    public class TransformerBehaviourTests(ITestOutputHelper output)
    {
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
                var spam = new SpamShaped(seed: 1);
                (int[] tokens, int[] labels) = PaddedBatch(rng, 32, SpamShaped.SequenceLength, SpamShaped.VocabularySize, 2);
                AssertNoSteadyStateAllocation(spam, tokens, labels, 32, generate: null);

                var gpt = new GenCausalStack(seed: 2);
                int t = GenCausalStack.SequenceLength, v = GenCausalStack.VocabularySize;
                int[] gptTokens = Enumerable.Range(0, 32 * t).Select(_ => rng.NextInt(v)).ToArray();
                int[] gptLabels = Enumerable.Range(0, 32 * t).Select(_ => rng.NextInt(v)).ToArray();
                AssertNoSteadyStateAllocation(gpt, gptTokens, gptLabels, 32, generate: steps =>
                {
                    gpt.ResetState();
                    for (int s = 0; s < steps; s++)
                    {
                        gpt.Step(gptTokens.AsSpan(s * 4, 4), 4);
                    }
                });

                if (threads == 1)
                {
                    return;
                }
                var wide = new WideSpamShaped(seed: 3);
                (tokens, labels) = PaddedBatch(rng, 64, WideSpamShaped.SequenceLength, WideSpamShaped.VocabularySize, 2);
                AssertNoSteadyStateAllocation(wide, tokens, labels, 64, generate: null);
            }
            finally
            {
                Parallelism.MaxThreads = savedThreads;
            }
        }

        /// <summary>
        /// Warms up (the full batch, a half batch, inference, generation), then measures windows of steady-state
        /// calls. As SequenceBehaviourTests: a per-step allocation shows in every window, while the runtime now and
        /// then allocates a few hundred bytes once on this thread (tiering), so one clean window of three is the bar.
        /// </summary>
        private static void AssertNoSteadyStateAllocation(INetwork<int, int> net, int[] tokens, int[] labels, int batch, Action<int>? generate)
        {
            int perSample = net.InputSize, targets = net.TargetSize, half = batch / 2;
            float[] outputs = new float[batch * net.OutputSize];
            foreach (Optimizer optimizer in new Optimizer[] { new AdamW(1e-3f), new Sgd(0.01f, momentum: 0.9f) })
            {
                void Round()
                {
                    net.TrainStep(tokens, labels, batch, optimizer);
                    net.TrainStep(tokens.AsSpan(0, half * perSample), labels.AsSpan(0, half * targets), half, optimizer);
                    net.Forward(tokens, outputs, batch);
                    net.ComputeLoss(tokens, labels, batch);
                    generate?.Invoke(5);
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
        public void Parameters_are_bit_identical_with_one_and_two_threads_with_dropout()
        {
            float[] Train(Func<INetwork<int, int>> create, int threads, int batch)
            {
                int savedThreads = Parallelism.MaxThreads;
                Parallelism.MaxThreads = threads;
                try
                {
                    INetwork<int, int> net = create();
                    int v = net.ParameterLayout[0].Shape[0];
                    var rng = new Rng(11);
                    var optimizer = new AdamW(1e-2f, weightDecay: 0.01f);
                    for (int step = 0; step < 3; step++)
                    {
                        (int[] tokens, int[] labels) = PaddedBatch(rng, batch, net.InputSize, v, 2);
                        net.TrainStep(tokens, labels, batch, optimizer);
                    }
                    return net.Parameters.ToArray();
                }
                finally
                {
                    Parallelism.MaxThreads = savedThreads;
                }
            }
            foreach ((Func<INetwork<int, int>> create, int batch) in new (Func<INetwork<int, int>>, int)[]
            {
                (() => new SpamShaped(seed: 5), 256), (() => new WideSpamShaped(seed: 6), 64),
            })
            {
                float[] one = Train(create, 1, batch);
                float[] two = Train(create, 2, batch);
                int firstDifference = FirstDifference(one, two);
                Assert.True(firstDifference < 0, $"{create().GetType().Name}: parameter {firstDifference} differs: {(firstDifference < 0 ? 0 : one[firstDifference]):G9} with 1 thread, {(firstDifference < 0 ? 0 : two[firstDifference]):G9} with 2");
                Assert.NotEqual(create().Parameters.ToArray(), one);
            }
        }

        [Fact]
        public void Dropout_is_active_in_training_only_and_reproducible_from_the_seed()
        {
            var rng = new Rng(23);
            const int B = 16;
            (int[] tokens, int[] labels) = PaddedBatch(rng, B, SpamShaped.SequenceLength, SpamShaped.VocabularySize, 2);
            var net = new SpamShaped(seed: 9);
            Assert.NotNull(net.TrainingRng);

            // Inference: no dropout, no draws: the same outputs twice, bit for bit, and ComputeLoss agrees.
            RngState start = net.TrainingRng.State;
            float[] inference = net.Forward(tokens, B).ToArray();
            Assert.Equal(inference, net.Forward(tokens, B).ToArray());
            float inferenceLoss = net.ComputeLoss(tokens, labels, B);
            Assert.Equal(inferenceLoss, net.ComputeLoss(tokens, labels, B));
            Assert.Equal(start, net.TrainingRng.State);

            // Training: masks drawn (the generator moves on), outputs and loss differ from inference, and again
            // on the next pass (fresh masks).
            float trainingLoss = net.ComputeGradients(tokens, labels, B);
            float[] training = net.Outputs.ToArray();
            float[] gradients = net.Gradients.ToArray();
            Assert.NotEqual(start, net.TrainingRng.State);
            Assert.NotEqual(inferenceLoss, trainingLoss);
            Assert.NotEqual(inference, training);
            Assert.NotEqual(trainingLoss, net.ComputeGradients(tokens, labels, B));

            // The same generator state gives the same masks: the pass repeats bit for bit.
            net.TrainingRng.State = start;
            Assert.Equal(trainingLoss, net.ComputeGradients(tokens, labels, B));
            Assert.Equal(training, net.Outputs.ToArray());
            Assert.Equal(gradients, net.Gradients.ToArray());

            // The same seed gives the same training run; another seed, another one.
            float[] Run(int seed)
            {
                var n = new SpamShaped(seed);
                var optimizer = new AdamW(1e-2f);
                for (int i = 0; i < 3; i++)
                {
                    n.TrainStep(tokens, labels, B, optimizer);
                }
                return n.Parameters.ToArray();
            }
            Assert.Equal(Run(4), Run(4));
            Assert.NotEqual(Run(4), Run(5));

            // Only the dropout stream differs: two networks with the same weights but different generator states
            // train differently (the masks matter), and equal states train identically.
            var a = new SpamShaped(seed: 4);
            var b = new SpamShaped(seed: 4);
            b.TrainingRng!.State = new Rng(1234).State;
            Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
            a.ComputeGradients(tokens, labels, B);
            b.ComputeGradients(tokens, labels, B);
            Assert.NotEqual(a.Gradients.ToArray(), b.Gradients.ToArray());
        }

        [Fact]
        public void A_sequence_of_only_padding_is_refused_naming_the_sample()
        {
            var net = new SpamShaped(seed: 2);
            var rng = new Rng(5);
            const int B = 3, T = SpamShaped.SequenceLength;
            (int[] tokens, int[] labels) = PaddedBatch(rng, B, T, SpamShaped.VocabularySize, 2);
            tokens.AsSpan(T, T).Clear(); // sample 1: every token is the padding id 0
            float[] before = net.Parameters.ToArray();

            void AssertNamesSample1(ArgumentException e) => Assert.Contains("Sample 1", e.Message);
            AssertNamesSample1(Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, B)));
            AssertNamesSample1(Assert.ThrowsAny<ArgumentException>(() => net.Forward(tokens, new float[B * 2], B)));
            AssertNamesSample1(Assert.ThrowsAny<ArgumentException>(() => net.TrainStep(tokens, labels, B, new AdamW(1e-2f))));
            AssertNamesSample1(Assert.ThrowsAny<ArgumentException>(() => net.ComputeLoss(tokens, labels, B)));
            AssertNamesSample1(Assert.ThrowsAny<ArgumentException>(() => net.ComputeGradients(tokens, labels, B)));
            Assert.Equal(before, net.Parameters.ToArray());

            // The refusal leaves the network usable; one real token makes the sample valid (and finite).
            tokens[T + 7] = 9;
            float[] outputs = net.Forward(tokens, B).ToArray();
            Assert.All(outputs, o => Assert.True(float.IsFinite(o)));
            Assert.True(float.IsFinite(net.TrainStep(tokens, labels, B, new AdamW(1e-2f))));
            Assert.All(net.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
        }

        [Fact]
        public void Fit_learns_whether_a_keyword_appears_in_a_padded_sequence()
        {
            // Label 1 when the keyword (token 1) appears anywhere among 2..12 filler tokens (ids 2..15), after
            // left padding of random length; label 0 otherwise. Half the sequences hold the keyword.
            const int T = KeywordTransformer.SequenceLength;
            (int[] Tokens, int[] Labels) Make(Rng rng, int count)
            {
                int[] tokens = new int[count * T];
                int[] labels = new int[count];
                for (int n = 0; n < count; n++)
                {
                    int length = 2 + rng.NextInt(T - 1);
                    for (int t = T - length; t < T; t++)
                    {
                        tokens[n * T + t] = 2 + rng.NextInt(KeywordTransformer.VocabularySize - 2);
                    }
                    labels[n] = rng.NextInt(2);
                    if (labels[n] == 1)
                    {
                        tokens[n * T + T - length + rng.NextInt(length)] = 1;
                    }
                }
                return (tokens, labels);
            }
            (int[] trainTokens, int[] trainLabels) = Make(new Rng(31), 1024);
            (int[] testTokens, int[] testLabels) = Make(new Rng(32), 512);
            Dataset<int, int> train = Dataset.FromTokens(trainTokens, trainLabels, sequenceLength: T);
            Dataset<int, int> test = Dataset.FromTokens(testTokens, testLabels, sequenceLength: T);

            var net = new KeywordTransformer(seed: 3);
            var clock = Stopwatch.StartNew();
            History history = net.Fit(train, new FitOptions { Epochs = 8, BatchSize = 32, Optimizer = new Adam(3e-3f), Verbose = false, Seed = 1 });
            ClassificationReport report = net.Evaluate(test);
            output.WriteLine($"held-out accuracy {report.Accuracy:P1} after {history.Epochs.Count} epochs ({clock.Elapsed.TotalSeconds:F2} s); loss by epoch: {string.Join(", ", history["loss"].Select(l => l.ToString("G3")))}");
            Assert.Equal(512, report.Count);
            Assert.True(report.Accuracy > 0.95, $"held-out accuracy {report.Accuracy:P1}");
        }

        /// <summary>
        /// <paramref name="count"/> sequences of <paramref name="steps"/> tokens: a random number of padding ids (0) on the
        /// left (never all), then random ids in [1, vocabulary); random labels in [0, classes).
        /// </summary>
        internal static (int[] Tokens, int[] Labels) PaddedBatch(Rng rng, int count, int steps, int vocabulary, int classes)
        {
            int[] tokens = new int[count * steps];
            for (int n = 0; n < count; n++)
            {
                int padded = rng.NextInt(steps);
                for (int t = padded; t < steps; t++)
                {
                    tokens[n * steps + t] = 1 + rng.NextInt(vocabulary - 1);
                }
            }
            int[] labels = Enumerable.Range(0, count).Select(_ => rng.NextInt(classes)).ToArray();
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

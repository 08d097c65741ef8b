using System;
using System.Collections.Generic;
using System.Linq;
using NetGen;

namespace NetGen.Networks.Tests
{
    public class NetworkBehaviourTests
    {
        [Fact]
        public void Constants_and_layout_follow_torch_nn_linear()
        {
            Assert.Equal(784, MnistMlp.InputSize);
            Assert.Equal(10, MnistMlp.OutputSize);
            Assert.Equal(784 * 500 + 500 + 500 * 10 + 10, MnistMlp.ParameterCount);
            var layout = MnistMlp.ParameterLayout;
            Assert.Equal(new[] { "dense.weight", "dense.bias", "dense_1.weight", "dense_1.bias" }, layout.Select(t => t.Name));
            Assert.Equal(new[] { 500, 784 }, layout[0].Shape);
            Assert.Equal(new[] { 0, 392_000, 392_500, 397_500 }, layout.Select(t => t.Offset));
            Assert.Equal(new[] { "hidden.weight", "hidden.bias", "dense.weight", "dense.bias" }, DigitClassifier.ParameterLayout.Select(t => t.Name));
            Assert.Equal(new[] { 28, 28 }, DigitClassifier.InputShape);
            Assert.Equal(784, DigitClassifier.InputSize);
        }

        [Fact]
        public void Summary_lists_every_layer_with_shape_and_parameters()
        {
            string summary = MnistMlp.Summary;
            Assert.Contains("Network: MnistMlp", summary);
            Assert.Matches(@"input \(Input\)\s+\[B, 784\]\s+0", summary);
            Assert.Matches(@"dense \(Dense, Sigmoid\)\s+\[B, 500\]\s+392,500", summary);
            Assert.Matches(@"dense_1 \(Dense, Softmax\)\s+\[B, 10\]\s+5,010", summary);
            Assert.Contains("Total params: 397,510", summary);
            Assert.Matches(@"flatten \(Flatten\)\s+\[B, 784\]\s+0", DigitClassifier.Summary);
            Assert.Same(MnistMlp.Summary, MnistMlp.Summary);
            Assert.Equal(summary, ((INetwork)new MnistMlp()).Summary);
        }

        [Fact]
        public void The_same_seed_gives_the_same_bits_and_another_seed_other_weights()
        {
            var a = new MnistMlp(seed: 5);
            var b = new MnistMlp(seed: 5);
            var c = new MnistMlp(seed: 6);
            Assert.True(a.Parameters.SequenceEqual(b.Parameters));
            Assert.False(a.Parameters.SequenceEqual(c.Parameters));
            Assert.True(a.Parameters.Slice(392_000, 500).ToArray().All(v => v == 0), "biases start at zero");
            float[] w = a.Parameters.Slice(0, 392_000).ToArray();
            double variance = w.Average(v => (double)v * v);
            Assert.InRange(variance, 0.97 / 784, 1.03 / 784);
        }

        [Fact]
        public void Training_is_deterministic()
        {
            float[] RunTraining()
            {
                var net = new Regressor(seed: 3);
                var optimizer = new AdamW(1e-2f);
                var rng = new Rng(4);
                float[] x = new float[16 * 8], y = new float[16 * 3];
                for (int step = 0; step < 20; step++)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = rng.NextNormal();
                    }
                    for (int i = 0; i < y.Length; i++)
                    {
                        y[i] = rng.NextNormal();
                    }
                    net.TrainStep(x, y, 16, optimizer);
                }
                return net.Parameters.ToArray();
            }
            Assert.Equal(RunTraining(), RunTraining());
        }

        [Fact]
        public void Wrong_sizes_are_refused_with_expected_and_actual()
        {
            var net = new MnistMlp();
            var optimizer = new Sgd(0.1f);
            float[] inputs = new float[2 * 784];
            int[] labels = [1, 2];

            var e = Assert.Throws<ArgumentException>(() => net.TrainStep(new float[2 * 784 - 1], labels, 2, optimizer));
            Assert.Contains("inputs has 1567 values; expected batchSize × InputSize = 2 × 784 = 1568", e.Message);

            e = Assert.Throws<ArgumentException>(() => net.TrainStep(inputs, [1, 2, 3], 2, optimizer));
            Assert.Contains("labels has 3 values; expected batchSize × TargetSize = 2 × 1 = 2", e.Message);

            e = Assert.Throws<ArgumentException>(() => net.Forward(inputs, new float[19], 2));
            Assert.Contains("outputs has 19 values; expected batchSize × OutputSize = 2 × 10 = 20", e.Message);

            var range = Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainStep(inputs, labels, 0, optimizer));
            Assert.Contains("batchSize must be at least 1; got 0", range.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(inputs, new float[20], -2));

            range = Assert.Throws<ArgumentOutOfRangeException>(() => net.ComputeGradients(inputs, [1, 10], 2));
            Assert.Contains("labels[1] is 10; a class label must be in [0, 10)", range.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => net.ComputeLoss(inputs, [-1, 0], 2));

            Assert.Throws<ArgumentNullException>(() => net.TrainStep(inputs, labels, 2, null!));

            var regressor = new Regressor();
            e = Assert.Throws<ArgumentException>(() => regressor.ComputeGradients(new float[8], new float[4], 1));
            Assert.Contains("targets has 4 values; expected batchSize × TargetSize = 1 × 3 = 3", e.Message);
        }

        [Fact]
        public void A_refused_step_changes_nothing()
        {
            var net = new MnistMlp(seed: 1);
            float[] before = net.Parameters.ToArray();
            Assert.ThrowsAny<ArgumentException>(() => net.TrainStep(new float[784], [42], 1, new Sgd(1f)));
            Assert.Equal(before, net.Parameters.ToArray());
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Train_step_allocates_nothing_after_the_first_call(int threads)
        {
            int savedThreads = Parallelism.MaxThreads;
            Parallelism.MaxThreads = threads;
            try
            {
                TrainStepsWithoutAllocating();
            }
            finally
            {
                Parallelism.MaxThreads = savedThreads;
            }
        }

        private static void TrainStepsWithoutAllocating()
        {
            var net = new MnistMlp(seed: 1);
            var rng = new Rng(2);
            float[] inputs = new float[64 * 784];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = rng.NextFloat();
            }
            int[] labels = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
            float[] outputs = new float[64 * 10];
            foreach (Optimizer optimizer in new Optimizer[] { new Sgd(0.1f, momentum: 0.9f), new Adam(), new AdamW(), new RmsProp() })
            {
                net.TrainStep(inputs, labels, 64, optimizer);
                net.TrainStep(inputs.AsSpan(0, 32 * 784), labels.AsSpan(0, 32), 32, optimizer);
                net.Forward(inputs, outputs, 64);
                // A per-step allocation shows in every window; the runtime itself now and then allocates a few
                // hundred bytes once on this thread (tiering), so one clean window out of three is the bar.
                var windows = new List<long>();
                for (int window = 0; window < 3 && (windows.Count == 0 || windows[^1] != 0); window++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int step = 0; step < 5; step++)
                    {
                        net.TrainStep(inputs, labels, 64, optimizer);
                        net.TrainStep(inputs.AsSpan(0, 32 * 784), labels.AsSpan(0, 32), 32, optimizer);
                        net.Forward(inputs, outputs, 64);
                        net.ComputeLoss(inputs, labels, 64);
                    }
                    windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
                }
                Assert.True(windows[^1] == 0,
                    $"{optimizer.GetType().Name}: bytes allocated in each window of five steady-state steps: {string.Join(", ", windows)}");
            }
        }

        [Fact]
        public void Batches_of_any_size_give_the_same_per_sample_outputs()
        {
            var net = new DigitClassifier(seed: 9);
            var rng = new Rng(10);
            float[] inputs = new float[7 * 784];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = rng.NextFloat();
            }
            float[] all = new float[70];
            net.Forward(inputs, all, 7);
            for (int b = 0; b < 7; b++)
            {
                float[] one = new float[10];
                net.Forward(inputs.AsSpan(b * 784, 784), one, 1);
                for (int j = 0; j < 10; j++)
                {
                    // Batches of different sizes may take different kernel paths: equal up to rounding.
                    Assert.True(Math.Abs(all[b * 10 + j] - one[j]) < 1e-6f, $"sample {b}, output {j}: {all[b * 10 + j]} in a batch of 7, {one[j]} alone");
                }
                Assert.Equal(1f, one.Sum(), 5);
            }
        }

        [Fact]
        public void Forward_views_and_outputs_agree_with_the_copying_forward()
        {
            var net = new DigitClassifier(seed: 4);
            var rng = new Rng(5);
            float[] inputs = Enumerable.Range(0, 3 * 784).Select(_ => rng.NextFloat()).ToArray();
            float[] copied = new float[30];
            net.Forward(inputs, copied, 3);
            Assert.Equal(copied, net.Forward(inputs, 3).ToArray());
            Assert.Equal(copied, net.Outputs.ToArray());

            // After a training pass, Outputs holds that pass's outputs (this network has no dropout, so they equal inference).
            net.ComputeGradients(inputs.AsSpan(0, 2 * 784), [1, 7], 2);
            Assert.Equal(copied.AsSpan(0, 20).ToArray(), net.Outputs.ToArray());
            Assert.True(net.Buffers.IsEmpty);
            Assert.Empty(DigitClassifier.BufferLayout);
            Assert.Throws<ArgumentException>(() => net.Forward(inputs.AsSpan(1), 3));
        }

        [Fact]
        public void Generic_code_can_train_any_generated_network()
        {
            static float Train<T>(INetwork<T> net, float[] x, T[] y, int batch, int steps) where T : unmanaged
            {
                var optimizer = new Adam(1e-2f);
                float first = net.TrainStep(x, y, batch, optimizer);
                float last = first;
                for (int i = 0; i < steps; i++)
                {
                    last = net.TrainStep(x, y, batch, optimizer);
                }
                return last / first;
            }
            var rng = new Rng(1);
            float[] x = Enumerable.Range(0, 4 * 784).Select(_ => rng.NextFloat()).ToArray();
            Assert.True(Train(new MnistMlp(), x, new[] { 1, 2, 3, 4 }, 4, 20) < 0.5f);
            float[] xr = Enumerable.Range(0, 4 * 8).Select(_ => rng.NextFloat()).ToArray();
            Assert.True(Train(new Regressor(), xr, Enumerable.Range(0, 12).Select(i => (float)i / 12).ToArray(), 4, 50) < 0.5f);
            Assert.Equal(Loss.CrossEntropy, ((INetwork)new MnistMlp()).Loss);
            Assert.Equal(1, ((INetwork<int>)new MnistMlp()).TargetSize);
            Assert.Equal(3, ((INetwork<float>)new Regressor()).TargetSize);
        }
    }
}

using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NetGen.Networks.Tests.Cnn;
using NetGen.Networks.Tests.Transformer;

namespace NetGen.Networks.Tests
{
    /// <summary>
    /// Concurrent inference: inference copies share one instance's parameters (no copy) and own their workspaces, and
    /// <see cref="InferencePool{TInput}"/> serves many threads with a few of them. Under 16 threads every answer must be
    /// bit for bit the one a lone Forward gives; bad input is refused with a message and costs the pool nothing;
    /// shared parameters are read-only (training and checkpoint loading refused).
    /// </summary>
    public class InferencePoolTests
    {
        private const int Threads = 16;

        /// <summary>Inputs of 1 to <paramref name="maxBatch"/> samples each, and what the network alone answers for each.</summary>
        private static (T[][] Inputs, int[] Batches, float[][] Expected) Requests<T>(
            IInferenceNetwork<T> network, int count, int maxBatch, Func<Random, T> draw) where T : unmanaged
        {
            var rng = new Random(11);
            int[] batches = Enumerable.Range(0, count).Select(_ => rng.Next(1, maxBatch + 1)).ToArray();
            T[][] inputs = batches.Select(b => Enumerable.Range(0, b * network.InputSize).Select(_ => draw(rng)).ToArray()).ToArray();
            float[][] expected = inputs.Select((x, i) => network.Forward(x, batches[i]).ToArray()).ToArray();
            return (inputs, batches, expected);
        }

        /// <summary>Runs <paramref name="callsPerThread"/> predictions on each of 16 threads and counts the answers that differ in any bit.</summary>
        private static int Mismatches<T>(InferencePool<T> pool, T[][] inputs, int[] batches, float[][] expected, int callsPerThread) where T : unmanaged
        {
            int wrong = 0;
            using var start = new Barrier(Threads);
            Thread[] threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < callsPerThread; i++)
                {
                    int which = (t * 7 + i) % inputs.Length;
                    float[] outputs = (t + i) % 2 == 0
                        ? pool.Predict(inputs[which], batches[which])
                        : pool.PredictAsync(inputs[which], batches[which]).AsTask().GetAwaiter().GetResult();
                    if (!outputs.AsSpan().SequenceEqual(expected[which]))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            })).ToArray();
            foreach (Thread thread in threads)
            {
                thread.Start();
            }
            foreach (Thread thread in threads)
            {
                thread.Join();
            }
            return wrong;
        }

        [Fact]
        public void Sixteen_threads_through_a_pool_get_exactly_the_serial_outputs_of_an_mlp()
        {
            var net = new MnistMlp(seed: 5);
            var (inputs, batches, expected) = Requests<float>(net, count: 24, maxBatch: 5, r => (float)r.NextDouble());

            var pool = new InferencePool<float>(net, size: 3);

            Assert.Equal(0, Mismatches(pool, inputs, batches, expected, callsPerThread: 200)); // 3,200 calls
            // The network the pool was made from still answers the same, alone.
            Assert.True(net.Forward(inputs[0], batches[0]).SequenceEqual(expected[0]));
        }

        [Fact]
        public void Sixteen_threads_through_a_pool_get_exactly_the_serial_outputs_of_a_padded_transformer()
        {
            var net = new SpamShaped(seed: 6);
            // Token 0 is padding: about one position in five, so masks differ between requests.
            var (inputs, batches, expected) = Requests<int>(net, count: 24, maxBatch: 4, r => r.Next(5) == 0 ? 0 : r.Next(1, SpamShaped.VocabularySize));

            var pool = new InferencePool<int>(net, size: 4);

            Assert.Equal(0, Mismatches(pool, inputs, batches, expected, callsPerThread: 150)); // 2,400 calls
        }

        [Fact]
        public void Sixteen_threads_through_a_pool_get_exactly_the_serial_outputs_of_a_recurrent_network()
        {
            // Batches of 1 to 8 sequences of 64: from 4 rows the recurrent products run on each thread's transposed W_hh,
            // from 256 rows (batch 4) the LSTM's input projection on its transposed W_ih: per-thread scratch under load.
            var net = new PooledRecurrent(seed: 7);
            var (inputs, batches, expected) = Requests<int>(net, count: 16, maxBatch: 8, r => r.Next(PooledRecurrent.VocabularySize));

            var pool = new InferencePool<int>(net, size: 3);

            Assert.Equal(0, Mismatches(pool, inputs, batches, expected, callsPerThread: 20)); // 320 calls
        }

        [Fact]
        public async Task Bad_input_is_refused_with_a_message_and_the_pool_keeps_serving()
        {
            var net = new MnistMlp(seed: 7);
            var pool = new InferencePool<float>(net, size: 2, maxBatchSize: 8);
            float[] one = new float[MnistMlp.InputSize];

            var length = Assert.Throws<ArgumentException>(() => pool.Predict(new float[783], 1));
            Assert.Contains("inputs has 783 values; expected batchSize × InputSize = 1 × 784 = 784", length.Message);
            var batch = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Predict(one, 0));
            Assert.Contains("batchSize must be at least 1", batch.Message);
            var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Predict(new float[9 * MnistMlp.InputSize], 9));
            Assert.Contains("at most 8 samples per call", tooMany.Message);
            var outputs = Assert.Throws<ArgumentException>(() => pool.Predict(one, new float[9], 1));
            Assert.Contains("outputs has 9 values; expected batchSize × OutputSize = 1 × 10 = 10", outputs.Message);

            float[] two = new float[2 * MnistMlp.InputSize];
            two[MnistMlp.InputSize + 17] = float.NaN;
            var nan = Assert.Throws<ArgumentException>(() => pool.Predict(two, 2));
            Assert.Contains("sample 1, value 17 is NaN; every input must be a finite number", nan.Message);
            two[MnistMlp.InputSize + 17] = 0f;
            two[700] = float.NegativeInfinity;
            var infinity = await Assert.ThrowsAsync<ArgumentException>(async () => await pool.PredictAsync(two, 2));
            Assert.Contains("sample 0, value 700 is -Infinity", infinity.Message);

            // Every copy is back: more calls than copies, one after another, all answered, and the same as before.
            float[] expected = net.Forward(one, 1).ToArray();
            for (int i = 0; i < 3 * pool.Size; i++)
            {
                Assert.True(pool.Predict(one, 1).AsSpan().SequenceEqual(expected));
            }
        }

        [Fact]
        public async Task Out_of_range_tokens_are_refused_by_the_copy_which_goes_back_to_the_pool()
        {
            var net = new KeywordTransformer(seed: 8);
            var pool = new InferencePool<int>(net, size: 1);
            int[] tokens = Enumerable.Range(0, 2 * KeywordTransformer.SequenceLength).Select(i => 1 + i % 15).ToArray();
            tokens[KeywordTransformer.SequenceLength + 3] = KeywordTransformer.VocabularySize;

            var high = Assert.Throws<ArgumentException>(() => pool.Predict(tokens, 2));
            Assert.Contains("sample 1, position 3 holds token 16; a token id must be in [0, 16)", high.Message);
            tokens[KeywordTransformer.SequenceLength + 3] = -1;
            Assert.Throws<ArgumentException>(() => pool.Predict(tokens, 2));
            // A sample of padding alone is refused inside the pass, after the copy was taken.
            int[] padding = new int[KeywordTransformer.SequenceLength];
            Assert.Contains("all padding", Assert.Throws<ArgumentException>(() => pool.Predict(padding, 1)).Message);

            // The one copy was returned after each refusal: this call would wait forever otherwise.
            tokens[KeywordTransformer.SequenceLength + 3] = 5;
            float[] outputs = await pool.PredictAsync(tokens, 2).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(outputs.AsSpan().SequenceEqual(net.Forward(tokens, 2)));
        }

        [Fact]
        public void Copies_share_the_parameters_and_the_buffers_rather_than_copying_them()
        {
            var net = new FdConvBatchNorm(seed: 9);
            var rng = new Random(1);
            float[] inputs = Enumerable.Range(0, 4 * FdConvBatchNorm.InputSize).Select(_ => (float)rng.NextDouble()).ToArray();
            int[] labels = { 0, 1, 2, 1 };
            var optimizer = new Sgd(0.1f);
            for (int i = 0; i < 3; i++)
            {
                net.TrainStep(inputs, labels, 4, optimizer); // moves the running statistics off their start
            }

            FdConvBatchNorm copy = net.CreateInferenceCopy();

            Assert.True(copy.Forward(inputs, 4).SequenceEqual(net.Forward(inputs, 4)));
            Assert.Equal(FdConvBatchNorm.ParameterCount, copy.Parameters.Length);
            Assert.Equal(0, copy.Gradients.Length);
            Assert.True(net.Buffers.Length > 0);
            // One storage: what is written through the source is what the copy reads.
            Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref net.Parameters[0], ref copy.Parameters[0]));
            Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref net.Buffers[0], ref copy.Buffers[0]));
        }

        [Fact]
        public void Shared_parameters_are_read_only_training_and_loading_are_refused_on_both_sides()
        {
            var net = new MnistMlp(seed: 10);
            float[] inputs = new float[MnistMlp.InputSize];
            int[] labels = { 4 };
            string path = Path.Combine(Path.GetTempPath(), $"netgen-pool-{Guid.NewGuid():N}.safetensors");
            net.Save(path);
            try
            {
                Assert.False(net.SharesParameters);
                var pool = new InferencePool<float>(net, size: 2);
                MnistMlp copy = net.CreateInferenceCopy();
                Assert.True(net.SharesParameters);
                Assert.True(copy.SharesParameters);

                var source = Assert.Throws<InvalidOperationException>(() => net.TrainStep(inputs, labels, 1, new Sgd(0.1f)));
                Assert.Contains("MnistMlp.TrainStep was refused: this instance's parameters are shared with inference copies", source.Message);
                Assert.Contains("a new MnistMlp(seed) or MnistMlp.Load(path)", source.Message);
                var copied = Assert.Throws<InvalidOperationException>(() => copy.ComputeGradients(inputs, labels, 1));
                Assert.Contains("MnistMlp.ComputeGradients was refused", copied.Message);
                var fit = Assert.Throws<InvalidOperationException>(() => net.Fit(Data.Dataset.FromLabels(inputs, labels, MnistMlp.InputSize), new FitOptions { Epochs = 1, Verbose = false }));
                Assert.Contains("MnistMlp.ComputeGradients was refused: this instance's parameters are shared", fit.Message); // Fit steps through ComputeGradients
                var load = Assert.Throws<InvalidOperationException>(() => Checkpoint.Load(copy, path));
                Assert.Contains("its parameters are shared with inference copies", load.Message);

                // Inference is untouched: the loss and the outputs are still there, and the pool still serves.
                Assert.True(float.IsFinite(copy.ComputeLoss(inputs, labels, 1)));
                Assert.True(pool.Predict(inputs, 1).AsSpan().SequenceEqual(net.Forward(inputs, 1)));
                // A fresh instance from the same checkpoint trains as usual.
                MnistMlp fresh = MnistMlp.Load(path);
                Assert.True(float.IsFinite(fresh.TrainStep(inputs, labels, 1, new Sgd(0.1f))));
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Each_copy_carries_its_own_step_state()
        {
            var net = new GenCausalStack(seed: 12);
            int[] a = { 3, 1, 4, 1, 5 }, b = { 9, 2, 6, 5, 3 };
            float[][] alone = Enumerable.Range(0, a.Length).Select(_ => Array.Empty<float>()).ToArray();
            for (int t = 0; t < a.Length; t++)
            {
                alone[t] = net.Step([a[t]], 1).ToArray();
            }

            GenCausalStack first = net.CreateInferenceCopy(), second = net.CreateInferenceCopy();
            for (int t = 0; t < a.Length; t++)
            {
                // Interleaved streams on two copies: neither sees the other's key/value cache.
                Assert.True(first.Step([a[t]], 1).SequenceEqual(alone[t]));
                second.Step([b[t]], 1);
            }
        }

        [Fact]
        public void A_pool_checks_its_own_arguments()
        {
            var net = new MnistMlp(seed: 13);
            Assert.Throws<ArgumentNullException>(() => new InferencePool<float>(null!));
            Assert.Contains("size must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new InferencePool<float>(net, size: -1)).Message);
            Assert.Contains("maxBatchSize must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new InferencePool<float>(net, maxBatchSize: 0)).Message);
            Assert.Equal(Environment.ProcessorCount, new InferencePool<float>(net).Size);
        }
    }

    /// <summary>An LSTM then a GRU over 64 tokens, for the pool's recurrent case.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(64, vocabularySize: 20)]
    [Embedding(8)]
    [Lstm(16, ReturnSequences = true)]
    [Gru(16)]
    [Dense(3, Activation.Softmax)]
    public partial class PooledRecurrent;
}

using System;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Transformer
{
    /// <summary>TinyGpt's shape: 12 tokens of 20 → Embedding(8) → sinusoidal positions → causal MultiHeadAttention(2) → LayerNorm → Dense(20, Softmax) per step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(12, vocabularySize: 20)]
    [Embedding(8)]
    [PositionalEmbedding(Sinusoidal = true)]
    [MultiHeadAttention(2, Causal = true)]
    [LayerNorm]
    [Dense(20, Activation.Softmax)]
    public partial class GenTinyGpt;

    /// <summary>
    /// A causal stack with the default dropout (0.1, which Step and Forward must not apply): 10 tokens of 15 →
    /// Embedding(8) → learned positions → pre-norm GELU encoder → post-norm ReLU encoder → LayerNorm → Dense(15, Softmax) per step.
    /// </summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(10, vocabularySize: 15)]
    [Embedding(8)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 16, Activation = Activation.Gelu, NormFirst = true, Causal = true)]
    [TransformerEncoder(4, 16, Causal = true)]
    [LayerNorm]
    [Dense(15, Activation.Softmax)]
    public partial class GenCausalStack;

    /// <summary>A causal model whose Embedding has a padding index: Forward masks padding keys, so Step must too.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 10)]
    [Embedding(8, PaddingIndex = 0)]
    [PositionalEmbedding]
    [TransformerEncoder(2, 16, Dropout = 0f, Causal = true)]
    [Dense(10, Activation.Softmax)]
    public partial class GenCausalPadded;

    /// <summary>
    /// Generation with causal Transformers: Step, one token per stream with a key/value cache, must give at
    /// every position what Forward (no cache, the whole window, causal mask) gives there; ResetState and a new
    /// batch size restart the streams; a stream holds SequenceLength tokens and the next Step says to call ResetState.
    /// </summary>
    public class TransformerGenerationTests(ITestOutputHelper output)
    {
        public delegate ReadOnlySpan<float> StepFunction(ReadOnlySpan<int> tokens, int batchSize);

        [Fact]
        public void Tf_causal_stack_shape() => CheckGeneration(new TfParityCausalStack(seed: 5), s => ((TfParityCausalStack)s).Step, s => ((TfParityCausalStack)s).ResetState());

        [Fact]
        public void Tiny_gpt_shape() => CheckGeneration(new GenTinyGpt(seed: 6), s => ((GenTinyGpt)s).Step, s => ((GenTinyGpt)s).ResetState());

        [Fact]
        public void Causal_stack_with_dropout_layer_norm_and_gelu() => CheckGeneration(new GenCausalStack(seed: 7), s => ((GenCausalStack)s).Step, s => ((GenCausalStack)s).ResetState());

        [Fact]
        public void Step_masks_padding_keys_as_Forward_does()
        {
            var net = new GenCausalPadded(seed: 8);
            const int B = 2, T = GenCausalPadded.SequenceLength, V = GenCausalPadded.VocabularySize;
            // Padding (0) in the middle of each stream, never at position 0 (no query without a visible key).
            int[] tokens = [3, 0, 5, 0, 7, 2, /**/ 4, 9, 0, 0, 1, 6];
            float[] forward = net.Forward(tokens, B).ToArray();
            float[] stepped = StepThrough(net.Step, tokens, B, T, V);
            double largest = MaxDifference(forward, stepped);
            output.WriteLine($"causal with padding: Step vs Forward, largest |Δ| {largest:G3}");
            Assert.True(largest <= 1e-5, $"Step differs from Forward by {largest:G3} on a stream with padding tokens: Forward masks them as keys, Step does not");
        }

        private void CheckGeneration(INetwork<int, int> net, Func<INetwork<int, int>, StepFunction> stepOf, Action<INetwork<int, int>> reset)
        {
            StepFunction step = stepOf(net);
            int t = net.InputSize, v = net.OutputSize / t, vocabulary = net.ParameterLayout[0].Shape[0];
            const int B = 3;
            var rng = new Rng(17);
            int[] tokens = Enumerable.Range(0, B * t).Select(_ => rng.NextInt(vocabulary)).ToArray();

            // Train a little first so that nothing depends on the initial parameters' symmetries (and so that a
            // training pass with dropout has run before generation).
            int[] labels = Enumerable.Range(0, B * t).Select(_ => rng.NextInt(v)).ToArray();
            var optimizer = new Adam(1e-2f);
            for (int i = 0; i < 3; i++)
            {
                net.TrainStep(tokens, labels, B, optimizer);
            }

            // Forward (inference, no cache) at every position = Step (key/value cache) at that position.
            float[] forward = net.Forward(tokens, B).ToArray();
            Assert.Equal(forward, net.Forward(tokens, B).ToArray()); // inference: no dropout
            float[] stepped = StepThrough(step, tokens, B, t, v);
            double largest = MaxDifference(forward, stepped);
            output.WriteLine($"{net.GetType().Name}: Step vs Forward over {B} streams × {t} positions, largest |Δ| {largest:G3}");
            Assert.True(largest <= 1e-5, $"Step differs from Forward by {largest:G3}");

            // Causal: changing the tokens after position k changes none of Forward's outputs up to k.
            const int K = 3;
            int[] changed = (int[])tokens.Clone();
            for (int b = 0; b < B; b++)
            {
                for (int s = K + 1; s < t; s++)
                {
                    changed[b * t + s] = (changed[b * t + s] + 1 + b) % vocabulary;
                }
            }
            float[] changedForward = net.Forward(changed, B).ToArray();
            for (int b = 0; b < B; b++)
            {
                Assert.Equal(forward.AsSpan(b * t * v, (K + 1) * v).ToArray(), changedForward.AsSpan(b * t * v, (K + 1) * v).ToArray());
                Assert.NotEqual(forward.AsSpan(b * t * v, t * v).ToArray(), changedForward.AsSpan(b * t * v, t * v).ToArray());
            }

            // The stream is full: the (T+1)-th Step is refused, naming ResetState; the refusal changes nothing.
            var full = Assert.Throws<InvalidOperationException>(() => step(tokens.AsSpan(0, B), B));
            Assert.Contains("ResetState", full.Message);
            Assert.Contains(t.ToString(System.Globalization.CultureInfo.InvariantCulture), full.Message);
            Assert.Throws<InvalidOperationException>(() => step(tokens.AsSpan(0, B), B));

            // ResetState restarts: replaying gives exactly the same again, also after a reset in the middle.
            reset(net);
            Assert.Equal(stepped, StepThrough(step, tokens, B, t, v));
            reset(net);
            StepThrough(step, tokens, B, K, v, tokensPerRow: t);
            reset(net);
            Assert.Equal(stepped, StepThrough(step, tokens, B, t, v));

            // A different batch size restarts every stream: after K steps of 3 streams, one stream replays stream 1.
            reset(net);
            StepThrough(step, tokens, B, K, v, tokensPerRow: t);
            int[] stream1 = tokens.AsSpan(t, t).ToArray();
            float[] alone = StepThrough(step, stream1, 1, t, v);
            double aloneDiff = MaxDifference(stepped.AsSpan(t * v, t * v).ToArray(), alone);
            Assert.True(aloneDiff <= 1e-5, $"stream 1 alone after 3 streams: differs by {aloneDiff:G3}");
            Assert.Throws<InvalidOperationException>(() => step(stream1.AsSpan(0, 1), 1));

            // ... and back to three streams restarts again, from position 0, without a ResetState.
            Assert.Equal(stepped, StepThrough(step, tokens, B, t, v));
        }

        /// <summary>
        /// Feeds the first <paramref name="steps"/> columns of <paramref name="tokens"/> [B, T] (T = <paramref name="tokens"/>
        /// per row, default <paramref name="steps"/>) to Step one column at a time; returns the outputs [B, steps, width].
        /// </summary>
        internal static float[] StepThrough(StepFunction step, int[] tokens, int batch, int steps, int width, int? tokensPerRow = null)
        {
            int perRow = tokensPerRow ?? steps;
            var outputs = new float[batch * steps * width];
            var column = new int[batch];
            for (int s = 0; s < steps; s++)
            {
                for (int b = 0; b < batch; b++)
                {
                    column[b] = tokens[b * perRow + s];
                }
                ReadOnlySpan<float> y = step(column, batch);
                Assert.Equal(batch * width, y.Length);
                for (int b = 0; b < batch; b++)
                {
                    y.Slice(b * width, width).CopyTo(outputs.AsSpan((b * steps + s) * width));
                }
            }
            return outputs;
        }

        private static double MaxDifference(float[] a, float[] b)
        {
            Assert.Equal(a.Length, b.Length);
            double max = 0;
            for (int i = 0; i < a.Length; i++)
            {
                max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
            }
            return max;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Transformer
{
    /// <summary>
    /// The generated backward pass of every Transformer layer (LayerNorm, MultiHeadAttention with padding
    /// and causal masks, learned and sinusoidal PositionalEmbedding, TransformerEncoder post-norm and
    /// pre-norm with ReLU and GELU, GlobalAveragePool1D over the non-padding positions) against central
    /// finite differences of an independent double-precision interpreter (<see cref="TransformerReference"/>),
    /// for every parameter and several random initializations, token batches and labels. Before the
    /// gradients, the interpreter must reproduce the network's outputs and loss. The padding row's gradient
    /// and the key third of every in_proj_bias must be exactly 0. With dropout, the masks of the training
    /// pass are drawn again from a copy of <see cref="INetwork.TrainingRng"/>: the interpreter with those masks
    /// must reproduce the training loss and outputs, and the gradient must be the finite difference of the
    /// loss with the masks held fixed.
    /// </summary>
    public class TransformerGradientCheckTests(ITestOutputHelper output)
    {
        private const int Batch = 3;

        /// <summary>A generated network and a copy of its most recent forward pass's outputs (the generated <c>Outputs</c>).</summary>
        private sealed record Subject(INetwork<int, int> Net, Func<float[]> Outputs);

        private delegate ReadOnlySpan<float> OutputsOf<T>(T net);

        private static Subject Of<T>(T net, OutputsOf<T> outputs) where T : INetwork<int, int> => new(net, () => outputs(net).ToArray());

        /// <summary>Network name → (a fresh generated network for a seed, its reference).</summary>
        private static readonly Dictionary<string, (Func<int, Subject> Create, Func<TransformerReference> Reference)> References =
            new(StringComparer.Ordinal)
            {
                [nameof(FdTfLayerNorm)] = (s => Of(new FdTfLayerNorm(s), n => n.Outputs), () => new TransformerReference(5, 7)
                    .Embedding(4).LayerNorm(0.01).Pool().Dense(3, Activation.Softmax)),
                [nameof(FdTfMhaPadding)] = (s => Of(new FdTfMhaPadding(s), n => n.Outputs), () => new TransformerReference(5, 7)
                    .Embedding(4, paddingIndex: 0).Attention(2).Pool().Dense(3, Activation.Softmax)),
                [nameof(FdTfMhaCausal)] = (s => Of(new FdTfMhaCausal(s), n => n.Outputs), () => new TransformerReference(5, 7)
                    .Embedding(4).Positional().Attention(2, causal: true).Dense(7, Activation.Softmax)),
                [nameof(FdTfSinusoidal)] = (s => Of(new FdTfSinusoidal(s), n => n.Outputs), () => new TransformerReference(5, 7)
                    .Embedding(6, paddingIndex: 3).Positional(sinusoidal: true).Attention(3).LayerNorm().Pool().Dense(3, Activation.Softmax)),
                [nameof(FdTfEncoderPostRelu)] = (s => Of(new FdTfEncoderPostRelu(s), n => n.Outputs), () => new TransformerReference(5, 7)
                    .Embedding(4, paddingIndex: 0).Positional().Encoder(2, 6).Pool().Dense(3, Activation.Softmax)),
                [nameof(FdTfEncoderPreGelu)] = (s => Of(new FdTfEncoderPreGelu(s), n => n.Outputs), () => new TransformerReference(5, 7)
                    .Embedding(4, paddingIndex: 1).Positional().Encoder(2, 6, Activation.Gelu, normFirst: true, epsilon: 1e-3f).Pool().Dense(3, Activation.Softmax)),
                [nameof(FdTfEncoderPostGeluPreRelu)] = (s => Of(new FdTfEncoderPostGeluPreRelu(s), n => n.Outputs), () => new TransformerReference(4, 6)
                    .Embedding(4).Positional(sinusoidal: true).Encoder(2, 5, Activation.Gelu).Encoder(1, 5, normFirst: true).Pool().Dense(3, Activation.Softmax)),
                [nameof(FdTfCausalStack)] = (s => Of(new FdTfCausalStack(s), n => n.Outputs), () => new TransformerReference(5, 6)
                    .Embedding(4).Positional().Encoder(2, 6, causal: true).Encoder(2, 6, Activation.Gelu, normFirst: true, causal: true).Dense(6, Activation.Softmax)),
                [nameof(FdTfDropout)] = (s => Of(new FdTfDropout(s), n => n.Outputs), () => new TransformerReference(5, 7)
                    .Embedding(4, paddingIndex: 0).Positional().Attention(2, dropout: 0.25f).Encoder(2, 6, Activation.Gelu, dropout: 0.3f).Pool().Dense(3, Activation.Softmax)),
                [nameof(FdTfCausalDropout)] = (s => Of(new FdTfCausalDropout(s), n => n.Outputs), () => new TransformerReference(5, 6)
                    .Embedding(4).Positional().Encoder(2, 6, normFirst: true, causal: true, dropout: 0.2f).Dense(6, Activation.Softmax)),
            };

        /// <summary>The networks with dropout: their training passes draw masks.</summary>
        private static readonly HashSet<string> WithDropout = [nameof(FdTfDropout), nameof(FdTfCausalDropout)];

        public static TheoryData<string, int> Cases()
        {
            var data = new TheoryData<string, int>();
            foreach (int seed in new[] { 1, 2, 3 })
            {
                foreach (string name in References.Keys)
                {
                    data.Add(name, seed);
                }
            }
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Gradients_match_central_finite_differences(string network, int seed)
        {
            (Func<int, Subject> create, Func<TransformerReference> reference) = References[network];
            Subject subject = create(seed);
            Check(subject.Net, subject.Outputs, seed, reference(), WithDropout.Contains(network));
        }

        [Fact]
        public void The_reference_erf_and_sinusoid_are_right()
        {
            // math.erf (CPython) values.
            (double X, double Erf)[] known =
            [
                (0.3, 0.3286267594591274), (1.0, 0.8427007929497149), (2.0, 0.9953222650189527), (2.49, 0.9995707121322661),
                (2.51, 0.9996142945182758), (3.0, 0.9999779095030014), (-2.7, -0.9998656672600594), (4.5, 0.9999999998033839),
            ];
            foreach ((double x, double erf) in known)
            {
                Assert.True(Math.Abs(TransformerReference.Erf(x) - erf) < 1e-14, $"erf({x}) = {TransformerReference.Erf(x):R}, expected {erf:R}");
            }
            Assert.Equal(0.0, TransformerReference.Sinusoid(0, 0, 8));
            Assert.Equal(1.0, TransformerReference.Sinusoid(0, 1, 8));
            Assert.Equal((float)Math.Sin(3 / Math.Pow(10000, 0.5)), TransformerReference.Sinusoid(3, 4, 8));
            Assert.Equal((float)Math.Cos(3 / Math.Pow(10000, 0.5)), TransformerReference.Sinusoid(3, 5, 8));
        }

        private void Check(INetwork<int, int> net, Func<float[]> trainingOutputs, int seed, TransformerReference reference, bool dropout)
        {
            var rng = new Rng(3000 + seed);
            Assert.Equal(reference.ParameterCount, net.ParameterCount);
            Assert.Equal(reference.InputSize, net.InputSize);
            Assert.Equal(reference.OutputSize, net.OutputSize);
            Assert.Equal(reference.TargetSize, net.TargetSize);
            Assert.Equal(
                reference.ParameterShapes().Select(s => string.Join("×", s)),
                net.ParameterLayout.Select(t => string.Join("×", t.Shape)));

            // Random tokens (the padding token at least twice, never a whole sequence of it), labels and
            // parameters (attention and Dense biases start at zero, LayerNorms at 1 and 0: perturb them all).
            int padding = reference.PaddingIndex;
            int vocabulary = net.ParameterLayout[0].Shape[0], steps = net.InputSize;
            int[] tokens = new int[Batch * steps];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = rng.NextInt(vocabulary);
            }
            if (padding >= 0)
            {
                tokens[1] = tokens[tokens.Length - 2] = padding;
                for (int b = 0; b < Batch; b++)
                {
                    if (tokens.AsSpan(b * steps, steps).IndexOfAnyExcept(padding) < 0)
                    {
                        tokens[b * steps] = (padding + 1) % vocabulary;
                    }
                }
            }
            int classes = net.OutputSize / net.TargetSize;
            int[] labels = new int[Batch * net.TargetSize];
            for (int i = 0; i < labels.Length; i++)
            {
                labels[i] = rng.NextInt(classes);
            }
            for (int i = 0; i < net.ParameterCount; i++)
            {
                net.Parameters[i] += 0.2f * rng.NextNormal();
            }
            double[] parameters = new double[net.ParameterCount];
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = net.Parameters[i];
            }

            // The reference computes the same function as the generated inference pass and loss.
            AssertClose(reference.Forward(parameters, tokens, Batch), net.Forward(tokens, Batch).ToArray(), "inference output");
            float inferenceLoss = net.ComputeLoss(tokens, labels, Batch);
            AssertLoss(reference.Loss(parameters, tokens, labels, Batch), inferenceLoss, "inference loss");

            // The training pass: with dropout, the masks it will draw, from a copy of the network's generator.
            TransformerReference.DropoutMasks? masks = null;
            RngState after = default;
            if (dropout)
            {
                Assert.NotNull(net.TrainingRng);
                masks = reference.DrawMasks(net.TrainingRng.State, Batch, out after);
                output.WriteLine($"dropout masks: {string.Join(", ", masks.Sites.Select(m => $"{m.Count(v => v == 0)} of {m.Length} dropped"))}");
                Assert.All(masks.Sites, m => Assert.Contains(0.0, m));
            }
            float loss = net.ComputeGradients(tokens, labels, Batch);
            double expectedLoss = reference.Loss(parameters, tokens, labels, Batch, masks);
            AssertLoss(expectedLoss, loss, dropout ? "training loss with the redrawn masks" : "training loss");
            AssertClose(reference.Forward(parameters, tokens, Batch, masks), trainingOutputs(), dropout ? "training output with the redrawn masks" : "training output");
            if (dropout)
            {
                Assert.Equal(after, net.TrainingRng!.State);
                Assert.True(Math.Abs(expectedLoss - reference.Loss(parameters, tokens, labels, Batch)) > 1e-4, "the masks change the loss");
            }
            else
            {
                Assert.Equal(loss, inferenceLoss);
            }

            // Central differences in double on the reference, parameter by parameter (masks held fixed).
            var exactlyZero = new List<(int Start, int End, string Why)>();
            foreach (ParameterTensor tensor in net.ParameterLayout)
            {
                if (tensor.Name == "embedding.weight" && padding >= 0)
                {
                    int d = tensor.Shape[1];
                    exactlyZero.Add((tensor.Offset + padding * d, tensor.Offset + (padding + 1) * d, "the padding row"));
                }
                if (tensor.Name.EndsWith("in_proj_bias", StringComparison.Ordinal))
                {
                    int d = tensor.Length / 3;
                    exactlyZero.Add((tensor.Offset + d, tensor.Offset + 2 * d, "the key bias"));
                }
            }
            const double H = 1e-6;
            double worst = 0;
            string worstAt = "(none)";
            for (int i = 0; i < parameters.Length; i++)
            {
                double saved = parameters[i];
                parameters[i] = saved + H;
                double plus = reference.Loss(parameters, tokens, labels, Batch, masks);
                parameters[i] = saved - H;
                double minus = reference.Loss(parameters, tokens, labels, Batch, masks);
                parameters[i] = saved;
                double numeric = (plus - minus) / (2 * H);
                string? why = exactlyZero.Where(z => i >= z.Start && i < z.End).Select(z => z.Why).FirstOrDefault();
                if (why is not null)
                {
                    Assert.True(net.Gradients[i] == 0, $"{Describe(net, i)} ({why}): gradient {net.Gradients[i]:G9}, not exactly 0");
                    Assert.True(Math.Abs(numeric) < 1e-7, $"{Describe(net, i)} ({why}): the loss should not depend on it (numeric {numeric:G9})");
                    continue;
                }
                double error = Math.Abs(net.Gradients[i] - numeric) / Math.Max(1e-2, Math.Abs(numeric));
                if (error > worst)
                {
                    worst = error;
                    worstAt = $"{Describe(net, i)}: analytic {net.Gradients[i]:G9}, numeric {numeric:G9}";
                }
            }
            output.WriteLine($"{net.GetType().Name}, seed {seed}: {net.ParameterCount} parameters, loss {loss:G6}, largest relative gradient error {worst:G3} at {worstAt}");
            Assert.True(worst < 1e-3, $"largest relative gradient error {worst:G3} at {worstAt}");
        }

        private static void AssertClose(double[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-5, $"{what} {i}: {actual[i]:G9} vs reference {expected[i]:G9}");
            }
        }

        private static void AssertLoss(double expected, float actual, string what) =>
            Assert.True(Math.Abs(actual - expected) < 1e-5 * Math.Max(1, Math.Abs(expected)), $"{what} {actual:G9} vs reference {expected:G9}");

        private static string Describe(INetwork net, int index)
        {
            foreach (ParameterTensor tensor in net.ParameterLayout)
            {
                if (index >= tensor.Offset && index < tensor.Offset + tensor.Length)
                {
                    return $"{tensor.Name}[{index - tensor.Offset}]";
                }
            }
            return $"parameter {index}";
        }
    }
}

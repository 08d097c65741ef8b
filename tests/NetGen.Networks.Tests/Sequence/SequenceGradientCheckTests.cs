using System;
using System.Collections.Generic;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Sequence
{
    /// <summary>
    /// The generated backward pass of every sequence layer (Embedding, Lstm, Gru, Dense per time step,
    /// per-step cross-entropy) against central finite differences of an independent double-precision
    /// interpreter (<see cref="SequenceReference"/>), for every parameter and several random
    /// initializations, token batches and labels. Before the gradients, the interpreter must reproduce
    /// the network's outputs and loss. A padding row's gradient must be exactly zero (PyTorch's
    /// padding_idx), while the finite difference of the loss there is not, since its vector is used.
    /// </summary>
    public class SequenceGradientCheckTests(ITestOutputHelper output)
    {
        private const int Batch = 3;

        /// <summary>Network name → (a fresh generated network for a seed, its reference, its padding index or −1).</summary>
        private static readonly Dictionary<string, (Func<int, INetwork<int, int>> Create, Func<SequenceReference> Reference, int Padding)> References =
            new(StringComparer.Ordinal)
            {
                [nameof(FdSeqEmbeddingPad)] = (s => new FdSeqEmbeddingPad(s), () => new SequenceReference(5, 6)
                    .Embedding(3, paddingIndex: 2).Dense(4, Activation.Tanh).Dense(6, Activation.Softmax), 2),
                [nameof(FdSeqLstmLast)] = (s => new FdSeqLstmLast(s), () => new SequenceReference(5, 7)
                    .Embedding(3).Lstm(4).Dense(3, Activation.Softmax), -1),
                [nameof(FdSeqLstmSeq)] = (s => new FdSeqLstmSeq(s), () => new SequenceReference(5, 7)
                    .Embedding(3, paddingIndex: 0).Lstm(4, returnSequences: true).Dense(7, Activation.Softmax), 0),
                [nameof(FdSeqLstm2Last)] = (s => new FdSeqLstm2Last(s), () => new SequenceReference(4, 6)
                    .Embedding(3).Lstm(4, layers: 2).Dense(5, Activation.Tanh).Dense(3, Activation.Softmax), -1),
                [nameof(FdSeqLstm2Seq)] = (s => new FdSeqLstm2Seq(s), () => new SequenceReference(4, 6)
                    .Embedding(3).Lstm(4, layers: 2, returnSequences: true).Dense(6, Activation.Softmax), -1),
                [nameof(FdSeqGruLast)] = (s => new FdSeqGruLast(s), () => new SequenceReference(5, 7)
                    .Embedding(3).Gru(4).Dense(3, Activation.Softmax), -1),
                [nameof(FdSeqGruSeq)] = (s => new FdSeqGruSeq(s), () => new SequenceReference(5, 7)
                    .Embedding(3, paddingIndex: 6).Gru(4, returnSequences: true).Dense(7, Activation.Softmax), 6),
                [nameof(FdSeqGru2Last)] = (s => new FdSeqGru2Last(s), () => new SequenceReference(4, 6)
                    .Embedding(3).Gru(4, layers: 2).Dense(3, Activation.Softmax), -1),
                [nameof(FdSeqGru2Seq)] = (s => new FdSeqGru2Seq(s), () => new SequenceReference(4, 6)
                    .Embedding(3).Gru(4, layers: 2, returnSequences: true).Dense(6, Activation.Softmax), -1),
                [nameof(FdSeqTwoLstms)] = (s => new FdSeqTwoLstms(s), () => new SequenceReference(5, 6)
                    .Embedding(3).Lstm(4, returnSequences: true).Lstm(3).Dense(3, Activation.Softmax), -1),
                [nameof(FdSeqLstmGruPerStep)] = (s => new FdSeqLstmGruPerStep(s), () => new SequenceReference(5, 6)
                    .Embedding(3).Lstm(4, returnSequences: true).Gru(3, returnSequences: true).Dense(5, Activation.ReLU).Dense(6, Activation.Softmax), -1),
            };

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
            (Func<int, INetwork<int, int>> create, Func<SequenceReference> reference, int padding) = References[network];
            Check(create(seed), seed, reference(), padding);
        }

        private void Check(INetwork<int, int> net, int seed, SequenceReference reference, int padding)
        {
            var rng = new Rng(2000 + seed);
            Assert.Equal(reference.ParameterCount, net.ParameterCount);
            Assert.Equal(reference.InputSize, net.InputSize);
            Assert.Equal(reference.OutputSize, net.OutputSize);
            Assert.Equal(reference.TargetSize, net.TargetSize);
            Assert.Equal(
                reference.ParameterShapes().Select(s => string.Join("×", s)),
                net.ParameterLayout.Select(t => string.Join("×", t.Shape)));

            // Random tokens (every padding token included at least twice), labels and parameters
            // (dense biases start at zero and a padding row at zero: perturb them all, so that the
            // padding row's vector matters to the loss).
            int vocabulary = net.ParameterLayout[0].Shape[0];
            int[] tokens = new int[Batch * net.InputSize];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = rng.NextInt(vocabulary);
            }
            if (padding >= 0)
            {
                tokens[1] = tokens[tokens.Length - 2] = padding;
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

            // The reference computes the same function as the generated forward pass and loss.
            float[] outputs = net.Forward(tokens, Batch).ToArray();
            double[] expectedOutputs = reference.Forward(parameters, tokens, Batch);
            Assert.Equal(expectedOutputs.Length, outputs.Length);
            for (int i = 0; i < outputs.Length; i++)
            {
                Assert.True(Math.Abs(outputs[i] - expectedOutputs[i]) < 1e-5, $"output {i}: {outputs[i]:G9} vs reference {expectedOutputs[i]:G9}");
            }
            float loss = net.ComputeGradients(tokens, labels, Batch);
            double expectedLoss = reference.Loss(parameters, tokens, labels, Batch);
            Assert.True(Math.Abs(loss - expectedLoss) < 1e-5 * Math.Max(1, Math.Abs(expectedLoss)), $"loss {loss:G9} vs reference {expectedLoss:G9}");
            Assert.Equal(loss, net.ComputeLoss(tokens, labels, Batch));

            // Central differences in double on the reference, parameter by parameter.
            int paddingStart = padding < 0 ? -1 : padding * net.ParameterLayout[0].Shape[1];
            int paddingEnd = padding < 0 ? -1 : paddingStart + net.ParameterLayout[0].Shape[1];
            const double H = 1e-6;
            double worst = 0;
            string worstAt = "(none)";
            for (int i = 0; i < parameters.Length; i++)
            {
                double saved = parameters[i];
                parameters[i] = saved + H;
                double plus = reference.Loss(parameters, tokens, labels, Batch);
                parameters[i] = saved - H;
                double minus = reference.Loss(parameters, tokens, labels, Batch);
                parameters[i] = saved;
                double numeric = (plus - minus) / (2 * H);
                if (i >= paddingStart && i < paddingEnd)
                {
                    Assert.True(net.Gradients[i] == 0, $"{Describe(net, i)}: the padding row's gradient is {net.Gradients[i]:G9}, not 0");
                    Assert.True(Math.Abs(numeric) > 1e-6, $"{Describe(net, i)}: the padding vector should matter to the loss (numeric {numeric:G9})");
                    continue;
                }
                double error = Math.Abs(net.Gradients[i] - numeric) / Math.Max(1e-2, Math.Abs(numeric));
                if (error > worst)
                {
                    worst = error;
                    worstAt = $"{Describe(net, i)}: analytic {net.Gradients[i]:G9}, numeric {numeric:G9}";
                }
            }
            output.WriteLine($"{net.GetType().Name}, seed {seed}: {net.ParameterCount} parameters, largest relative gradient error {worst:G3} at {worstAt}");
            Assert.True(worst < 1e-3, $"largest relative gradient error {worst:G3} at {worstAt}");
        }

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

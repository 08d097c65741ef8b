using System;
using System.Collections.Generic;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Sequence
{
    /// <summary>
    /// Generated sequence networks (TokenInput, Embedding, Lstm, Gru, Dense per time step) against
    /// PyTorch 1.13 (fixtures from tests/fixtures/make_sequence_fixtures.py). The initial parameters are
    /// loaded tensor by tensor through ParameterLayout names; then outputs, the mean cross-entropy (over
    /// B·T positions for per-step labels), every gradient, and the parameters after two optimizer steps
    /// must agree to |a − b| ≤ 1e-5·max(1, |b|). The stepping fixture checks generation: Step, one token
    /// per stream at a time, carrying every LSTM's (h, c). Every comparison logs its largest difference.
    /// </summary>
    public class SequenceParityTests(ITestOutputHelper output)
    {
        /// <summary>Fixture case name → the declared network (SequenceParityNetworks.cs) it is checked against.</summary>
        private static readonly Dictionary<string, Func<INetwork<int, int>>> Networks = new(StringComparer.Ordinal)
        {
            ["charmodel"] = () => new SeqParityCharModel(),
            ["charmodel_sgd"] = () => new SeqParityCharModel(),
            ["embedding_pad"] = () => new SeqParityEmbeddingPad(),
            ["gru1_last"] = () => new SeqParityGru1Last(),
            ["gru2_seq"] = () => new SeqParityGru2Seq(),
            ["lstm1_last"] = () => new SeqParityLstm1Last(),
            ["lstm2_seq"] = () => new SeqParityLstm2Seq(),
            ["lstm_stack"] = () => new SeqParityLstmStack(),
        };

        public static TheoryData<string> Cases()
        {
            var data = new TheoryData<string>();
            foreach (string name in Networks.Keys.Order(StringComparer.Ordinal))
            {
                data.Add(name);
            }
            return data;
        }

        public static TheoryData<string, string> CasesAndOptimizers()
        {
            var data = new TheoryData<string, string>();
            foreach (string name in SequenceFixtureLoader.NetworkCaseNames().Where(Networks.ContainsKey))
            {
                foreach (FixtureOptimizer o in SequenceFixtureLoader.LoadNetwork(name).Optimizers)
                {
                    data.Add(name, o.Name);
                }
            }
            return data;
        }

        [Fact]
        public void Every_fixture_has_a_network_and_every_network_a_fixture()
        {
            string[] fixtures = SequenceFixtureLoader.NetworkCaseNames().ToArray();
            Assert.NotEmpty(fixtures);
            Assert.Equal(Networks.Keys.Order(StringComparer.Ordinal), fixtures);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Layout_and_sizes_match_the_PyTorch_state_dict(string name) =>
            SequenceParityChecks.Layout(output, Networks[name](), SequenceFixtureLoader.LoadNetwork(name));

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_loss_and_gradients_match_PyTorch(string name)
        {
            var failures = new List<string>();
            SequenceParityChecks.ForwardLossAndGradients(output, Networks[name](), SequenceFixtureLoader.LoadNetwork(name), failures);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Theory]
        [MemberData(nameof(CasesAndOptimizers))]
        public void Two_optimizer_steps_match_PyTorch(string name, string optimizerName)
        {
            var failures = new List<string>();
            SequenceParityChecks.OptimizerSteps(output, Networks[name](), SequenceFixtureLoader.LoadNetwork(name), optimizerName, failures);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Fact]
        public void The_padding_row_starts_at_zero_and_gets_no_gradient()
        {
            SequenceFixture f = SequenceFixtureLoader.LoadNetwork("embedding_pad");
            Assert.Equal(0, f.PaddingIndex);
            Assert.Contains(0, f.Inputs);
            var net = new SeqParityEmbeddingPad(seed: 3);
            ParameterTensor embedding = SeqParityEmbeddingPad.ParameterLayout.Single(t => t.Name == "embedding.weight");
            int d = embedding.Shape[1];
            Assert.True(embedding.Of(net.Parameters).Slice(0, d).ToArray().All(v => v == 0), "a fresh network's padding row is zero, as nn.Embedding(padding_idx=0)");
            Assert.Contains(embedding.Of(net.Parameters).Slice(d, d).ToArray(), v => v != 0);

            SequenceParityChecks.LoadByName(net, f.Layout, f.InitialParameters);
            net.ComputeGradients(f.Inputs, f.Labels, f.BatchSize);
            Assert.True(embedding.Of(net.Gradients).Slice(0, d).ToArray().All(v => v == 0), "the padding row's gradient is exactly zero");
        }

        [Fact]
        public void Step_reproduces_PyTorch_token_by_token_and_restarts_on_reset_or_a_new_batch_size()
        {
            SteppingFixture f = SequenceFixtureLoader.LoadStepping();
            output.WriteLine(f.Description);
            var net = new SeqParityCharModel();
            Assert.Equal(
                f.Layout.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"),
                SeqParityCharModel.ParameterLayout.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"));
            SequenceParityChecks.LoadByName(net, f.Layout, f.Parameters);
            int b = f.BatchSize, v = f.VocabularySize, t = f.SequenceLength, tc = f.ContinuationTokens.Length / b;
            Assert.Equal(SeqParityCharModel.VocabularySize, v);
            var failures = new List<string>();
            string Name(int i, int steps) => SequenceFixtureLoader.OutputName(i, [steps, v]);

            float[] window = RunSteps(net, f.Tokens, b, t, v);
            float[] continuation = RunSteps(net, f.ContinuationTokens, b, tc, v);
            ParityComparison.Compare(output, "Step: steps 1..8", window, f.Outputs, i => Name(i, t), failures);
            ParityComparison.Compare(output, "Step: steps 9..12, continuing the carried state", continuation, f.ContinuationOutputs, i => Name(i, tc), failures);

            // The whole window in one Forward gives the same probabilities (to float rounding).
            ParityComparison.Compare(output, "Forward of the window", net.Forward(f.Tokens, b).ToArray(), f.Outputs, i => Name(i, t), failures);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

            // ResetState forgets the carried state: replaying gives exactly the same again.
            net.ResetState();
            Assert.Equal(window, RunSteps(net, f.Tokens, b, t, v));
            Assert.Equal(continuation, RunSteps(net, f.ContinuationTokens, b, tc, v));

            // A different batch size restarts from zero state: one stream replays stream 1's window.
            int[] stream1 = f.Tokens.AsSpan(t, t).ToArray();
            float[] alone = RunSteps(net, stream1, 1, t, v);
            AssertClose(window.AsSpan(t * v, t * v).ToArray(), alone, "stream 1 alone after a batch of 2");

            // ... and back to two streams restarts again (no state leaks from the single stream).
            Assert.Equal(window, RunSteps(net, f.Tokens, b, t, v));
        }

        /// <summary>Feeds <paramref name="tokens"/> [B, steps] to Step one column at a time; returns the outputs [B, steps, V].</summary>
        private static float[] RunSteps(SeqParityCharModel net, int[] tokens, int batch, int steps, int vocabulary)
        {
            var outputs = new float[batch * steps * vocabulary];
            var column = new int[batch];
            for (int s = 0; s < steps; s++)
            {
                for (int b = 0; b < batch; b++)
                {
                    column[b] = tokens[b * steps + s];
                }
                ReadOnlySpan<float> y = net.Step(column, batch);
                Assert.Equal(batch * vocabulary, y.Length);
                for (int b = 0; b < batch; b++)
                {
                    y.Slice(b * vocabulary, vocabulary).CopyTo(outputs.AsSpan((b * steps + s) * vocabulary));
                }
            }
            return outputs;
        }

        /// <summary>
        /// Batches of different sizes may take different kernel paths (and so round differently):
        /// equal to 1e-6.
        /// </summary>
        private static void AssertClose(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f, $"{what}: [{i}] {actual[i]:G9}, expected {expected[i]:G9}");
            }
        }
    }
}

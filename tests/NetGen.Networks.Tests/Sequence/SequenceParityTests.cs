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
        public void Layout_and_sizes_match_the_PyTorch_state_dict(string name)
        {
            SequenceFixture f = SequenceFixtureLoader.LoadNetwork(name);
            INetwork<int, int> net = Networks[name]();
            output.WriteLine($"{f.Name}: {string.Join(" ", f.Declaration)}");
            Assert.Equal(Loss.CrossEntropy, net.Loss);
            Assert.Equal([f.SequenceLength], net.InputShape);
            Assert.Equal(f.SequenceLength, net.InputSize);
            Assert.Equal(f.Inputs.Length / f.BatchSize, net.InputSize);
            Assert.Equal(f.OutputSize, net.OutputSize);
            Assert.Equal(f.TargetSize, net.TargetSize);
            Assert.Equal(f.TargetShape.Length == 2 ? f.SequenceLength : 1, net.TargetSize);
            Assert.Equal(f.ParameterCount, net.ParameterCount);
            Assert.Equal(f.ParameterCount, net.Parameters.Length);
            Assert.Equal(f.ParameterCount, net.Gradients.Length);
            Assert.Equal(
                f.Layout.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] @ {t.Offset}"),
                net.ParameterLayout.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] @ {t.Offset}"));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_loss_and_gradients_match_PyTorch(string name)
        {
            SequenceFixture f = SequenceFixtureLoader.LoadNetwork(name);
            output.WriteLine($"{f.Name}: {f.Description}");
            INetwork<int, int> net = Networks[name]();
            LoadByName(net, f.Layout, f.InitialParameters);
            int b = f.BatchSize;
            var failures = new List<string>();

            var outputs = new float[f.Outputs.Length];
            net.Forward(f.Inputs, outputs, b);
            ParityComparison.Compare(output, "outputs", outputs, f.Outputs, f.OutputName, failures);
            ParityComparison.Compare(output, "outputs (Forward view)", net.Forward(f.Inputs, b).ToArray(), f.Outputs, f.OutputName, failures);

            float loss = net.ComputeLoss(f.Inputs, f.Labels, b);
            ParityComparison.Compare(output, "loss (ComputeLoss)", [loss], [f.LossValue], _ => "loss", failures);

            float lossWithGradients = net.ComputeGradients(f.Inputs, f.Labels, b);
            ParityComparison.Compare(output, "loss (ComputeGradients)", [lossWithGradients], [f.LossValue], _ => "loss", failures);
            ParityComparison.Compare(output, "gradients", GatherByName(net, net.Gradients, f.Layout), f.Gradients, f.ParameterName, failures);
            ParityComparison.Compare(output, "parameters untouched by ComputeGradients", GatherByName(net, net.Parameters, f.Layout), f.InitialParameters, f.ParameterName, failures);

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Theory]
        [MemberData(nameof(CasesAndOptimizers))]
        public void Two_optimizer_steps_match_PyTorch(string name, string optimizerName)
        {
            SequenceFixture f = SequenceFixtureLoader.LoadNetwork(name);
            FixtureOptimizer o = f.Optimizers.Single(x => x.Name == optimizerName);
            output.WriteLine($"{f.Name}: {f.Description}; optimizer {o.Name} = {o.Type}({o.Settings})");
            INetwork<int, int> net = Networks[name]();
            LoadByName(net, f.Layout, f.InitialParameters);
            Optimizer optimizer = FixtureLoader.CreateOptimizer(o.Type, o.Hyper);
            var failures = new List<string>();
            for (int step = 0; step < o.Steps.Length; step++)
            {
                float loss = net.TrainStep(f.Inputs, f.Labels, f.BatchSize, optimizer);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: loss before the step", [loss], [o.Losses[step]], _ => "loss", failures);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: parameters", GatherByName(net, net.Parameters, f.Layout), o.Steps[step], f.ParameterName, failures);
            }
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

            LoadByName(net, f.Layout, f.InitialParameters);
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
            LoadByName(net, f.Layout, f.Parameters);
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

        /// <summary>Copies each fixture tensor into the network's tensor of the same name (shapes must agree).</summary>
        internal static void LoadByName(INetwork net, FixtureTensor[] layout, float[] values)
        {
            foreach (FixtureTensor t in layout)
            {
                ParameterTensor target = Find(net, t);
                values.AsSpan(t.Offset, t.Length).CopyTo(target.Of(net.Parameters));
            }
        }

        /// <summary>A buffer laid out like the network's parameters, reordered into the fixture's layout by name.</summary>
        private static float[] GatherByName(INetwork net, Span<float> buffer, FixtureTensor[] layout)
        {
            var gathered = new float[layout.Sum(t => t.Length)];
            foreach (FixtureTensor t in layout)
            {
                Find(net, t).Of(buffer).CopyTo(gathered.AsSpan(t.Offset, t.Length));
            }
            return gathered;
        }

        private static ParameterTensor Find(INetwork net, FixtureTensor t)
        {
            ParameterTensor? found = net.ParameterLayout.SingleOrDefault(p => p.Name == t.Name);
            Assert.True(found is not null, $"the network has no tensor '{t.Name}'");
            Assert.Equal(t.Shape, found.Shape.ToArray());
            return found;
        }
    }
}

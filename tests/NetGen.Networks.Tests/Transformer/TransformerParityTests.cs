using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NetGen.Networks.Tests.Sequence;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Transformer
{
    /// <summary>
    /// Generated Transformer networks (LayerNorm, MultiHeadAttention with a padding or causal mask,
    /// learned and sinusoidal PositionalEmbedding, post-norm ReLU and pre-norm GELU TransformerEncoder,
    /// GlobalAveragePool1D over the non-padding positions) against PyTorch 1.13 (fixtures from
    /// tests/fixtures/make_transformer_fixtures.py). The initial parameters are loaded tensor by tensor
    /// through ParameterLayout names; then outputs (both Forward overloads), the mean cross-entropy, every
    /// gradient, and the parameters after two optimizer steps must agree to |a − b| ≤ 1e-5·max(1, |b|).
    /// The key third of every in_proj_bias must get a gradient of exactly 0 (the fixture zeroes torch's
    /// rounding noise there), the sinusoidal table must be the fixture's, and for the causal per-step
    /// networks Step, one token at a time, must reproduce PyTorch's outputs.
    /// </summary>
    public class TransformerParityTests(ITestOutputHelper output)
    {
        /// <summary>Fixture case name → the declared network (TransformerParityNetworks.cs) it is checked against.</summary>
        private static readonly Dictionary<string, Func<INetwork<int, int>>> Networks = new(StringComparer.Ordinal)
        {
            ["causal_stack"] = () => new TfParityCausalStack(),
            ["encoder_post_relu"] = () => new TfParityEncoderPostRelu(),
            ["encoder_pre_gelu"] = () => new TfParityEncoderPreGelu(),
            ["layernorm"] = () => new TfParityLayerNorm(),
            ["layernorm_eps"] = () => new TfParityLayerNormEps(),
            ["mha"] = () => new TfParityMha(),
            ["mha_causal"] = () => new TfParityMhaCausal(),
            ["sinusoidal"] = () => new TfParitySinusoidal(),
            ["spam"] = () => new TfParitySpam(),
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
            foreach (string name in TransformerFixtureLoader.CaseNames().Where(Networks.ContainsKey))
            {
                foreach (FixtureOptimizer o in TransformerFixtureLoader.Load(name).Network.Optimizers)
                {
                    data.Add(name, o.Name);
                }
            }
            return data;
        }

        [Fact]
        public void Every_fixture_has_a_network_and_every_network_a_fixture()
        {
            string[] fixtures = TransformerFixtureLoader.CaseNames().ToArray();
            Assert.Equal(9, fixtures.Length);
            Assert.Equal(Networks.Keys.Order(StringComparer.Ordinal), fixtures);
            // tf_spam also records AdamW; every case records Adam.
            Assert.Equal(["adam", "adamw"], TransformerFixtureLoader.Load("spam").Network.Optimizers.Select(o => o.Name));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Layout_and_sizes_match_the_PyTorch_state_dict(string name)
        {
            TransformerFixture t = TransformerFixtureLoader.Load(name);
            INetwork<int, int> net = Networks[name]();
            SequenceParityChecks.Layout(output, net, t.Network);
            // A causal network, and only a causal one, has the generation API.
            Assert.Equal(t.Causal, net.GetType().GetMethod("Step") is not null);
            Assert.Equal(t.Causal, net.GetType().GetMethod("ResetState") is not null);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_loss_and_gradients_match_PyTorch(string name)
        {
            TransformerFixture t = TransformerFixtureLoader.Load(name);
            SequenceFixture f = t.Network;
            var failures = new List<string>();
            float[] gradients = SequenceParityChecks.ForwardLossAndGradients(output, Networks[name](), f, failures);

            // The key bias: exactly 0 in NetGen (the fixture zeroed torch's float32 noise there).
            foreach (KeyBiasRange range in t.KeyBiasRanges)
            {
                Assert.StartsWith(range.Name, f.ParameterName(range.Offset));
                for (int i = range.Offset; i < range.Offset + range.Length; i++)
                {
                    if (gradients[i] != 0)
                    {
                        failures.Add($"{f.ParameterName(i)} (key bias): gradient {gradients[i]:G9}, expected exactly 0");
                    }
                }
            }
            output.WriteLine($"key-bias ranges checked exactly 0: {string.Join(", ", t.KeyBiasRanges.Select(r => $"{r.Name}[{r.Offset}, +{r.Length})"))}");
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Theory]
        [MemberData(nameof(CasesAndOptimizers))]
        public void Two_optimizer_steps_match_PyTorch(string name, string optimizerName)
        {
            var failures = new List<string>();
            SequenceParityChecks.OptimizerSteps(output, Networks[name](), TransformerFixtureLoader.Load(name).Network, optimizerName, failures);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Fact]
        public void The_sinusoidal_table_is_the_fixtures()
        {
            TransformerFixture t = TransformerFixtureLoader.Load("sinusoidal");
            Assert.NotNull(t.SinusoidalTable);
            int steps = t.Network.SequenceLength, features = t.Network.Layout[0].Shape[1];
            Assert.Equal(steps * features, t.SinusoidalTable.Length);

            // The generated network's static table (a private field named after the layer).
            FieldInfo? field = typeof(TfParitySinusoidal).GetField("PositionalEmbeddingTable", BindingFlags.NonPublic | BindingFlags.Static);
            Assert.True(field is not null, "TfParitySinusoidal has no static PositionalEmbeddingTable");
            float[] table = (float[])field.GetValue(null)!;
            var failures = new List<string>();
            ParityComparison.Compare(output, "sinusoidal table", table, t.SinusoidalTable,
                i => $"PE[{i / features}, {i % features}]", failures);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
            int ulps = table.Select((v, i) => Math.Abs(BitConverter.SingleToInt32Bits(v) - BitConverter.SingleToInt32Bits(t.SinusoidalTable[i]))).Max();
            output.WriteLine($"largest difference from the fixture's table: {ulps} ulp");
            Assert.True(ulps == 0, $"the table differs from the fixture's by up to {ulps} ulp; both are float64 values rounded to float32");
            // That this table is the one the network adds shows in the outputs (Forward_loss_and_gradients_match_PyTorch, "sinusoidal").
        }

        [Theory]
        [InlineData("mha_causal")]
        [InlineData("causal_stack")]
        public void Step_reproduces_PyTorch_token_by_token(string name)
        {
            TransformerFixture t = TransformerFixtureLoader.Load(name);
            SequenceFixture f = t.Network;
            Assert.True(t.Causal);
            INetwork<int, int> net = Networks[name]();
            SequenceParityChecks.LoadByName(net, f.Layout, f.InitialParameters);
            TransformerGenerationTests.StepFunction step = name == "mha_causal" ? ((TfParityMhaCausal)net).Step : ((TfParityCausalStack)net).Step;
            int b = f.BatchSize, steps = f.SequenceLength, v = f.OutputShape[1];
            float[] stepped = TransformerGenerationTests.StepThrough(step, f.Inputs, b, steps, v);
            var failures = new List<string>();
            ParityComparison.Compare(output, "Step, token by token (key/value cache)", stepped, f.Outputs, f.OutputName, failures);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
    }
}

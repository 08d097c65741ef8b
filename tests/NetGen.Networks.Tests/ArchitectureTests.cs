using System.Linq;
using NetGen.Networks.Tests.Cnn;
using NetGen.Networks.Tests.Sequence;
using NetGen.Networks.Tests.Transformer;
using Xunit;

namespace NetGen.Networks.Tests
{
    /// <summary>The generated <c>Architecture</c> that exporters rebuild networks from.</summary>
    public class ArchitectureTests
    {
        public static TheoryData<string> Networks => new() { "cnn", "lstm", "spam", "gpt", "mlp" };

        private static INetwork Make(string which) => which switch
        {
            "cnn" => new CnnParitySmallCnn(),
            "lstm" => new SeqParityLstmStack(),
            "spam" => new TfParitySpam(),
            "gpt" => new TfParityCausalStack(),
            _ => new MnistMlp(),
        };

        [Theory]
        [MemberData(nameof(Networks))]
        public void Layers_chain_their_shapes_and_own_every_parameter(string which)
        {
            INetwork network = Make(which);
            NetworkArchitecture architecture = network.Architecture;
            Assert.Equal(network.InputShape, architecture.InputShape);
            Assert.Equal(network.Loss, architecture.Loss);
            for (int i = 0; i < architecture.Layers.Count; i++)
            {
                Assert.Equal(i == 0 ? architecture.InputShape : architecture.Layers[i - 1].OutputShape, architecture.Layers[i].InputShape);
            }
            Assert.Equal(network.OutputSize, architecture.OutputShape.Aggregate(1, (a, b) => a * b));
            var names = architecture.Layers.Select(l => l.Name).ToHashSet();
            Assert.All(network.ParameterLayout.Concat(network.BufferLayout), t => Assert.Contains(t.Name.Substring(0, t.Name.IndexOf('.')), names));
        }

        [Fact]
        public void Settings_state_what_was_declared()
        {
            LayerArchitecture block = TfParitySpam.Architecture.Layers.First(l => l.Kind == "TransformerEncoder");
            Assert.Equal(2, block.Int("heads"));
            Assert.False(block.Bool("causal"));
            Assert.Contains(TfParityCausalStack.Architecture.Layers, l => l.Kind == "TransformerEncoder" && l.Bool("causal"));
            LayerArchitecture dense = MnistMlp.Architecture.Layers[^1];
            Assert.Equal(Activation.Softmax, dense.Activation());
            var missing = Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => dense.Int("heads"));
            Assert.Contains("'heads'", missing.Message);
            Assert.Contains(dense.Name, missing.Message);
        }
    }
}

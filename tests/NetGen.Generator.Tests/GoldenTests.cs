using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests
{
    /// <summary>
    /// The generated code of representative networks, pinned by golden files in Baselines/{Case}/, and
    /// proven to compile with warnings as errors and to train and infer.
    /// </summary>
    public class GoldenTests
    {
        /// <summary>One golden network: its source, the file it must generate and the sizes it must declare.</summary>
        private sealed record Case(string Name, string Source, string TypeName, string HintName, Loss Loss, int InputSize, int OutputSize, int ParameterCount);

        private static readonly Case[] Cases =
        {
            new("Tiny", """
                using NetGen;

                namespace Demo
                {
                    /// <summary>The smallest network: logistic regression on two features.</summary>
                    [Network(Loss.BinaryCrossEntropy)]
                    [Input(2)]
                    [Dense(1, Activation.Sigmoid)]
                    public partial class Tiny;
                }
                """, "Demo.Tiny", "Demo.Tiny.g.cs", Loss.BinaryCrossEntropy, 2, 1, 2 + 1),

            new("MnistMlp", """
                using NetGen;

                namespace Demo;

                /// <summary>The classic 784-500-10 sigmoid MLP.</summary>
                [Network(Loss.CrossEntropy)]
                [Input(784)]
                [Dense(500, Activation.Sigmoid)]
                [Dense(10, Activation.Softmax)]
                public partial class MnistMlp;
                """, "Demo.MnistMlp", "Demo.MnistMlp.g.cs", Loss.CrossEntropy, 784, 10, 784 * 500 + 500 + 500 * 10 + 10),

            new("Regression", """
                using NetGen;

                namespace Demo.Regression
                {
                    /// <summary>Boston-housing-style regression: 13 features to one price.</summary>
                    [Network(Loss.MeanSquaredError)]
                    [Input(13)]
                    [Dense(64, Activation.ReLU)]
                    [Dense(32, Activation.Gelu)]
                    [Dense(1)]
                    public partial class HousePrices;
                }
                """, "Demo.Regression.HousePrices", "Demo.Regression.HousePrices.g.cs", Loss.MeanSquaredError, 13, 1, 13 * 64 + 64 + 64 * 32 + 32 + 32 + 1),

            new("BinaryClassifier", """
                using NetGen;

                namespace Demo
                {
                    /// <summary>A binary classifier with named layers and explicit initializers.</summary>
                    [Network(Loss.BinaryCrossEntropy)]
                    [Input(30)]
                    [Dense(16, Activation.Tanh, Name = "hidden", Init = Initializer.GlorotUniform)]
                    [Dense(8, Activation.LeakyReLU, Init = Initializer.HeNormal)]
                    [Dense(1, Activation.Sigmoid, Name = "malignant")]
                    public partial class TumorClassifier;
                }
                """, "Demo.TumorClassifier", "Demo.TumorClassifier.g.cs", Loss.BinaryCrossEntropy, 30, 1, 30 * 16 + 16 + 16 * 8 + 8 + 8 + 1),

            new("FlattenImage", """
                using NetGen;

                namespace Demo.Vision
                {
                    /// <summary>28×28 images, flattened, into ten classes.</summary>
                    [Network(Loss.CrossEntropy)]
                    [Input(28, 28)]
                    [Flatten]
                    [Dense(32, Activation.ReLU, Name = "hidden")]
                    [Dense(10, Activation.Softmax, Name = "output")]
                    public partial class DigitClassifier;
                }
                """, "Demo.Vision.DigitClassifier", "Demo.Vision.DigitClassifier.g.cs", Loss.CrossEntropy, 784, 10, 784 * 32 + 32 + 32 * 10 + 10),

            new("GlobalNamespace", """
                using NetGen;

                /// <summary>A network outside any namespace.</summary>
                [Network(Loss.MeanSquaredError)]
                [Input(3)]
                [Dense(4, Activation.Tanh)]
                [Dense(2)]
                public partial class GlobalNet;
                """, "GlobalNet", "GlobalNet.g.cs", Loss.MeanSquaredError, 3, 2, 3 * 4 + 4 + 4 * 2 + 2),

            new("Cnn", """
                using NetGen;

                namespace Demo.Vision;

                /// <summary>The Fashion-MNIST CNN: two convolutions with pooling, dropout, two dense layers.</summary>
                [Network(Loss.CrossEntropy)]
                [Input(1, 28, 28)]
                [Conv2D(32, kernel: 3, Activation = Activation.ReLU)]
                [MaxPool2D(2)]
                [Conv2D(64, kernel: 3, Activation = Activation.ReLU)]
                [MaxPool2D(2)]
                [Flatten]
                [Dropout(0.25f)]
                [Dense(128, Activation.ReLU)]
                [Dense(10, Activation.Softmax)]
                public partial class FashionCnn;
                """, "Demo.Vision.FashionCnn", "Demo.Vision.FashionCnn.g.cs", Loss.CrossEntropy, 784, 10,
                32 * 9 + 32 + 64 * 32 * 9 + 64 + 1600 * 128 + 128 + 128 * 10 + 10),

            new("ResidualFree", """
                using NetGen;

                namespace Demo.Vision;

                /// <summary>RGB input (regrouped channel-major), Same padding, batch-norm before ReLU, average and global pooling.</summary>
                [Network(Loss.CrossEntropy)]
                [Input(3, 16, 16)]
                [Conv2D(8, kernel: 3, Padding = Padding.Same, Bias = false, Name = "stem")]
                [BatchNorm(Activation = Activation.ReLU)]
                [AvgPool2D(2)]
                [Conv2D(16, kernel: 3, Stride = 2, Pad = 1, Dilation = 1, Activation = Activation.Gelu)]
                [GlobalAveragePool2D]
                [BatchNorm]
                [Dense(5, Activation.Softmax)]
                public partial class SmallNet;
                """, "Demo.Vision.SmallNet", "Demo.Vision.SmallNet.g.cs", Loss.CrossEntropy, 3 * 16 * 16, 5,
                8 * 27 + 2 * 8 + 16 * 72 + 16 + 2 * 16 + 16 * 5 + 5),

            new("ImageOutput", """
                using NetGen;

                namespace Demo.Vision;

                /// <summary>An image out, for MSE: channel-major inside, regrouped per sample by Forward, targets regrouped by the loss.</summary>
                [Network(Loss.MeanSquaredError)]
                [Input(2, 6, 6)]
                [Conv2D(4, kernel: 3, Padding = Padding.Same, Activation = Activation.ReLU)]
                [Conv2D(3, kernel: 3, Padding = Padding.Same)]
                public partial class Denoiser;
                """, "Demo.Vision.Denoiser", "Demo.Vision.Denoiser.g.cs", Loss.MeanSquaredError, 2 * 36, 3 * 36,
                4 * 18 + 4 + 3 * 36 + 3),

            new("UnrolledWithBatchNorm", """
                using NetGen;

                namespace Demo;

                /// <summary>Unrolled tiny dense layers next to batch-norm buffers: their locals must not collide.</summary>
                [Network(Loss.MeanSquaredError)]
                [Input(4)]
                [Dense(4)]
                [BatchNorm(Activation = Activation.Tanh)]
                [Dense(2)]
                public partial class TinyNormalized;
                """, "Demo.TinyNormalized", "Demo.TinyNormalized.g.cs", Loss.MeanSquaredError, 4, 2, 4 * 4 + 4 + 2 * 4 + 4 * 2 + 2),

            new("CharModel", """
                using NetGen;

                namespace Demo.Text;

                /// <summary>A char-level language model: two LSTMs and a per-step softmax over the vocabulary.</summary>
                [Network(Loss.CrossEntropy)]
                [TokenInput(16, vocabularySize: 11)]
                [Embedding(8)]
                [Lstm(12, ReturnSequences = true)]
                [Lstm(12, ReturnSequences = true)]
                [Dense(11, Activation.Softmax)]
                public partial class CharModel;
                """, "Demo.Text.CharModel", "Demo.Text.CharModel.g.cs", Loss.CrossEntropy, 16, 16 * 11,
                11 * 8 + 4 * 12 * (8 + 12 + 2) + 4 * 12 * (12 + 12 + 2) + 12 * 11 + 11),

            new("GruClassifier", """
                using NetGen;

                namespace Demo.Text;

                /// <summary>A sequence classifier: padded token ids, two stacked GRUs, the last step into a softmax.</summary>
                [Network(Loss.CrossEntropy)]
                [TokenInput(10, vocabularySize: 20)]
                [Embedding(6, PaddingIndex = 0)]
                [Gru(8, Layers = 2)]
                [Dense(3, Activation.Softmax)]
                public partial class GruClassifier;
                """, "Demo.Text.GruClassifier", "Demo.Text.GruClassifier.g.cs", Loss.CrossEntropy, 10, 3,
                20 * 6 + 3 * 8 * (6 + 8 + 2) + 3 * 8 * (8 + 8 + 2) + 8 * 3 + 3),

            new("SpamClassifier", """
                using NetGen;

                namespace Demo.Text;

                /// <summary>A Transformer text classifier: padded token ids, two encoder blocks, the mean of the non-padding positions.</summary>
                [Network(Loss.CrossEntropy)]
                [TokenInput(16, vocabularySize: 50)]
                [Embedding(8, PaddingIndex = 0)]
                [PositionalEmbedding]
                [TransformerEncoder(heads: 2, feedForward: 16, Dropout = 0.1f)]
                [TransformerEncoder(heads: 2, feedForward: 16, Dropout = 0.1f, NormFirst = true, Activation = Activation.Gelu)]
                [GlobalAveragePool1D]
                [Dense(2, Activation.Softmax)]
                public partial class SpamClassifier;
                """, "Demo.Text.SpamClassifier", "Demo.Text.SpamClassifier.g.cs", Loss.CrossEntropy, 16, 2,
                50 * 8 + 16 * 8 + 2 * (4 * 8 * 8 + 4 * 8 + 2 * 8 * 16 + 16 + 8 + 4 * 8) + 8 * 2 + 2),

            new("TinyGpt", """
                using NetGen;

                namespace Demo.Text;

                /// <summary>A decoder-only character model: causal attention, a learned position table, a per-step softmax.</summary>
                [Network(Loss.CrossEntropy)]
                [TokenInput(12, vocabularySize: 20)]
                [Embedding(8)]
                [PositionalEmbedding(Sinusoidal = true)]
                [MultiHeadAttention(2, Causal = true)]
                [LayerNorm]
                [Dense(20, Activation.Softmax)]
                public partial class TinyGpt;
                """, "Demo.Text.TinyGpt", "Demo.Text.TinyGpt.g.cs", Loss.CrossEntropy, 12, 12 * 20,
                20 * 8 + 4 * 8 * 8 + 4 * 8 + 2 * 8 + 8 * 20 + 20),
        };

        private static readonly ConcurrentDictionary<string, Lazy<GeneratorRun>> Runs = new();

        public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

        private static (Case Case, GeneratorRun Run) Generate(string name)
        {
            Case c = Cases.Single(x => x.Name == name);
            GeneratorRun run = Runs.GetOrAdd(name, _ => new Lazy<GeneratorRun>(() => GeneratorHarness.Run(c.Source))).Value;
            GeneratorHarness.AssertGeneratorDidNotFail(run);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, "The generator reported:" + Environment.NewLine + GeneratorRun.Describe(run.GeneratorDiagnostics));
            Assert.Equal(new[] { c.HintName }, run.GeneratedFiles.Select(f => f.HintName));
            return (c, run);
        }

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Generated_code_matches_baseline(string name)
        {
            (_, GeneratorRun run) = Generate(name);
            Baselines.Verify(name, run.GeneratedFiles);
        }

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Generated_code_compiles_with_warnings_as_errors_trains_and_infers(string name)
        {
            (Case c, GeneratorRun run) = Generate(name);
            var compilation = NetworkRunner.StrictCompilation(c.Source, run.GeneratedFiles);
            NetworkRunner.AssertCompilesClean(compilation);
            NetworkRunner.WithLoadedAssembly(compilation, assembly =>
            {
                INetwork network = NetworkRunner.TrainOnceAndForward(assembly, c.TypeName);
                Assert.Equal(c.Loss, network.Loss);
                Assert.Equal(c.InputSize, network.InputSize);
                Assert.Equal(c.OutputSize, network.OutputSize);
                Assert.Equal(c.ParameterCount, network.ParameterCount);
                Assert.Equal(network.ParameterCount, network.ParameterLayout.Sum(t => t.Length));
                Assert.StartsWith("Network: ", network.Summary, StringComparison.Ordinal);
            });
        }

        [Fact]
        public void Generated_files_start_with_the_auto_generated_header_and_use_only_LF()
        {
            foreach (Case c in Cases)
            {
                string text = Generate(c.Name).Run.GeneratedFiles.Single().Text;
                Assert.StartsWith("// <auto-generated/>\n", text, StringComparison.Ordinal);
                Assert.Contains("\n#nullable enable\n", text, StringComparison.Ordinal);
                Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Layer_names_and_initializers_reach_the_generated_code()
        {
            string text = Generate("BinaryClassifier").Run.Generated("Demo.TumorClassifier.g.cs");
            Assert.Contains("new(\"hidden.weight\", global::System.Collections.Immutable.ImmutableArray.Create(16, 30), HiddenWeight)", text, StringComparison.Ordinal);
            Assert.Contains("new(\"malignant.bias\"", text, StringComparison.Ordinal);
            // The unnamed layer between two named ones gets the first free Keras-style default.
            Assert.Contains("new(\"dense.weight\"", text, StringComparison.Ordinal);
            Assert.Contains("global::NetGen.Initializer.GlorotUniform, p.Slice(HiddenWeight", text, StringComparison.Ordinal);
            Assert.Contains("global::NetGen.Initializer.HeNormal, p.Slice(DenseWeight", text, StringComparison.Ordinal);
            Assert.Contains("global::NetGen.Initializer.Default, p.Slice(MalignantWeight", text, StringComparison.Ordinal);
        }
    }
}

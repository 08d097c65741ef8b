using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator.Tests.Infrastructure;
using static NetGen.Generator.Tests.Infrastructure.Expect;

namespace NetGen.Generator.Tests
{
    /// <summary>
    /// One test per diagnostic: the ID, the exact span (<c>{|ID:…|}</c> markers), the severity and the
    /// facts the message must state. Each test fails on any diagnostic it does not expect, from the
    /// generator or from the compiler on the generated output.
    /// </summary>
    public class DiagnosticTests
    {
        private const string Usings = "using NetGen;\n\nnamespace Demo;\n\n";

        // ---- The class that carries [Network] ------------------------------------------------------

        [Fact]
        public void NG0001_class_must_be_partial() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public class {|NG0001:Net|};
                """,
                Error("NG0001", "'Net'", "'partial'"));

        [Fact]
        public void NG0002_class_must_not_be_nested() =>
            DiagnosticVerifier.Verify(Usings + """
                public partial class Outer
                {
                    [Network(Loss.MeanSquaredError)]
                    [Input(2)]
                    [Dense(1)]
                    public partial class {|NG0002:Inner|};
                }
                """,
                Error("NG0002", "'Inner'", "nested in 'Outer'"));

        [Fact]
        public void NG0003_class_must_not_be_generic() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class {|NG0003:Net|}<T>;
                """,
                Error("NG0003", "'Net'", "type parameters"));

        [Fact]
        public void NG0004_class_must_not_be_static() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public static partial class {|NG0004:Net|};
                """,
                Error("NG0004", "'Net' is static"));

        [Fact]
        public void NG0004_class_must_not_be_abstract() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public abstract partial class {|NG0004:Net|};
                """,
                Error("NG0004", "'Net' is abstract"));

        [Fact]
        public void NG0005_network_must_not_be_a_record() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial record {|NG0005:Net|};
                """,
                Error("NG0005", "'Net' is a record", "'partial class'"));

        // ---- Input ---------------------------------------------------------------------------------

        [Fact]
        public void NG0006_network_needs_an_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Dense(1)]
                public partial class {|NG0006:Net|};
                """,
                Error("NG0006", "'Net'", "[Input(784)]"));

        [Fact]
        public void NG0007_network_has_one_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [{|NG0007:Input(3)|}]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0007", "'Net'", "exactly one"));

        [Fact]
        public void NG0008_input_comes_before_the_layers() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Dense(4, Activation.ReLU)]
                [{|NG0008:Input(2)|}]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0008", "follows [Dense]"));

        [Fact]
        public void NG0009_input_needs_dimensions() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [{|NG0009:Input()|}]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0009", "no dimensions"));

        [Fact]
        public void NG0009_input_needs_dimensions_even_as_an_empty_array() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [{|NG0009:Input(new int[0])|}]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0009", "no dimensions"));

        // ---- Argument values -----------------------------------------------------------------------

        [Fact]
        public void NG0010_dense_units_must_be_positive() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense({|NG0010:0|})]
                public partial class Net;
                """,
                Error("NG0010", "The unit count of Dense layer 'dense'", "at least 1", "but is 0"));

        [Fact]
        public void NG0010_points_at_a_named_argument() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(activation: Activation.ReLU, {|NG0010:units: -7|})]
                public partial class Net;
                """,
                Error("NG0010", "'dense'", "but is -7"));

        [Fact]
        public void NG0010_input_size_must_be_positive() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input({|NG0010:0|})]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0010", "The input size", "but is 0"));

        [Fact]
        public void NG0010_points_at_each_bad_input_dimension() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input({|NG0010:-3|}, 5, {|NG0010:0|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0010", "Input dimension 0", "but is -3"),
                Error("NG0010", "Input dimension 2", "but is 0"));

        [Fact]
        public void NG0011_undefined_activation() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1, {|NG0011:(Activation)42|})]
                public partial class Net;
                """,
                Error("NG0011", "42 is not a defined Activation value"));

        [Fact]
        public void NG0011_undefined_loss() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network({|NG0011:(Loss)9|})]
                [Input(2)]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0011", "9 is not a defined Loss value"));

        [Fact]
        public void NG0011_undefined_initializer() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1, {|NG0011:Init = (Initializer)99|})]
                public partial class Net;
                """,
                Error("NG0011", "99 is not a defined Initializer value"));

        // ---- Layers --------------------------------------------------------------------------------

        [Fact]
        public void NG0012_network_needs_layers() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                public partial class {|NG0012:Net|};
                """,
                Error("NG0012", "'Net'", "no layer with parameters"));

        [Fact]
        public void NG0013_layers_on_another_partial_declaration() =>
            DiagnosticVerifier.Verify(new[]
                {
                    Usings + """
                        [Network(Loss.MeanSquaredError)]
                        [Input(2)]
                        public partial class {|NG0012:Net|};
                        """,
                    Usings + """
                        [{|NG0013:Dense(4, Activation.ReLU)|}]
                        [{|NG0013:Dense(1)|}]
                        public partial class Net;
                        """,
                },
                Error("NG0012", "'Net'"),
                Error("NG0013", "[Dense]", "'Net'", "one declaration"),
                Error("NG0013", "[Dense]", "'Net'"));

        [Fact]
        public void NG0014_layer_name_must_be_an_identifier() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(4, {|NG0014:Name = "a b"|})]
                [Dense(1, {|NG0014:Name = "x.y"|})]
                public partial class Net;
                """,
                Error("NG0014", "\"a b\"", "checkpoint key"),
                Error("NG0014", "\"x.y\""));

        [Fact]
        public void NG0015_layer_names_must_be_unique() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(4, Activation.ReLU, Name = "hidden")]
                [Dense(1, {|NG0015:Name = "hidden"|})]
                public partial class Net;
                """,
                Error("NG0015", "\"hidden\"", "hidden.weight"));

        [Fact]
        public void NG0016_dense_needs_a_flat_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(28, 28)]
                [{|NG0016:Dense(10, Activation.Softmax)|}]
                public partial class Net;
                """,
                Error("NG0016", "'dense'", "[B, 28, 28]", "[B, 784]", "[Flatten]"));

        // ---- Loss and output -----------------------------------------------------------------------

        [Fact]
        public void NG0017_cross_entropy_needs_softmax() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(4)]
                [Dense(3, {|NG0017:Activation.ReLU|})]
                public partial class Net;
                """,
                Error("NG0017", "'dense'", "has Activation.ReLU"));

        [Fact]
        public void NG0012_a_network_of_flatten_layers_has_nothing_to_train() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(2, 2)]
                [Flatten]
                public partial class {|NG0012:Net|};
                """,
                Error("NG0012", "'Net'", "no layer with parameters"));

        [Fact]
        public void NG0022_file_local_class() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                file partial class {|NG0022:Net|};
                """,
                Error("NG0022", "'Net'", "file-local"));

        [Fact]
        public void NG0023_primary_constructor() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class {|NG0023:Net|}(string name)
                {
                    public string Name => name;
                }
                """,
                Error("NG0023", "'Net' has a primary constructor", "Net(int seed = 0)"));

        [Fact]
        public void NG0023_constructor_taking_one_int() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class Net
                {
                    public {|NG0023:Net|}(int size) { }
                }
                """,
                Error("NG0023", "declares a constructor taking one int"));

        [Fact]
        public void NG0023_other_constructors_are_fine() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class Net
                {
                    public Net(string name) : this(seed: 1) => Name = name;
                    public string Name { get; } = "";
                }
                """);

        [Fact]
        public void A_copy_constructor_of_its_own_does_not_clash_with_the_inference_copy() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class Net
                {
                    public Net(Net other) : this(seed: 0) => other.Parameters.CopyTo(Parameters);
                }
                """);

        [Fact]
        public void NG0024_class_named_like_the_inference_copy_member() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class {|NG0024:CreateInferenceCopy|};
                """,
                Error("NG0024", "'CreateInferenceCopy'", "rename the class"));

        [Fact]
        public void NG0024_class_named_like_a_generated_member() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class {|NG0024:Summary|};
                """,
                Error("NG0024", "'Summary'", "rename the class"));

        [Fact]
        public void NG0024_class_named_like_a_layer_constant() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1, Name = "hidden")]
                public partial class {|NG0024:HiddenWeight|};
                """,
                Error("NG0024", "'HiddenWeight'"));

        [Fact]
        public void NG0025_kernel_larger_than_the_padded_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 4, 4)]
                [Conv2D(2, kernel: 3, Activation = Activation.ReLU)]
                [Conv2D(2, {|NG0025:kernel: 3|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0025", "Conv2D 'conv2d_1'", "3×3 window", "[B, 2, 2, 2]", "padded to 2×2"));

        [Fact]
        public void NG0025_dilation_makes_the_window_too_wide() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 6, 6)]
                [Conv2D(2, {|NG0025:3|}, Dilation = 3)]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0025", "dilation 3, reach 7", "[B, 1, 6, 6]"));

        [Fact]
        public void NG0025_pool_window_larger_than_its_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2, 3, 3)]
                [MaxPool2D({|NG0025:4|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0025", "MaxPool2D 'max_pooling2d'", "4×4", "[B, 2, 3, 3]"));

        [Fact]
        public void NG0026_same_padding_with_a_stride_warns_with_the_size() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 28, 28)]
                [Conv2D(4, kernel: 3, Padding = Padding.Same, {|NG0026:Stride = 2|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Warning("NG0026", "stride 2", "[B, 1, 28, 28] to [B, 4, 14, 14]"));

        [Fact]
        public void NG0027_convolution_on_a_flat_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(784)]
                [{|NG0027:Conv2D(4, kernel: 3)|}]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0027", "Conv2D 'conv2d'", "[B, 784]", "[Input(1, 28, 28)]"));

        [Fact]
        public void NG0027_pooling_after_flatten() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 8, 8)]
                [Flatten]
                [{|NG0027:MaxPool2D(2)|}]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0027", "MaxPool2D", "[B, 64]"));

        [Fact]
        public void NG0016_dense_on_a_feature_map_suggests_flatten() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 8, 8)]
                [Conv2D(2, kernel: 3)]
                [{|NG0016:Dense(1)|}]
                public partial class Net;
                """,
                Error("NG0016", "[B, 2, 6, 6]", "[Flatten]", "[B, 72]"));

        [Fact]
        public void NG0028_dropout_rate_outside_zero_one() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(4)]
                [Dense(4)]
                [Dropout({|NG0028:1f|})]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0028", "'dropout'", "rate 1", "[0, 1)"));

        [Fact]
        public void NG0029_batch_norm_on_a_two_dimensional_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(28, 28)]
                [{|NG0029:BatchNorm|}]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0029", "'batch_normalization'", "[B, 28, 28]", "[B, F]", "[B, C, H, W]"));

        [Fact]
        public void NG0030_padding_and_pad_together() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 8, 8)]
                [Conv2D(2, kernel: 3, Padding = Padding.Same, {|NG0030:Pad = 1|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0030", "'conv2d'", "Padding", "Pad"));

        [Fact]
        public void NG0031_batch_norm_momentum_and_pool_padding_out_of_range() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 8, 8)]
                [MaxPool2D(2, {|NG0031:Pad = 2|})]
                [BatchNorm({|NG0031:Momentum = 1.5f|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0031", "padding of MaxPool2D", "at most half the window (1)", "2"),
                Error("NG0031", "momentum of BatchNorm", "in [0, 1]", "1.5"));

        [Fact]
        public void NG0031_negative_explicit_padding() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 8, 8)]
                [Conv2D(2, kernel: 3, {|NG0031:Pad = -1|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0031", "padding of Conv2D 'conv2d'", "at least 0", "-1"));

        [Fact]
        public void NG0010_token_input_with_an_empty_sequence_or_vocabulary() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput({|NG0010:0|}, {|NG0010:vocabularySize: -3|})]
                [Embedding(4)]
                [Lstm(3)]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0010", "sequence length of [TokenInput]", "0"),
                Error("NG0010", "vocabulary size of [TokenInput]", "-3"));

        [Fact]
        public void NG0031_padding_index_outside_the_vocabulary_and_no_stacked_layers() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(4, {|NG0031:PaddingIndex = 10|})]
                [Gru(3, {|NG0031:Layers = 0|})]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0031", "PaddingIndex of Embedding 'embedding'", "[0, 10)", "10"),
                Error("NG0031", "stacked layer count of Gru 'gru'", "at least 1", "0"));

        [Fact]
        public void NG0033_token_ids_reaching_a_layer_other_than_embedding() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [{|NG0033:Dense(4)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0033", "Dense 'dense'", "[B, 8] token ids", "[Embedding(...)]"));

        [Fact]
        public void NG0033_token_ids_into_a_recurrent_layer() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [{|NG0033:Lstm(4)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0033", "Lstm 'lstm'", "[Embedding(...)]"));

        [Fact]
        public void NG0034_embedding_not_right_after_token_input() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(8)]
                [{|NG0034:Embedding(4)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0034", "Embedding 'embedding'", "[B, 8]", "first layer after [TokenInput"));

        [Fact]
        public void NG0034_a_second_embedding() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(4)]
                [{|NG0034:Embedding(4)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0034", "Embedding 'embedding_1'", "[B, 8, 4]"));

        [Fact]
        public void NG0035_recurrent_layer_without_a_time_axis() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(1, 8, 8)]
                [{|NG0035:Gru(4)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0035", "Gru 'gru'", "[B, 1, 8, 8]", "no time axis"));

        [Fact]
        public void NG0036_recurrent_layer_after_one_that_returns_its_last_step() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(4)]
                [Lstm(6)]
                [{|NG0036:Lstm(6)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0036", "Lstm 'lstm_1'", "follows 'lstm'", "[B, 6]", "ReturnSequences = true on 'lstm'"));

        [Fact]
        public void NG0016_dense_on_an_image_still_needs_flatten() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(28, 28)]
                [{|NG0016:Dense(4)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0016", "'dense'", "[B, 28, 28]", "[Flatten]"));

        [Fact]
        public void NG0037_width_not_divisible_by_heads_names_the_nearest_that_are() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(10)]
                [TransformerEncoder({|NG0037:heads: 4|}, feedForward: 16)]
                [GlobalAveragePool1D]
                [Dense(2, Activation.Softmax)]
                public partial class Net;

                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(10)]
                [MultiHeadAttention({|NG0037:3|})]
                [GlobalAveragePool1D]
                [Dense(2, Activation.Softmax)]
                public partial class Net2;
                """,
                Error("NG0037", "TransformerEncoder 'transformer_encoder'", "10 features into 4 heads", "nearby: 2, 5"),
                Error("NG0037", "MultiHeadAttention 'multi_head_attention'", "into 3 heads", "nearby: 2, 5"));

        [Fact]
        public void NG0038_attention_norm_and_pooling_need_a_time_axis() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(16)]
                [{|NG0038:LayerNorm|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;

                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(8)]
                [Lstm(8)]
                [{|NG0038:MultiHeadAttention(2)|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net2;

                [Network(Loss.CrossEntropy)]
                [Input(1, 4, 4)]
                [{|NG0038:GlobalAveragePool1D|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net3;
                """,
                Error("NG0038", "LayerNorm 'layer_normalization'", "[B, 16]", "no time axis"),
                Error("NG0038", "MultiHeadAttention 'multi_head_attention'", "[B, 8]"),
                Error("NG0038", "GlobalAveragePool1D 'global_average_pooling1d'", "[B, 1, 4, 4]"));

        [Fact]
        public void NG0039_causal_layers_pooled_over_time_warn_and_still_generate() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(8)]
                [TransformerEncoder(heads: 2, feedForward: 16, Causal = true)]
                [{|NG0039:GlobalAveragePool1D|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Warning("NG0039", "'global_average_pooling1d'", "causal 'transformer_encoder'"));

        [Fact]
        public void NG0040_positional_embedding_on_a_vector() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [Input(16)]
                [{|NG0040:PositionalEmbedding|}]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0040", "'positional_embedding'", "[B, 16]"));

        [Fact]
        public void NG0031_transformer_dropout_activation_and_epsilon_out_of_range() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(8)]
                [TransformerEncoder(2, 16, {|NG0031:Dropout = 1f|}, {|NG0031:Activation = Activation.Tanh|}, {|NG0031:Epsilon = 0f|})]
                [GlobalAveragePool1D]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0031", "dropout of TransformerEncoder", "[0, 1)", "1"),
                Error("NG0031", "activation of TransformerEncoder", "Activation.ReLU or Activation.Gelu", "Activation.Tanh"),
                Error("NG0031", "epsilon of TransformerEncoder", "above 0", "0"));

        [Fact]
        public void NG0010_feed_forward_width_below_one() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.CrossEntropy)]
                [TokenInput(8, vocabularySize: 10)]
                [Embedding(8)]
                [TransformerEncoder(2, {|NG0010:0|})]
                [GlobalAveragePool1D]
                [Dense(2, Activation.Softmax)]
                public partial class Net;
                """,
                Error("NG0010", "feed-forward width of TransformerEncoder", "0"));

        [Fact]
        public void NG0010_stride_and_dilation_of_zero() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 8, 8)]
                [Conv2D(2, kernel: 3, {|NG0010:Stride = 0|}, {|NG0010:Dilation = 0|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0010", "stride of Conv2D 'conv2d'", "0"),
                Error("NG0010", "dilation of Conv2D 'conv2d'", "0"));

        [Fact]
        public void NG0032_softmax_on_a_convolution() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(1, 8, 8)]
                [Conv2D(2, kernel: 3, {|NG0032:Activation = Activation.Softmax|})]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0032", "Conv2D 'conv2d'", "Dense output layer"));

        [Fact]
        public void NG0018_binary_cross_entropy_needs_sigmoid() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.BinaryCrossEntropy)]
                [Input(4)]
                [{|NG0018:Dense(1)|}]
                public partial class Net;
                """,
                Error("NG0018", "'dense'", "has no activation"));

        [Fact]
        public void NG0019_dense_weights_beyond_one_buffer() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense({|NG0019:int.MaxValue|})]
                public partial class Net;
                """,
                Error("NG0019", "'dense'", "4,294,967,294", "2,147,483,647"));

        [Fact]
        public void NG0019_input_beyond_one_buffer() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [{|NG0019:Input(65536, 65536, 2)|}]
                [Flatten]
                [Dense(1)]
                public partial class Net;
                """,
                Error("NG0019", "input size", "8,589,934,592", "2,147,483,647"));

        [Fact]
        public void NG0019_parameter_count_beyond_one_buffer() =>
            DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(46340)]
                [Dense(46340)]
                [Dense(1)]
                public partial class {|NG0019:Net|};
                """,
                Error("NG0019", "parameter count of 'Net'", "2,147,488,281", "2,147,483,647"));

        [Fact]
        public void NG0020_softmax_on_a_hidden_layer_warns_and_still_generates()
        {
            GeneratorRun run = DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(4)]
                [Dense(8, {|NG0020:Activation.Softmax|})]
                [Dense(1)]
                public partial class Net;
                """,
                Warning("NG0020", "'dense'", "not the output layer"));
            Assert.Contains("global::NetGen.Kernels.Activations.SoftmaxBackward(", run.Generated("Demo.Net.g.cs"), StringComparison.Ordinal);
        }

        [Fact]
        public void NG0021_flatten_of_a_flat_input_warns_and_still_generates()
        {
            GeneratorRun run = DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(4)]
                [{|NG0021:Flatten|}]
                [Dense(1)]
                public partial class Net;
                """,
                Warning("NG0021", "'flatten'", "[B, 4]", "already flat"));
            Assert.Single(run.GeneratedFiles);
        }

        // ---- Suppression ---------------------------------------------------------------------------

        private const string HiddenSoftmax = """
            [Network(Loss.MeanSquaredError)]
            [Input(4)]
            #pragma warning disable NG0020 // a mixture-of-experts style gate, on purpose
            [Dense(8, Activation.Softmax)]
            #pragma warning restore NG0020
            [Dense(1)]
            public partial class Net;
            """;

        /// <summary>
        /// The driver filters generator diagnostics through the compilation's options and the pragma
        /// state of their source tree, like the command-line compiler does before reporting; a
        /// pragma-suppressed diagnostic comes back flagged <see cref="Diagnostic.IsSuppressed"/>, which
        /// builds do not report. This only works because the warning has a real location in user source.
        /// </summary>
        [Fact]
        public void Pragma_warning_disable_suppresses_NG0020()
        {
            GeneratorRun suppressed = GeneratorHarness.Run(Usings + HiddenSoftmax);
            GeneratorHarness.AssertGeneratorDidNotFail(suppressed);
            Diagnostic warning = Assert.Single(suppressed.GeneratorDiagnostics);
            Assert.Equal("NG0020", warning.Id);
            Assert.True(warning.IsSuppressed, "NG0020 under '#pragma warning disable NG0020' must be suppressed.");
            Assert.All(CompilationWithAnalyzers.GetEffectiveDiagnostics(suppressed.GeneratorDiagnostics, suppressed.OutputCompilation),
                d => Assert.True(d.IsSuppressed, d.ToString()));
            Assert.Single(suppressed.GeneratedFiles);

            // The control: the same source without the pragma reports the warning, unsuppressed.
            string withoutPragma = string.Join("\n", HiddenSoftmax.Split('\n').Where(l => !l.StartsWith("#pragma", StringComparison.Ordinal)));
            GeneratorRun reported = GeneratorHarness.Run(Usings + withoutPragma);
            Diagnostic unsuppressed = Assert.Single(reported.GeneratorDiagnostics);
            Assert.Equal("NG0020", unsuppressed.Id);
            Assert.False(unsuppressed.IsSuppressed);
        }

        [Fact]
        public void Pragma_outside_the_warning_span_does_not_suppress_it()
        {
            string restoredEarly = HiddenSoftmax.Replace(
                "#pragma warning disable NG0020 // a mixture-of-experts style gate, on purpose",
                "#pragma warning disable NG0020\n#pragma warning restore NG0020", StringComparison.Ordinal);
            GeneratorRun run = GeneratorHarness.Run(Usings + restoredEarly);
            Diagnostic warning = Assert.Single(run.GeneratorDiagnostics);
            Assert.False(warning.IsSuppressed);
        }

        [Fact]
        public void Compilation_options_can_silence_or_escalate_a_NetGen_warning()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Usings + HiddenSoftmax.Replace("#pragma", "// #pragma", StringComparison.Ordinal));
            GeneratorRun silenced = GeneratorHarness.Run(compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
                new Dictionary<string, ReportDiagnostic> { ["NG0020"] = ReportDiagnostic.Suppress })));
            Assert.Empty(silenced.GeneratorDiagnostics);

            GeneratorRun escalated = GeneratorHarness.Run(compilation.WithOptions(compilation.Options.WithGeneralDiagnosticOption(ReportDiagnostic.Error)));
            Diagnostic error = Assert.Single(escalated.GeneratorDiagnostics);
            Assert.Equal("NG0020", error.Id);
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            Assert.True(error.IsWarningAsError);
        }

        // ---- The catalog and the harness -----------------------------------------------------------

        private static ImmutableArray<DiagnosticDescriptor> Catalog =>
            typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
                .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
                .ToImmutableArray();

        [Fact]
        public void Catalog_is_NG0001_to_NG0040_plus_NG0099_with_warnings_only_where_legal()
        {
            string[] expected = Enumerable.Range(1, 40).Select(i => $"NG{i:0000}").Append("NG0099").ToArray();
            Assert.Equal(expected, Catalog.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
            Assert.All(Catalog, d =>
            {
                Assert.Equal("NetGen", d.Category);
                Assert.True(d.IsEnabledByDefault, d.Id);
                Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()), d.Id);
            });
            Assert.Equal(new[] { "NG0020", "NG0021", "NG0026", "NG0039" },
                Catalog.Where(d => d.DefaultSeverity == DiagnosticSeverity.Warning).Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
            Assert.All(Catalog.Where(d => d.Id is not ("NG0020" or "NG0021" or "NG0026" or "NG0039")), d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
        }

        [Fact]
        public void Every_diagnostic_but_the_internal_error_has_a_test_here()
        {
            var tested = typeof(DiagnosticTests).GetMethods()
                .Where(m => m.GetCustomAttribute<FactAttribute>() is not null && m.Name.StartsWith("NG", StringComparison.Ordinal))
                .Select(m => m.Name.Substring(0, 6))
                .ToHashSet();
            string[] untested = Catalog.Select(d => d.Id).Where(id => id != "NG0099" && !tested.Contains(id)).ToArray();
            Assert.True(untested.Length == 0, "No test for: " + string.Join(", ", untested));
        }

        [Fact]
        public void Verifier_fails_on_a_diagnostic_the_test_did_not_mark()
        {
            var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(0)]
                [Dense(1)]
                public partial class Net;
                """));
            Assert.Contains("NG0010", failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Verifier_fails_on_a_compiler_error_in_user_code()
        {
            var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class Net { int M() => "no"; }
                """));
            Assert.Contains("CS0029", failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Verifier_fails_on_a_wrong_span()
        {
            var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DiagnosticVerifier.Verify(Usings + """
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [{|NG0010:Dense(0)|}]
                public partial class Net;
                """,
                Error("NG0010")));
            Assert.Contains("reported at", failure.Message, StringComparison.Ordinal);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using NetGen.Kernels;

namespace NetGen
{
    /// <summary>
    /// Writes the Python source of an exported network: the helpers of <see cref="PyTorchScripts.ModuleHelpers"/>,
    /// then one <c>nn.Module</c> class whose <c>__init__</c> builds each layer of the <see cref="NetworkArchitecture"/>
    /// under the layer's name (so the <c>state_dict</c> keys are NetGen's) and whose <c>forward</c> applies them in order.
    /// </summary>
    internal sealed partial class PyTorchModuleSource
    {
        private const string Indent = "        ";

        private readonly NetworkArchitecture _architecture;
        private readonly List<string> _init = new();
        private readonly List<string> _forward = new();
        private readonly HashSet<string> _attributes = new(StringComparer.Ordinal);

        /// <summary>Python's <c>padding</c> or <c>None</c>: the key padding mask the attention and pooling layers read.</summary>
        private readonly string _padding;

        /// <summary>Python's <c>causal</c> (the mask of steps after each query) or <c>None</c>.</summary>
        private readonly string _causal;

        /// <summary>The final Softmax or Sigmoid that <c>logits=True</c> leaves out, or <see cref="Activation.None"/>.</summary>
        private Activation _final;

        private PyTorchModuleSource(NetworkArchitecture architecture)
        {
            _architecture = architecture;
            bool readsPadding = architecture.TokenInputs && architecture.PaddingIndex >= 0
                && architecture.Layers.Any(l => l.Kind is "MultiHeadAttention" or "TransformerEncoder" or "GlobalAveragePool1D");
            bool causal = architecture.Layers.Any(l => l.Kind is "MultiHeadAttention" or "TransformerEncoder" && l.Bool("causal"));
            _padding = readsPadding ? "padding" : "None";
            _causal = causal ? "causal" : "None";
        }

        /// <summary>The module's source for <paramref name="architecture"/>.</summary>
        public static string Write(NetworkArchitecture architecture)
        {
            var source = new PyTorchModuleSource(architecture);
            source.AddLayers();
            return source.Assemble();
        }

        /// <summary>The Python class name: the network class's own name (<c>Demo.Text.TinyGpt</c> → <c>TinyGpt</c>).</summary>
        public static string ClassName(NetworkArchitecture architecture)
        {
            string name = architecture.Name;
            int cut = name.LastIndexOfAny(new[] { '.', '+' });
            name = name.Substring(cut + 1);
            if (!IsIdentifier(name) || name.StartsWith('_'))
            {
                throw new ArgumentException(
                    $"Network class '{architecture.Name}' gives the Python class name '{name}', which is not a Python identifier " +
                    "(letters, digits and '_', not starting with a digit or '_', not a keyword).", nameof(architecture));
            }
            return name;
        }

        private void AddLayers()
        {
            IReadOnlyList<LayerArchitecture> layers = _architecture.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                AddLayer(layers[i], last: i == layers.Count - 1);
            }
        }

        private void AddLayer(LayerArchitecture layer, bool last)
        {
            switch (layer.Kind)
            {
                case "Dense":
                    Module(layer, $"nn.Linear({layer.InputShape[^1]}, {layer.Int("units")})");
                    Apply($"self.{layer.Name}(x)", layer.Activation(), last);
                    break;
                case "Flatten":
                    Line("x = x.flatten(1)");
                    break;
                case "Conv2D":
                    AddConvolution(layer, last);
                    break;
                case "MaxPool2D":
                case "AvgPool2D":
                    AddPooling(layer);
                    break;
                case "GlobalAveragePool2D":
                    Line("x = x.mean(dim=(2, 3))");
                    break;
                case "BatchNorm":
                    AddBatchNorm(layer, last);
                    break;
                case "Dropout":
                    Module(layer, $"nn.Dropout({Float(layer.Float("rate"))})");
                    Line($"x = self.{layer.Name}(x)");
                    break;
                case "Embedding":
                    int pad = layer.Int("paddingIndex");
                    Module(layer, $"nn.Embedding({layer.Int("vocabulary")}, {layer.Int("dimensions")}, padding_idx={(pad >= 0 ? Int(pad) : "None")})");
                    Line($"x = self.{layer.Name}(x)");
                    break;
                case "Lstm":
                case "Gru":
                    AddRecurrent(layer);
                    break;
                case "LayerNorm":
                    Module(layer, $"nn.LayerNorm({layer.InputShape[^1]}, eps={Float(layer.Float("epsilon"))})");
                    Line($"x = self.{layer.Name}(x)");
                    break;
                case "MultiHeadAttention":
                    Module(layer, $"nn.MultiheadAttention({layer.InputShape[^1]}, {layer.Int("heads")}, dropout={Float(layer.Float("dropout"))}, batch_first=True)");
                    Line($"x = self.{layer.Name}(x, x, x, key_padding_mask={_padding}, attn_mask={(layer.Bool("causal") ? "causal" : "None")}, need_weights=False)[0]");
                    break;
                case "PositionalEmbedding":
                    string table = layer.Bool("sinusoidal") ? "SinusoidalPositions" : "LearnedPositions";
                    Module(layer, $"{table}({layer.InputShape[0]}, {layer.InputShape[1]})");
                    Line($"x = self.{layer.Name}(x)");
                    break;
                case "GlobalAveragePool1D":
                    Line(_padding == "None" ? "x = x.mean(dim=1)" : "x = masked_mean(x, padding)");
                    break;
                case "TransformerEncoder":
                    AddEncoder(layer);
                    break;
                default:
                    throw new NotSupportedException(
                        $"The PyTorch export does not know {layer.Kind} layers ('{layer.Name}' of {_architecture.Name}).");
            }
        }

        /// <summary>nn.Conv2d, with its own padding when it is symmetric, else F.pad before an unpadded convolution.</summary>
        private void AddConvolution(LayerArchitecture layer, bool last)
        {
            int top = layer.Int("padTop"), left = layer.Int("padLeft"), bottom = layer.Int("padBottom"), right = layer.Int("padRight");
            bool symmetric = top == bottom && left == right;
            Module(layer,
                $"nn.Conv2d({layer.InputShape[0]}, {layer.Int("filters")}, kernel_size={layer.Int("kernel")}, stride={layer.Int("stride")}, " +
                $"padding=({(symmetric ? top : 0)}, {(symmetric ? left : 0)}), dilation={layer.Int("dilation")}, bias={Bool(layer.Bool("bias"))})");
            if (!symmetric)
            {
                Line($"x = F.pad(x, ({left}, {right}, {top}, {bottom}))  # asymmetric padding: left, right, top, bottom");
            }
            Apply($"self.{layer.Name}(x)", layer.Activation(), last);
        }

        /// <summary>nn.MaxPool2d / nn.AvgPool2d: NetGen pads both sides by <c>pad</c> (at most half the window) and averages over the full window.</summary>
        private void AddPooling(LayerArchitecture layer)
        {
            string arguments = $"{layer.Int("size")}, stride={layer.Int("stride")}, padding={layer.Int("pad")}";
            Module(layer, layer.Kind == "MaxPool2D" ? $"nn.MaxPool2d({arguments})" : $"nn.AvgPool2d({arguments}, count_include_pad=True)");
            Line($"x = self.{layer.Name}(x)");
        }

        /// <summary>nn.BatchNorm1d over features or nn.BatchNorm2d over channels; NetGen's momentum is PyTorch's (weight of the new batch).</summary>
        private void AddBatchNorm(LayerArchitecture layer, bool last)
        {
            string type = layer.InputShape.Count switch
            {
                1 => "BatchNorm1d",
                3 => "BatchNorm2d",
                _ => throw new NotSupportedException(
                    $"BatchNorm '{layer.Name}' normalizes a [{string.Join(", ", layer.InputShape)}] input; the PyTorch export knows [C] and [C, H, W]."),
            };
            Module(layer, $"nn.{type}({layer.InputShape[0]}, eps={Float(layer.Float("epsilon"))}, momentum={Float(layer.Float("momentum"))})");
            Apply($"self.{layer.Name}(x)", layer.Activation(), last);
        }

        private void AddRecurrent(LayerArchitecture layer)
        {
            string type = layer.Kind == "Lstm" ? "LSTM" : "GRU";
            Module(layer, $"nn.{type}({layer.InputShape[^1]}, {layer.Int("units")}, num_layers={layer.Int("layers")}, batch_first=True)");
            Line($"x, _ = self.{layer.Name}(x)");
            if (!layer.Bool("returnSequences"))
            {
                Line("x = x[:, -1]  # the last step");
            }
        }

        private void AddEncoder(LayerArchitecture layer)
        {
            string activation = layer.Activation() switch
            {
                Activation.ReLU => "relu",
                Activation.Gelu => "gelu",
                Activation other => throw new NotSupportedException(
                    $"TransformerEncoder '{layer.Name}' uses Activation.{other}; PyTorch's encoder layer takes ReLU or Gelu."),
            };
            Module(layer,
                $"nn.TransformerEncoderLayer({layer.InputShape[^1]}, {layer.Int("heads")}, dim_feedforward={layer.Int("feedForward")}, " +
                $"dropout={Float(layer.Float("dropout"))}, activation=\"{activation}\", layer_norm_eps={Float(layer.Float("epsilon"))}, " +
                $"batch_first=True, norm_first={Bool(layer.Bool("normFirst"))})");
            Line($"x = self.{layer.Name}(x, src_mask={(layer.Bool("causal") ? "causal" : "None")}, src_key_padding_mask={_padding})");
        }

        /// <summary>Registers <c>self.{layer.Name} = {construction}</c>, refusing a name Python or nn.Module would take otherwise.</summary>
        private void Module(LayerArchitecture layer, string construction)
        {
            string name = layer.Name;
            if (!IsIdentifier(name) || name.StartsWith('_') || ReservedAttributes.Contains(name))
            {
                throw new ArgumentException(
                    $"{layer.Kind} layer '{name}' of {_architecture.Name} cannot be an attribute of the exported nn.Module: " +
                    "the PyTorch export needs layer names that are Python identifiers (letters, digits and '_', not starting with a digit or '_'), " +
                    "not keywords and not names nn.Module already uses (forward, state_dict, training, …); rename the layer (Name = \"...\").");
            }
            if (!_attributes.Add(name))
            {
                throw new ArgumentException($"Two layers of {_architecture.Name} are named '{name}'.");
            }
            _init.Add($"{Indent}self.{name} = {construction}");
        }

        /// <summary><c>x = act(expression)</c>, except that a final Softmax or Sigmoid is left to <c>forward</c>'s return (<c>logits</c>).</summary>
        private void Apply(string expression, Activation activation, bool last)
        {
            if (last && activation is Activation.Softmax or Activation.Sigmoid)
            {
                _final = activation;
                Line($"x = {expression}");
                return;
            }
            Line($"x = {Activate(activation, expression)}");
        }

        private static string Activate(Activation activation, string z) => activation switch
        {
            Activation.None => z,
            Activation.ReLU => $"torch.relu({z})",
            Activation.LeakyReLU => $"F.leaky_relu({z}, {Float(Activations.LeakySlope)})",
            Activation.Sigmoid => $"torch.sigmoid({z})",
            Activation.Tanh => $"torch.tanh({z})",
            Activation.Softmax => $"torch.softmax({z}, dim=-1)",
            Activation.Gelu => $"F.gelu({z})",
            _ => throw new NotSupportedException($"The PyTorch export does not know Activation.{activation}."),
        };

        private void Line(string line) => _forward.Add(Indent + line);

        private string Assemble()
        {
            NetworkArchitecture a = _architecture;
            string className = ClassName(a);
            string inputShape = Shape(a.InputShape);
            string outputShape = Shape(a.OutputShape);
            string inputText = a.TokenInputs
                ? $"int64 token ids [B, {string.Join(", ", a.InputShape)}] in [0, {a.VocabularySize})"
                : $"float [B, {string.Join(", ", a.InputShape)}]";
            string finalText = _final == Activation.None
                ? "logits=True changes nothing (the last layer ends in no Softmax or Sigmoid)"
                : $"logits=True returns the values before the final {_final}";
            var s = new StringBuilder();
            s.Append(PyTorchScripts.ModuleHelpers(a.Name));
            s.Append('\n').Append('\n');
            s.Append($"class {className}(nn.Module):\n");
            s.Append($"    \"\"\"{a.Name} exported from NetGen: {inputText} -> [B, {string.Join(", ", a.OutputShape)}], trained with Loss.{a.Loss}.\n\n");
            s.Append("    forward(x) returns what NetGen's Forward returns; ").Append(finalText).Append(",\n");
            s.Append("    and criterion(forward(x, logits=True), targets) is the loss NetGen trains with.\n\n");
            s.Append("    NetGen's layers:\n");
            foreach (LayerArchitecture layer in a.Layers)
            {
                s.Append("        ").Append(layer.ToString()).Append('\n');
            }
            s.Append("    \"\"\"\n\n");
            s.Append($"    netgen_loss = \"{a.Loss}\"\n");
            s.Append($"    input_shape = {inputShape}\n");
            s.Append($"    output_shape = {outputShape}\n");
            s.Append($"    token_inputs = {Bool(a.TokenInputs)}\n");
            s.Append($"    vocabulary_size = {a.VocabularySize}\n");
            s.Append($"    padding_index = {(a.PaddingIndex >= 0 ? Int(a.PaddingIndex) : "None")}\n\n");
            s.Append("    def __init__(self):\n");
            s.Append("        super().__init__()\n");
            foreach (string line in _init)
            {
                s.Append(line).Append('\n');
            }
            s.Append('\n');
            AppendForward(s, inputText);
            AppendCriterion(s);
            s.Append(PyTorchScripts.ModuleMethods(className));
            return s.ToString();
        }

        private void AppendForward(StringBuilder s, string inputText)
        {
            NetworkArchitecture a = _architecture;
            s.Append("    def forward(self, x, logits=False):\n");
            s.Append($"        \"\"\"x: {inputText}. Returns [B, {string.Join(", ", a.OutputShape)}]");
            s.Append(_final == Activation.None ? ".\"\"\"\n" : $"; logits=True: before the final {_final}.\"\"\"\n");
            s.Append("        check_input(x, self.input_shape, self.token_inputs)\n");
            if (_padding != "None")
            {
                s.Append($"        padding = x == {a.PaddingIndex}  # [B, T], True at padding: masked as attention keys, left out of pooling\n");
                s.Append($"        check_padding(padding, causal={Bool(_causal != "None")})\n");
            }
            if (_causal != "None")
            {
                s.Append($"        causal = causal_mask({a.InputShape[0]}, x.device)  # [T, T], True above the diagonal: step t sees steps 0..t\n");
            }
            foreach (string line in _forward)
            {
                s.Append(line).Append('\n');
            }
            s.Append(_final switch
            {
                Activation.Softmax => "        return x if logits else torch.softmax(x, dim=-1)\n",
                Activation.Sigmoid => "        return x if logits else torch.sigmoid(x)\n",
                _ => "        return x\n",
            });
            s.Append('\n');
        }

        /// <summary>NetGen's loss on <c>forward(x, logits=True)</c>: see <see cref="Losses"/>.</summary>
        private void AppendCriterion(StringBuilder s)
        {
            s.Append("    def criterion(self, outputs, targets):\n");
            switch (_architecture.Loss)
            {
                case Loss.CrossEntropy:
                    s.Append("        \"\"\"NetGen's Loss.CrossEntropy: the mean cross-entropy of the logits (forward(x, logits=True)) against\n");
                    s.Append("        class labels [B] (or [B, T], one per step: the mean over every step).\"\"\"\n");
                    s.Append("        return F.cross_entropy(outputs.reshape(-1, outputs.shape[-1]), targets.reshape(-1).long())\n");
                    break;
                case Loss.BinaryCrossEntropy:
                    s.Append("        \"\"\"NetGen's Loss.BinaryCrossEntropy: the mean binary cross-entropy of the logits (forward(x, logits=True))\n");
                    s.Append("        against float targets in [0, 1], element by element.\"\"\"\n");
                    s.Append("        return F.binary_cross_entropy_with_logits(outputs, targets.reshape(outputs.shape).to(outputs.dtype))\n");
                    break;
                default:
                    s.Append("        \"\"\"NetGen's Loss.MeanSquaredError: the mean squared error of the outputs (given forward(x, logits=True),\n");
                    s.Append("        the final activation is applied here) against float targets, element by element.\"\"\"\n");
                    if (_final != Activation.None)
                    {
                        s.Append($"        outputs = {Activate(_final, "outputs")}\n");
                    }
                    s.Append("        return F.mse_loss(outputs, targets.reshape(outputs.shape).to(outputs.dtype))\n");
                    break;
            }
            s.Append('\n');
        }

        private static string Shape(IReadOnlyList<int> shape) =>
            shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Bool(bool value) => value ? "True" : "False";

        /// <summary>A Python float literal that reads back as the same float32 (<c>0.1</c>, <c>1e-05</c>, <c>0.0</c>).</summary>
        private static string Float(float value)
        {
            if (!float.IsFinite(value))
            {
                throw new NotSupportedException($"The PyTorch export cannot write the setting {value}.");
            }
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains('.') || text.Contains('E') ? text : text + ".0";
        }

        private static bool IsIdentifier(string name) => Identifier().IsMatch(name) && !Keywords.Contains(name);

        [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
        private static partial Regex Identifier();

        private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
        {
            "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
            "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
            "pass", "raise", "return", "try", "while", "with", "yield",
        };

        /// <summary>Attributes of nn.Module (PyTorch 1.13 and 2.x) and of the exported class, which no layer may replace.</summary>
        private static readonly HashSet<string> ReservedAttributes = new(StringComparer.Ordinal)
        {
            "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile", "cpu", "cuda", "double",
            "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter",
            "get_submodule", "half", "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children",
            "named_modules", "named_parameters", "parameters", "register_backward_hook", "register_buffer",
            "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
            "register_full_backward_pre_hook", "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook",
            "register_module", "register_parameter", "register_state_dict_post_hook", "register_state_dict_pre_hook",
            "requires_grad_", "set_extra_state", "set_submodule", "share_memory", "state_dict", "to", "to_empty", "train",
            "training", "type", "xpu", "zero_grad",
            "criterion", "load", "save", "netgen_loss", "input_shape", "output_shape", "token_inputs", "vocabulary_size",
            "padding_index",
        };
    }
}

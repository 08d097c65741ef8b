using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Kernels;

namespace NetGen.Export.Onnx
{
    /// <summary>Turns one layer into ONNX nodes: the layer's input value in, its output value out.</summary>
    internal delegate string LayerLowering(OnnxLowering lowering, LayerArchitecture layer, string input);

    /// <summary>
    /// The state shared while a network is lowered to ONNX: the graph being built, the network's parameter and
    /// buffer tensors by name, the token input (for the padding mask) and the pieces several layer kinds use —
    /// linear maps, activations, the padding mask. Each layer kind has its lowering in <see cref="Lowerings"/>.
    /// </summary>
    internal sealed class OnnxLowering
    {
        /// <summary>The value written at masked attention scores: finite, so a row with no visible key stays a number.</summary>
        public const float MaskedScore = -1e30f;

        /// <summary>Each layer kind's lowering, by <see cref="LayerArchitecture.Kind"/>.</summary>
        public static readonly IReadOnlyDictionary<string, LayerLowering> Lowerings = new Dictionary<string, LayerLowering>(StringComparer.Ordinal)
        {
            ["Dense"] = OnnxLayers.Dense,
            ["Flatten"] = OnnxLayers.Flatten,
            ["Conv2D"] = OnnxLayers.Conv2D,
            ["MaxPool2D"] = OnnxLayers.MaxPool2D,
            ["AvgPool2D"] = OnnxLayers.AvgPool2D,
            ["GlobalAveragePool2D"] = OnnxLayers.GlobalAveragePool2D,
            ["BatchNorm"] = OnnxLayers.BatchNorm,
            ["Dropout"] = OnnxLayers.Dropout,
            ["Embedding"] = OnnxLayers.Embedding,
            ["Lstm"] = OnnxRecurrent.Lstm,
            ["Gru"] = OnnxRecurrent.Gru,
            ["LayerNorm"] = OnnxLayers.LayerNorm,
            ["MultiHeadAttention"] = OnnxAttention.MultiHeadAttention,
            ["PositionalEmbedding"] = OnnxLayers.PositionalEmbedding,
            ["GlobalAveragePool1D"] = OnnxLayers.GlobalAveragePool1D,
            ["TransformerEncoder"] = OnnxAttention.TransformerEncoder,
        };

        private readonly INetwork _network;
        private readonly Dictionary<string, ParameterTensor> _parameters;
        private readonly Dictionary<string, ParameterTensor> _buffers;
        private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
        private string? _padding;

        private OnnxLowering(INetwork network)
        {
            _network = network;
            Architecture = network.Architecture;
            _parameters = network.ParameterLayout.ToDictionary(p => p.Name, StringComparer.Ordinal);
            _buffers = network.BufferLayout.ToDictionary(p => p.Name, StringComparer.Ordinal);
            Graph = new OnnxGraph(Architecture.Name);
        }

        /// <summary>The graph being built.</summary>
        public OnnxGraph Graph { get; }

        /// <summary>The network being lowered.</summary>
        public NetworkArchitecture Architecture { get; }

        /// <summary>The graph input: <c>input</c>, float <c>[batch, …InputShape]</c> or int64 token ids <c>[batch, T]</c>.</summary>
        public string Input { get; private set; } = "";

        /// <summary>
        /// Lowers every layer of <paramref name="network"/> into a new graph (input <c>input</c>, output <c>output</c>).
        /// Throws <see cref="NotSupportedException"/> naming the layer when one cannot be expressed.
        /// </summary>
        public static OnnxGraph Lower(INetwork network)
        {
            var lowering = new OnnxLowering(network);
            NetworkArchitecture architecture = lowering.Architecture;
            foreach (LayerArchitecture layer in architecture.Layers)
            {
                if (!Lowerings.ContainsKey(layer.Kind))
                {
                    throw Unsupported(layer, "the ONNX exporter knows no such layer kind");
                }
            }
            OnnxGraph graph = lowering.Graph;
            int?[] inputDims = Batched(architecture.InputShape);
            lowering.Input = graph.Input("input", architecture.TokenInputs ? OnnxType.Int64 : OnnxType.Float, inputDims);
            string value = lowering.Input;
            foreach (LayerArchitecture layer in architecture.Layers)
            {
                graph.Scope = layer.Name;
                value = Lowerings[layer.Kind](lowering, layer, value);
            }
            graph.Scope = "";
            graph.Output(value, "output", OnnxType.Float, Batched(architecture.OutputShape));
            return graph;
        }

        /// <summary>The exception for a layer or setting ONNX cannot express, naming the layer.</summary>
        public static NotSupportedException Unsupported(LayerArchitecture layer, string why) =>
            new($"Cannot export {layer.Kind} layer '{layer.Name}' to ONNX: {why}.");

        /// <summary>The parameter tensor <paramref name="name"/> as an ONNX constant of the same name and shape.</summary>
        public string Parameter(string name) => Constant(Find(name, _parameters, "parameter"), _network.Parameters);

        /// <summary>The buffer tensor <paramref name="name"/> (e.g. a running mean) as an ONNX constant.</summary>
        public string Buffer(string name) => Constant(Find(name, _buffers, "buffer"), _network.Buffers);

        /// <summary>A copy of the parameter tensor <paramref name="name"/> and its shape, for lowerings that rearrange it.</summary>
        public float[] ParameterValues(string name, out int[] shape)
        {
            ParameterTensor tensor = Find(name, _parameters, "parameter");
            shape = tensor.Shape.ToArray();
            return tensor.Of(_network.Parameters).ToArray();
        }

        /// <summary><c>x·Wᵀ + b</c> with the PyTorch-shaped <c>W [out, in]</c>: Gemm on <c>[B, in]</c>, MatMul and Add on <c>[B, T, in]</c>.</summary>
        public string Linear(string x, string weight, string bias, bool sequence)
        {
            if (!sequence)
            {
                return Graph.Op("Gemm", new[] { x, Parameter(weight), Parameter(bias) }, OnnxAttribute.Int("transB", 1));
            }
            string product = Graph.Op("MatMul", new[] { x, Transposed(weight) });
            return Graph.Op("Add", new[] { product, Parameter(bias) });
        }

        /// <summary><paramref name="x"/> through <paramref name="activation"/> as NetGen computes it (Softmax over the last axis).</summary>
        public string Activate(string x, Activation activation, LayerArchitecture layer) => activation switch
        {
            Activation.None => x,
            Activation.ReLU => Graph.Op("Relu", new[] { x }),
            Activation.LeakyReLU => Graph.Op("LeakyRelu", new[] { x }, OnnxAttribute.Float("alpha", Activations.LeakySlope)),
            Activation.Sigmoid => Graph.Op("Sigmoid", new[] { x }),
            Activation.Tanh => Graph.Op("Tanh", new[] { x }),
            Activation.Softmax => Graph.Op("Softmax", new[] { x }, OnnxAttribute.Int("axis", -1)),
            Activation.Gelu => Gelu(x),
            _ => throw Unsupported(layer, $"activation {activation} has no ONNX form here"),
        };

        /// <summary>
        /// <c>[B, T]</c> floats, 1 where the token is the network's padding id, 0 elsewhere; built once from the input.
        /// </summary>
        public string PaddingMask()
        {
            if (_padding is null)
            {
                string saved = Graph.Scope;
                Graph.Scope = "padding_mask";
                string pad = Graph.Longs(new long[] { Architecture.PaddingIndex }, scalar: true);
                string isPad = Graph.Op("Equal", new[] { Input, pad });
                _padding = Graph.Op("Cast", new[] { isPad }, OnnxAttribute.Int("to", (int)OnnxType.Float));
                Graph.Scope = saved;
            }
            return _padding;
        }

        /// <summary>Whether the network masks padding tokens (a token input with an Embedding padding id).</summary>
        public bool MasksPadding => Architecture.TokenInputs && Architecture.PaddingIndex >= 0;

        /// <summary><c>x</c> reshaped to <paramref name="shape"/> (0 keeps the input's dimension, −1 is inferred).</summary>
        public string Reshape(string x, params long[] shape) => Graph.Op("Reshape", new[] { x, Graph.Longs(shape) });

        /// <summary><c>x</c> with its axes permuted.</summary>
        public string Transpose(string x, params long[] perm) => Graph.Op("Transpose", new[] { x }, OnnxAttribute.Ints("perm", perm));

        /// <summary>Whether a layer's per-sample shape is a sequence <c>[T, D]</c>.</summary>
        public static bool IsSequence(IReadOnlyList<int> shape) => shape.Count == 2;

        /// <summary>The exact GELU NetGen uses: <c>x·Φ(x) = 0.5·x·(1 + erf(x/√2))</c> (opset 17 has no Gelu operator).</summary>
        private string Gelu(string x)
        {
            string scaled = Graph.Op("Mul", new[] { x, Graph.Scalar((float)(1 / Math.Sqrt(2))) });
            string erf = Graph.Op("Erf", new[] { scaled });
            string onePlus = Graph.Op("Add", new[] { erf, Graph.Scalar(1f) });
            string half = Graph.Op("Mul", new[] { x, Graph.Scalar(0.5f) });
            return Graph.Op("Mul", new[] { half, onePlus });
        }

        /// <summary>The parameter <c>W [out, in]</c> as a constant <c>Wᵀ [in, out]</c> named <c>{name}^T</c>.</summary>
        private string Transposed(string name)
        {
            string key = name + "^T";
            if (!_constants.TryGetValue(key, out string? constant))
            {
                float[] w = ParameterValues(name, out int[] shape);
                constant = TransposedConstant(key, w, shape[0], shape[1]);
                _constants[key] = constant;
            }
            return constant;
        }

        /// <summary>A constant <c>Mᵀ [columns, rows]</c> from the row-major <c>M [rows, columns]</c> in <paramref name="matrix"/>.</summary>
        public string TransposedConstant(string name, ReadOnlySpan<float> matrix, int rows, int columns)
        {
            var t = new float[rows * columns];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    t[c * rows + r] = matrix[r * columns + c];
                }
            }
            return Graph.Floats(name, new[] { columns, rows }, t);
        }

        private string Constant(ParameterTensor tensor, Span<float> buffer)
        {
            if (!_constants.TryGetValue(tensor.Name, out string? constant))
            {
                constant = Graph.Floats(tensor.Name, tensor.Shape.AsSpan(), tensor.Of(buffer));
                _constants[tensor.Name] = constant;
            }
            return constant;
        }

        private ParameterTensor Find(string name, Dictionary<string, ParameterTensor> tensors, string what) =>
            tensors.TryGetValue(name, out ParameterTensor? tensor)
                ? tensor
                : throw new InvalidOperationException(
                    $"Network '{Architecture.Name}' has no {what} tensor '{name}' (it has: {string.Join(", ", tensors.Keys)}).");

        private static int?[] Batched(IReadOnlyList<int> shape) =>
            new int?[] { null }.Concat(shape.Select(d => (int?)d)).ToArray();

        /// <summary>Invariant text of an integer, for names.</summary>
        public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}

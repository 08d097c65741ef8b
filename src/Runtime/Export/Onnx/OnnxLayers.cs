using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Export.Onnx
{
    /// <summary>
    /// The ONNX form of the layers that map to one operator or a few: one method per layer kind. Shapes in the
    /// comments include the batch: images <c>[B, C, H, W]</c> (NCHW, as <c>Forward</c> takes them), sequences
    /// <c>[B, T, D]</c>, token ids <c>[B, T]</c>.
    /// </summary>
    internal static class OnnxLayers
    {
        /// <summary><c>[B, in] → [B, units]</c> (Gemm), or <c>[B, T, in] → [B, T, units]</c> at every step; then the activation.</summary>
        public static string Dense(OnnxLowering lowering, LayerArchitecture layer, string x)
        {
            string y = lowering.Linear(x, layer.Name + ".weight", layer.Name + ".bias", OnnxLowering.IsSequence(layer.InputShape));
            return lowering.Activate(y, layer.Activation(), layer);
        }

        /// <summary><c>[B, …] → [B, prod(…)]</c>, row-major like NetGen's (and PyTorch's) flattening of NCHW.</summary>
        public static string Flatten(OnnxLowering lowering, LayerArchitecture layer, string x) =>
            lowering.Graph.Op("Flatten", new[] { x }, OnnxAttribute.Int("axis", 1));

        /// <summary>Identity in inference: no node.</summary>
        public static string Dropout(OnnxLowering lowering, LayerArchitecture layer, string x) => x;

        /// <summary><c>[B, C, H, W] → [B, F, H', W']</c>: Conv with the layer's padding, stride, dilation and (optional) bias, then the activation.</summary>
        public static string Conv2D(OnnxLowering lowering, LayerArchitecture layer, string x)
        {
            int kernel = layer.Int("kernel"), stride = layer.Int("stride"), dilation = layer.Int("dilation");
            int top = layer.Int("padTop"), left = layer.Int("padLeft"), bottom = layer.Int("padBottom"), right = layer.Int("padRight");
            CheckSpatial(layer, (kernel - 1) * dilation + 1, stride, top, bottom, left, right);
            var inputs = new List<string> { x, lowering.Parameter(layer.Name + ".weight") };
            if (layer.Bool("bias"))
            {
                inputs.Add(lowering.Parameter(layer.Name + ".bias"));
            }
            string y = lowering.Graph.Op("Conv", inputs.ToArray(),
                OnnxAttribute.Ints("kernel_shape", kernel, kernel),
                OnnxAttribute.Ints("strides", stride, stride),
                OnnxAttribute.Ints("dilations", dilation, dilation),
                OnnxAttribute.Ints("pads", top, left, bottom, right));
            return lowering.Activate(y, layer.Activation(), layer);
        }

        /// <summary><c>[B, C, H, W] → [B, C, H', W']</c>, padding never winning (ONNX pads MaxPool with −∞).</summary>
        public static string MaxPool2D(OnnxLowering lowering, LayerArchitecture layer, string x) => Pool(lowering, layer, x, "MaxPool");

        /// <summary>Like <see cref="MaxPool2D"/>; the mean divides by the whole window, padding included (NetGen's and PyTorch's default).</summary>
        public static string AvgPool2D(OnnxLowering lowering, LayerArchitecture layer, string x) =>
            Pool(lowering, layer, x, "AveragePool", OnnxAttribute.Int("count_include_pad", 1));

        /// <summary><c>[B, C, H, W] → [B, C]</c>.</summary>
        public static string GlobalAveragePool2D(OnnxLowering lowering, LayerArchitecture layer, string x)
        {
            string pooled = lowering.Graph.Op("GlobalAveragePool", new[] { x });
            return lowering.Graph.Op("Flatten", new[] { pooled }, OnnxAttribute.Int("axis", 1));
        }

        /// <summary>
        /// Inference batch norm with the running statistics, per channel of <c>[B, C, H, W]</c> or per feature of
        /// <c>[B, F]</c>, then the activation.
        /// </summary>
        public static string BatchNorm(OnnxLowering lowering, LayerArchitecture layer, string x)
        {
            string name = layer.Name;
            string y = lowering.Graph.Op("BatchNormalization",
                new[]
                {
                    x, lowering.Parameter(name + ".weight"), lowering.Parameter(name + ".bias"),
                    lowering.Buffer(name + ".running_mean"), lowering.Buffer(name + ".running_var"),
                },
                OnnxAttribute.Float("epsilon", layer.Float("epsilon")));
            return lowering.Activate(y, layer.Activation(), layer);
        }

        /// <summary>Token ids <c>[B, T]</c> → <c>[B, T, D]</c>: rows of the table (the padding row is whatever the table holds, as in NetGen).</summary>
        public static string Embedding(OnnxLowering lowering, LayerArchitecture layer, string tokens) =>
            lowering.Graph.Op("Gather", new[] { lowering.Parameter(layer.Name + ".weight"), tokens }, OnnxAttribute.Int("axis", 0));

        /// <summary>Normalizes the last axis of <c>[B, T, D]</c> (or <c>[B, D]</c>) with the layer's scale and shift.</summary>
        public static string LayerNorm(OnnxLowering lowering, LayerArchitecture layer, string x) =>
            lowering.Graph.Op("LayerNormalization",
                new[] { x, lowering.Parameter(layer.Name + ".weight"), lowering.Parameter(layer.Name + ".bias") },
                OnnxAttribute.Int("axis", -1),
                OnnxAttribute.Float("epsilon", layer.Float("epsilon")));

        /// <summary><c>[B, T, D] + table [T, D]</c>: the learned table, or the sinusoidal one computed by NetGen's own kernel.</summary>
        public static string PositionalEmbedding(OnnxLowering lowering, LayerArchitecture layer, string x)
        {
            string table;
            if (layer.Bool("sinusoidal"))
            {
                int steps = layer.InputShape[0], features = layer.InputShape[1];
                table = lowering.Graph.Floats(layer.Name + ".table", new[] { steps, features }, Positional.Sinusoidal(steps, features));
            }
            else
            {
                table = lowering.Parameter(layer.Name + ".weight");
            }
            return lowering.Graph.Op("Add", new[] { x, table });
        }

        /// <summary>
        /// <c>[B, T, D] → [B, D]</c>: the mean over time; when the network masks padding, the mean over each sample's
        /// non-padding steps (<c>Σ keep·x / Σ keep</c>).
        /// </summary>
        public static string GlobalAveragePool1D(OnnxLowering lowering, LayerArchitecture layer, string x)
        {
            OnnxGraph graph = lowering.Graph;
            if (!lowering.MasksPadding)
            {
                return graph.Op("ReduceMean", new[] { x }, OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
            }
            string keep = graph.Op("Sub", new[] { graph.Scalar(1f), lowering.PaddingMask() });           // [B, T]
            string keep3 = graph.Op("Unsqueeze", new[] { keep, graph.Longs(new long[] { 2 }) });          // [B, T, 1]
            string sum = graph.Op("ReduceSum", new[] { graph.Op("Mul", new[] { x, keep3 }), graph.Longs(new long[] { 1 }) },
                OnnxAttribute.Int("keepdims", 0));                                                       // [B, D]
            string count = graph.Op("ReduceSum", new[] { keep, graph.Longs(new long[] { 1 }) },
                OnnxAttribute.Int("keepdims", 1));                                                       // [B, 1]
            return graph.Op("Div", new[] { sum, count });
        }

        /// <summary>
        /// A window lowering: pads on the top and left as the layer states, and on the bottom and right the same,
        /// which with ONNX's floor rounding must give the layer's output size.
        /// </summary>
        private static string Pool(OnnxLowering lowering, LayerArchitecture layer, string x, string op, params OnnxAttribute[] extra)
        {
            int size = layer.Int("size"), stride = layer.Int("stride"), pad = layer.Int("pad");
            CheckSpatial(layer, size, stride, pad, pad, pad, pad);
            var attributes = new List<OnnxAttribute>
            {
                OnnxAttribute.Ints("kernel_shape", size, size),
                OnnxAttribute.Ints("strides", stride, stride),
                OnnxAttribute.Ints("pads", pad, pad, pad, pad),
            };
            attributes.AddRange(extra);
            return lowering.Graph.Op(op, new[] { x }, attributes.ToArray());
        }

        /// <summary>Throws unless ONNX's output size <c>⌊(H + pads − window)/stride⌋ + 1</c> is the layer's.</summary>
        private static void CheckSpatial(LayerArchitecture layer, int window, int stride, int top, int bottom, int left, int right)
        {
            IReadOnlyList<int> input = layer.InputShape, output = layer.OutputShape;
            int height = (input[1] + top + bottom - window) / stride + 1;
            int width = (input[2] + left + right - window) / stride + 1;
            if (height != output[1] || width != output[2])
            {
                throw OnnxLowering.Unsupported(layer,
                    $"its output [{output[1]}, {output[2]}] is not the [{height}, {width}] ONNX computes from input [{input[1]}, {input[2]}], " +
                    $"window {window}, stride {stride} and padding {top}/{left}/{bottom}/{right}");
            }
        }
    }
}

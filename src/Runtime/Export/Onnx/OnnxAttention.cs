using System;

namespace NetGen.Export.Onnx
{
    /// <summary>
    /// Self-attention and the Transformer encoder block, from primitive operators (opset 17 has no attention
    /// operator), exactly as NetGen computes them: <c>S = q·kᵀ/√dh</c> per head, masked keys (causal, padding)
    /// at <see cref="OnnxLowering.MaskedScore"/>, softmax over the keys, <c>P·v</c>, the heads side by side, the
    /// output projection. A query row that sees no key at all (a causal row before the first real token) gets
    /// P = 0, as in NetGen.
    /// </summary>
    internal static class OnnxAttention
    {
        /// <summary><c>[B, T, D] → [B, T, D]</c>: <c>nn.MultiheadAttention</c> used as <c>attn(x, x, x)</c>.</summary>
        public static string MultiHeadAttention(OnnxLowering lowering, LayerArchitecture layer, string x) =>
            Attend(lowering, layer, x, layer.Name + ".", layer.Int("heads"), layer.Bool("causal"));

        /// <summary>
        /// <c>[B, T, D] → [B, T, D]</c>: <c>nn.TransformerEncoderLayer(batch_first=True)</c> in inference. Post-norm:
        /// <c>x = norm1(x + attn(x)); x = norm2(x + ff(x))</c>; pre-norm: <c>x = x + attn(norm1(x)); x = x + ff(norm2(x))</c>;
        /// <c>ff = linear2(activation(linear1(·)))</c>.
        /// </summary>
        public static string TransformerEncoder(OnnxLowering lowering, LayerArchitecture layer, string x)
        {
            OnnxGraph graph = lowering.Graph;
            string name = layer.Name;
            int heads = layer.Int("heads");
            bool causal = layer.Bool("causal");
            float epsilon = layer.Float("epsilon");
            Activation activation = layer.Activation();
            if (activation is not (Activation.ReLU or Activation.Gelu))
            {
                throw OnnxLowering.Unsupported(layer, $"the feed-forward activation {activation} is not ReLU or Gelu");
            }
            string Norm(string v, string norm) => graph.Op("LayerNormalization",
                new[] { v, lowering.Parameter($"{name}.{norm}.weight"), lowering.Parameter($"{name}.{norm}.bias") },
                OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", epsilon));
            string FeedForward(string v)
            {
                string hidden = lowering.Linear(v, name + ".linear1.weight", name + ".linear1.bias", sequence: true);
                return lowering.Linear(lowering.Activate(hidden, activation, layer), name + ".linear2.weight", name + ".linear2.bias", sequence: true);
            }
            string Add(string a, string b) => graph.Op("Add", new[] { a, b });

            if (layer.Bool("normFirst"))
            {
                string x1 = Add(x, Attend(lowering, layer, Norm(x, "norm1"), name + ".self_attn.", heads, causal));
                return Add(x1, FeedForward(Norm(x1, "norm2")));
            }
            string y1 = Norm(Add(x, Attend(lowering, layer, x, name + ".self_attn.", heads, causal)), "norm1");
            return Norm(Add(y1, FeedForward(y1)), "norm2");
        }

        /// <summary>Self-attention of <c>x [B, T, D]</c> with the tensors <c>{prefix}in_proj_weight</c>, … .</summary>
        private static string Attend(OnnxLowering lowering, LayerArchitecture layer, string x, string prefix, int heads, bool causal)
        {
            OnnxGraph graph = lowering.Graph;
            int steps = layer.InputShape[0], features = layer.InputShape[1];
            if (heads < 1 || features % heads != 0)
            {
                throw OnnxLowering.Unsupported(layer, $"{features} features do not split into {heads} heads");
            }
            int headDim = features / heads;
            float[] inWeight = lowering.ParameterValues(prefix + "in_proj_weight", out _);      // [3D, D]: q | k | v rows
            float[] inBias = lowering.ParameterValues(prefix + "in_proj_bias", out _);          // [3D]
            string Project(int part, long[] perm)
            {
                string name = prefix + "in_proj_" + "qkv"[part];
                string w = lowering.TransposedConstant(name + "^T", inWeight.AsSpan(part * features * features, features * features), features, features);
                string b = graph.Floats(name + ".bias", new[] { features }, inBias.AsSpan(part * features, features));
                string projected = graph.Op("Add", new[] { graph.Op("MatMul", new[] { x, w }), b });        // [B, T, D]
                return lowering.Transpose(lowering.Reshape(projected, 0, steps, heads, headDim), perm);
            }
            string q = Project(0, new long[] { 0, 2, 1, 3 });                                    // [B, h, T, dh]
            string k = Project(1, new long[] { 0, 2, 3, 1 });                                    // [B, h, dh, T]
            string v = Project(2, new long[] { 0, 2, 1, 3 });                                    // [B, h, T, dh]

            string scores = graph.Op("Mul", new[] { graph.Op("MatMul", new[] { q, k }), graph.Scalar((float)(1 / Math.Sqrt(headDim))) });
            if (causal)
            {
                scores = graph.Op("Add", new[] { scores, CausalMask(lowering, steps) });        // + [T, T]
            }
            if (lowering.MasksPadding)
            {
                string masked = graph.Op("Mul", new[] { lowering.PaddingMask(), graph.Scalar(OnnxLowering.MaskedScore) });
                scores = graph.Op("Add", new[] { scores, lowering.Reshape(masked, 0, 1, 1, steps) }); // + [B, 1, 1, T]
            }
            string probabilities = graph.Op("Softmax", new[] { scores }, OnnxAttribute.Int("axis", -1));
            if (causal && lowering.MasksPadding)
            {
                probabilities = graph.Op("Mul", new[] { probabilities, Visible(lowering, steps) });  // rows with no key → 0
            }
            string heads4 = graph.Op("MatMul", new[] { probabilities, v });                      // [B, h, T, dh]
            string joined = lowering.Reshape(lowering.Transpose(heads4, 0, 2, 1, 3), 0, steps, features); // [B, T, D]
            return lowering.Linear(joined, prefix + "out_proj.weight", prefix + "out_proj.bias", sequence: true);
        }

        /// <summary><c>[T, T]</c>: 0 where key j ≤ query i, <see cref="OnnxLowering.MaskedScore"/> above the diagonal.</summary>
        private static string CausalMask(OnnxLowering lowering, int steps)
        {
            var mask = new float[steps * steps];
            for (int i = 0; i < steps; i++)
            {
                for (int j = i + 1; j < steps; j++)
                {
                    mask[i * steps + j] = OnnxLowering.MaskedScore;
                }
            }
            return lowering.Graph.Floats(lowering.Graph.Scope + "/causal_mask", new[] { steps, steps }, mask);
        }

        /// <summary><c>[B, 1, T, T]</c>: 1 where query i sees key j (j ≤ i and j not padding), else 0.</summary>
        private static string Visible(OnnxLowering lowering, int steps)
        {
            OnnxGraph graph = lowering.Graph;
            var lower = new float[steps * steps];
            for (int i = 0; i < steps; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    lower[i * steps + j] = 1f;
                }
            }
            string triangle = graph.Floats(graph.Scope + "/causal_visible", new[] { steps, steps }, lower);
            string keep = graph.Op("Sub", new[] { graph.Scalar(1f), lowering.PaddingMask() });    // [B, T]
            return graph.Op("Mul", new[] { triangle, lowering.Reshape(keep, 0, 1, 1, steps) });
        }
    }
}

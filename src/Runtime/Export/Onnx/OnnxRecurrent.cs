using System;

namespace NetGen.Export.Onnx
{
    /// <summary>
    /// LSTM and GRU layers as ONNX's LSTM and GRU operators, one per stacked layer, over time-major
    /// <c>[T, B, D]</c>. PyTorch's gate blocks are reordered to ONNX's: LSTM <c>i, f, g, o → i, o, f, c</c>,
    /// GRU <c>r, z, n → z, r, h</c>; the GRU applies its reset gate after the hidden product
    /// (<c>linear_before_reset = 1</c>), as PyTorch and NetGen do.
    /// </summary>
    internal static class OnnxRecurrent
    {
        /// <summary>For each ONNX gate block, the PyTorch block it takes.</summary>
        private static readonly int[] LstmGates = { 0, 3, 1, 2 }, GruGates = { 1, 0, 2 };

        /// <summary><c>[B, T, D] → [B, T, H]</c> (every step) or <c>[B, H]</c> (the last).</summary>
        public static string Lstm(OnnxLowering lowering, LayerArchitecture layer, string x) => Recurrent(lowering, layer, x, "LSTM", LstmGates);

        /// <summary><c>[B, T, D] → [B, T, H]</c> (every step) or <c>[B, H]</c> (the last).</summary>
        public static string Gru(OnnxLowering lowering, LayerArchitecture layer, string x) => Recurrent(lowering, layer, x, "GRU", GruGates);

        private static string Recurrent(OnnxLowering lowering, LayerArchitecture layer, string x, string op, int[] gates)
        {
            OnnxGraph graph = lowering.Graph;
            int units = layer.Int("units"), layers = layer.Int("layers");
            string sequence = lowering.Transpose(x, 1, 0, 2);                                  // [T, B, D]
            string last = "";
            for (int l = 0; l < layers; l++)
            {
                string suffix = "_l" + OnnxLowering.Text(l);
                string w = Weights(lowering, layer.Name + ".weight_ih" + suffix, gates, units);   // [1, G·H, D]
                string r = Weights(lowering, layer.Name + ".weight_hh" + suffix, gates, units);   // [1, G·H, H]
                string b = Biases(lowering, layer.Name, suffix, gates, units);                   // [1, 2·G·H]
                var attributes = op == "GRU"
                    ? new[] { OnnxAttribute.Int("hidden_size", units), OnnxAttribute.Int("linear_before_reset", 1) }
                    : new[] { OnnxAttribute.Int("hidden_size", units) };
                string[] outputs = graph.Op(op, new[] { sequence, w, r, b }, 2, attributes);        // Y [T, 1, B, H], Y_h [1, B, H]
                sequence = graph.Op("Squeeze", new[] { outputs[0], graph.Longs(new long[] { 1 }) }); // [T, B, H]
                last = outputs[1];
            }
            return layer.Bool("returnSequences")
                ? lowering.Transpose(sequence, 1, 0, 2)                                                  // [B, T, H]
                : graph.Op("Squeeze", new[] { last, graph.Longs(new long[] { 0 }) });                    // [B, H]
        }

        /// <summary>PyTorch's <c>[G·H, in]</c> weight with its gate blocks in ONNX's order, as <c>[1, G·H, in]</c>.</summary>
        private static string Weights(OnnxLowering lowering, string name, int[] gates, int units)
        {
            float[] w = lowering.ParameterValues(name, out int[] shape);
            float[] reordered = Reorder(w, gates, units * shape[1]);
            return lowering.Graph.Floats(name + "(onnx)", new[] { 1, shape[0], shape[1] }, reordered);
        }

        /// <summary>ONNX's <c>B [1, 2·G·H]</c>: the input biases then the hidden biases, each reordered.</summary>
        private static string Biases(OnnxLowering lowering, string layer, string suffix, int[] gates, int units)
        {
            float[] input = Reorder(lowering.ParameterValues(layer + ".bias_ih" + suffix, out _), gates, units);
            float[] hidden = Reorder(lowering.ParameterValues(layer + ".bias_hh" + suffix, out _), gates, units);
            var both = new float[input.Length + hidden.Length];
            input.CopyTo(both, 0);
            hidden.CopyTo(both, input.Length);
            return lowering.Graph.Floats(layer + ".bias" + suffix + "(onnx)", new[] { 1, both.Length }, both);
        }

        /// <summary>Block <c>j</c> of the result is block <c>gates[j]</c> of <paramref name="values"/>, blocks of <paramref name="block"/> values.</summary>
        private static float[] Reorder(float[] values, int[] gates, int block)
        {
            var reordered = new float[values.Length];
            for (int j = 0; j < gates.Length; j++)
            {
                Array.Copy(values, gates[j] * block, reordered, j * block, block);
            }
            return reordered;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit
{
    /// <summary>The Keras-style summary table, computed entirely at compile time.</summary>
    internal static class SummaryEmitter
    {
        public static string Table(NetworkSpec spec)
        {
            var rows = new List<(string Layer, string Shape, string Params)>
            {
                ("input (Input)", spec.Input.ToString(), "0"),
            };
            foreach (LayerSpec layer in spec.Layers)
            {
                string type = layer.Detail is null ? layer.Kind : layer.Kind + ", " + layer.Detail;
                rows.Add(($"{layer.Name} ({type})", layer.Output.ToString(), Format.Count(layer.ParameterCount)));
            }
            const string LayerHeader = "Layer (type)", ShapeHeader = "Output shape", ParamsHeader = "Param #";
            int layerWidth = Math.Max(LayerHeader.Length, rows.Max(r => r.Layer.Length)) + 3;
            int shapeWidth = Math.Max(ShapeHeader.Length, rows.Max(r => r.Shape.Length)) + 3;
            int paramsWidth = Math.Max(ParamsHeader.Length, rows.Max(r => r.Params.Length));
            int width = layerWidth + shapeWidth + paramsWidth;

            var text = new StringBuilder();
            text.Append("Network: ").Append(spec.DisplayName).Append('\n');
            text.Append(new string('_', width)).Append('\n');
            text.Append(LayerHeader.PadRight(layerWidth)).Append(ShapeHeader.PadRight(shapeWidth)).Append(ParamsHeader.PadLeft(paramsWidth)).Append('\n');
            text.Append(new string('=', width)).Append('\n');
            foreach (var (layer, shape, parameters) in rows)
            {
                text.Append(layer.PadRight(layerWidth)).Append(shape.PadRight(shapeWidth)).Append(parameters.PadLeft(paramsWidth)).Append('\n');
            }
            text.Append(new string('=', width)).Append('\n');
            text.Append("Total params: ").Append(Format.Count(spec.ParameterCount))
                .Append(" (").Append(Bytes(4L * spec.ParameterCount)).Append(" as float32)").Append('\n');
            text.Append("Loss: ").Append(spec.Loss).Append('\n');
            text.Append("Forward FLOPs per sample: ").Append(Format.Count(spec.Layers.Sum(l => l.ForwardFlopsPerSample))).Append('\n');
            text.Append(new string('_', width)).Append('\n');
            return text.ToString();
        }

        private static string Bytes(long bytes) =>
            bytes < 1024 ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : bytes < 1024 * 1024 ? (bytes / 1024.0).ToString("0.00", CultureInfo.InvariantCulture) + " KB"
            : (bytes / (1024.0 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " MB";
    }
}

using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers
{
    /// <summary>[GlobalAveragePool2D], [BatchNorm] and [Dropout]: the layers that keep or reduce a shape without a window.</summary>
    internal static class NormalizationRules
    {
        /// <summary>[C, H, W] → [C].</summary>
        public static GlobalAveragePoolSpec? GlobalAveragePool(LayerAttribute pool, TensorType? input, string name, string identifier, CheckContext context) =>
            input is null || !SpatialRules.RequireSpatial(pool, input, name, context)
                ? null
                : new GlobalAveragePoolSpec(name, identifier, input, TensorType.Vector(input.Dims[0]));

        /// <summary>Features [F] or channels [C, H, W]; momentum in [0, 1]; epsilon above 0.</summary>
        public static BatchNormSpec? BatchNorm(LayerAttribute bn, TensorType? input, string name, string identifier, CheckContext context)
        {
            float? momentum = context.CheckedFloat(bn, "Momentum", $"The momentum of BatchNorm '{name}'", 0.1f, v => v >= 0 && v <= 1, "in [0, 1]");
            float? epsilon = context.Epsilon(bn, name);
            ActivationKind? activation = context.Enum(bn, "Activation", "Activation", ActivationKind.None);
            if (activation == ActivationKind.Softmax)
            {
                context.Report(DiagnosticDescriptors.ActivationNotAvailable, bn.LocationOf("Activation"), "BatchNorm", name);
                activation = null;
            }
            if (input is null || momentum is null || epsilon is null || activation is null)
            {
                return null;
            }
            if (!input.IsFlat && !input.IsImage)
            {
                context.Report(DiagnosticDescriptors.BatchNormInput, bn.Location, name, input);
                return null;
            }
            return new BatchNormSpec(name, identifier, input, input, input.Dims[0], momentum.Value, epsilon.Value, activation.Value);
        }

        /// <summary>A rate in [0, 1); the shape passes through.</summary>
        public static DropoutSpec? Dropout(LayerAttribute dropout, TensorType? input, string name, string identifier, CheckContext context)
        {
            float? rate = dropout.Float("rate");
            if (rate is null)
            {
                return null;
            }
            if (!(rate >= 0 && rate < 1))
            {
                context.Report(DiagnosticDescriptors.DropoutRate, dropout.LocationOf("rate"), name,
                    rate.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                return null;
            }
            return input is null ? null : new DropoutSpec(name, identifier, input, input, rate.Value);
        }
    }
}

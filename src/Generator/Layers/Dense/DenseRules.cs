using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers
{
    /// <summary>[Dense(units, activation)]: a positive unit count, a flat input or a sequence (then per step), defined enum values.</summary>
    internal static class DenseRules
    {
        public static DenseSpec? Check(LayerAttribute dense, TensorType? input, string name, string identifier, CheckContext context)
        {
            int? units = context.PositiveInt(dense, "units", $"The unit count of Dense layer '{name}'");
            ActivationKind? activation = context.Enum(dense, "activation", "Activation", ActivationKind.None);
            InitializerKind? init = context.Enum(dense, "Init", "Initializer", InitializerKind.Default);
            if (input is null || units is null || activation is null || init is null)
            {
                return null;
            }
            if (!input.IsFlat && !input.IsSequence)
            {
                context.Report(DiagnosticDescriptors.DenseNeedsFlatInput, dense.Location, name, input, input.Size);
                return null;
            }
            // On a sequence [T, D] the layer applies at every time step: [T, D] -> [T, units].
            int inFeatures = input.Features;
            long weights = (long)units.Value * inFeatures;
            if (weights > int.MaxValue)
            {
                context.Report(DiagnosticDescriptors.NetworkTooLarge, dense.LocationOf("units"),
                    $"The weight count of Dense layer '{name}' ({units} × {inFeatures})", weights, int.MaxValue);
                return null;
            }
            TensorType output = input.IsSequence ? TensorType.Sequence(input.Dims[0], units.Value) : TensorType.Vector(units.Value);
            return new DenseSpec(name, identifier, input, output, inFeatures, units.Value, activation.Value, init.Value);
        }
    }
}

using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers
{
    /// <summary>[Flatten]: any input becomes [B, size]; warns when the input is already flat.</summary>
    internal static class FlattenRules
    {
        public static FlattenSpec? Check(LayerAttribute flatten, TensorType? input, string name, string identifier, CheckContext context)
        {
            if (input is null)
            {
                return null;
            }
            if (input.IsFlat)
            {
                context.Report(DiagnosticDescriptors.FlattenHasNoEffect, flatten.Location, name, input);
            }
            return new FlattenSpec(name, identifier, input, TensorType.Vector((int)input.Size));
        }
    }
}

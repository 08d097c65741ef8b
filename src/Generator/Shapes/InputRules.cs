using NetGen.Generator.Model;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Shapes
{
    /// <summary>[Input(params int[] shape)]: at least one dimension, each positive.</summary>
    internal static class InputRules
    {
        public static TensorType? Check(LayerAttribute input, CheckContext context)
        {
            Argument? shape = input["shape"];
            if (shape is null)
            {
                return null;
            }
            if (shape.Elements.IsDefaultOrEmpty)
            {
                context.Report(DiagnosticDescriptors.InputWithoutDimensions, input.Location);
                return null;
            }
            var dims = new int[shape.Elements.Length];
            bool valid = true;
            long size = 1;
            double exactSize = 1; // for the message only
            for (int i = 0; i < dims.Length; i++)
            {
                if (shape.Elements[i] is not int d)
                {
                    return null;
                }
                if (d <= 0)
                {
                    context.Report(DiagnosticDescriptors.NonPositiveSize, shape.ElementLocation(i),
                        dims.Length == 1 ? "The input size" : $"Input dimension {i}", d);
                    valid = false;
                }
                dims[i] = d;
                // Multiplied one dimension at a time and stopped at the limit, so it cannot wrap.
                size = d > 0 && size <= int.MaxValue ? size * d : size;
                exactSize *= d;
            }
            if (!valid)
            {
                return null;
            }
            if (size > int.MaxValue)
            {
                context.Report(DiagnosticDescriptors.NetworkTooLarge, input.Location, "The input size", exactSize, int.MaxValue);
                return null;
            }
            return TensorType.FromInput(dims);
        }
    }
}

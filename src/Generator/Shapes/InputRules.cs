using NetGen.Generator.Model;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Shapes
{
    /// <summary>[Input(params int[] shape)]: at least one dimension, each positive; or [TokenInput(sequenceLength, vocabularySize)].</summary>
    internal static class InputRules
    {
        /// <summary>Whether the attribute declares the network's input ([Input] or [TokenInput]).</summary>
        public static bool IsInput(LayerAttribute attribute) => attribute.Kind is "Input" or "TokenInput";

        /// <summary>[TokenInput(sequenceLength, vocabularySize)]: both at least 1; sets the vocabulary the embedding reads.</summary>
        private static TensorType? CheckTokens(LayerAttribute input, CheckContext context)
        {
            int? steps = context.PositiveInt(input, "sequenceLength", "The sequence length of [TokenInput]");
            int? vocabulary = context.PositiveInt(input, "vocabularySize", "The vocabulary size of [TokenInput]");
            if (steps is null || vocabulary is null)
            {
                return null;
            }
            context.Vocabulary = vocabulary.Value;
            return TensorType.Tokens(steps.Value);
        }

        public static TensorType? Check(LayerAttribute input, CheckContext context)
        {
            if (input.Kind == "TokenInput")
            {
                return CheckTokens(input, context);
            }
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

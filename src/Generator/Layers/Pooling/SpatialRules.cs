using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers
{
    /// <summary>What the spatial layers share: a [C, H, W] input and the output-size arithmetic.</summary>
    internal static class SpatialRules
    {
        /// <summary>True if <paramref name="input"/> is [C, H, W]; otherwise reports NG0027.</summary>
        public static bool RequireSpatial(LayerAttribute attribute, TensorType input, string name, CheckContext context)
        {
            if (input.IsImage)
            {
                return true;
            }
            context.Report(DiagnosticDescriptors.NeedsSpatialInput, attribute.Location, attribute.Kind, name, input);
            return false;
        }

        /// <summary>
        /// ⌊(size + padding − extent)/stride⌋ + 1 output positions along one axis, where extent is the
        /// window's reach ((kernel − 1)·dilation + 1); null when no window fits.
        /// </summary>
        public static int? OutputSize(int size, int padding, int extent, int stride)
        {
            long span = (long)size + padding - extent;
            return span < 0 ? null : (int)(span / stride + 1);
        }
    }
}

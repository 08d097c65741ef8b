using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// [MaxPool2D(size)], [AvgPool2D(size)]: a positive window, a stride (the window unless set), a
    /// padding of at most half the window (PyTorch's rule), and a [C, H, W] input the window fits.
    /// </summary>
    internal static class PoolRules
    {
        public static Pool2DSpec? Check(LayerAttribute pool, PoolKind kind, TensorType? input, string name, string identifier, CheckContext context)
        {
            int? size = context.PositiveInt(pool, "size", $"The window of {pool.Kind} '{name}'");
            // Stride 0 (the attribute's default) means "the window size".
            int? stride = context.CheckedInt(pool, "Stride", $"The stride of {pool.Kind} '{name}'", 0, v => v >= 0, "at least 1 (or 0 for the window size)");
            int? pad = context.CheckedInt(pool, "Pad", $"The padding of {pool.Kind} '{name}'", 0, v => v >= 0, "at least 0");
            if (size is not null && pad is not null && pad > size / 2)
            {
                context.Report(DiagnosticDescriptors.InvalidValue, pool.LocationOf("Pad"), $"The padding of {pool.Kind} '{name}'",
                    $"at most half the window ({size / 2})", pad);
                pad = null;
            }
            if (input is null || size is null || stride is null || pad is null || !SpatialRules.RequireSpatial(pool, input, name, context))
            {
                return null;
            }
            int step = stride == 0 ? size.Value : stride.Value;
            int? outHeight = SpatialRules.OutputSize(input.Dims[1], 2 * pad.Value, size.Value, step);
            int? outWidth = SpatialRules.OutputSize(input.Dims[2], 2 * pad.Value, size.Value, step);
            if (outHeight is null || outWidth is null)
            {
                context.Report(DiagnosticDescriptors.WindowTooLarge, pool.LocationOf("size"), pool.Kind, name, $"{size}×{size}", input,
                    (long)input.Dims[1] + 2 * pad.Value, (long)input.Dims[2] + 2 * pad.Value);
                return null;
            }
            return new Pool2DSpec(name, identifier, input, TensorType.Image(input.Dims[0], outHeight.Value, outWidth.Value), kind, size.Value, step, pad.Value);
        }
    }
}

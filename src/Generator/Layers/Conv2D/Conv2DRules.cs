using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// [Conv2D(filters, kernel)]: positive filters, kernel, stride and dilation; Padding or Pad, not
    /// both; a [C, H, W] input that at least one window fits. Same padding splits an odd total like
    /// PyTorch (the extra row/column at the bottom/right) and warns when a stride changes the size.
    /// </summary>
    internal static class Conv2DRules
    {
        public static Conv2DSpec? Check(LayerAttribute conv, TensorType? input, string name, string identifier, CheckContext context)
        {
            int? filters = context.PositiveInt(conv, "filters", $"The filter count of Conv2D '{name}'");
            int? kernel = context.PositiveInt(conv, "kernel", $"The kernel size of Conv2D '{name}'");
            int? stride = context.PositiveInt(conv, "Stride", $"The stride of Conv2D '{name}'", absent: 1);
            int? dilation = context.PositiveInt(conv, "Dilation", $"The dilation of Conv2D '{name}'", absent: 1);
            int? pad = context.CheckedInt(conv, "Pad", $"The padding of Conv2D '{name}'", 0, v => v >= 0, "at least 0");
            PaddingKind? padding = context.Enum(conv, "Padding", "Padding", PaddingKind.Valid);
            ActivationKind? activation = context.Enum(conv, "Activation", "Activation", ActivationKind.None);
            InitializerKind? init = context.Enum(conv, "Init", "Initializer", InitializerKind.Default);
            if (activation == ActivationKind.Softmax)
            {
                context.Report(DiagnosticDescriptors.ActivationNotAvailable, conv.LocationOf("Activation"), "Conv2D", name);
                activation = null;
            }
            if (padding == PaddingKind.Same && pad > 0)
            {
                context.Report(DiagnosticDescriptors.PaddingConflict, conv.LocationOf("Pad"), name);
                padding = null;
            }
            if (input is null || filters is null || kernel is null || stride is null || dilation is null || pad is null
                || padding is null || activation is null || init is null || !SpatialRules.RequireSpatial(conv, input, name, context))
            {
                return null;
            }

            int channels = input.Dims[0], height = input.Dims[1], width = input.Dims[2];
            long extentLong = (long)(kernel.Value - 1) * dilation.Value + 1;
            if (extentLong > int.MaxValue)
            {
                context.Report(DiagnosticDescriptors.NetworkTooLarge, conv.LocationOf("kernel"), $"The reach of Conv2D '{name}''s kernel", extentLong, int.MaxValue);
                return null;
            }
            int extent = (int)extentLong;
            // Same: total padding extent − 1, split top/left ⌊total/2⌋ and bottom/right the rest.
            int total = padding == PaddingKind.Same ? extent - 1 : 2 * pad.Value;
            int before = padding == PaddingKind.Same ? total / 2 : pad.Value;
            int? outHeight = SpatialRules.OutputSize(height, total, extent, stride.Value);
            int? outWidth = SpatialRules.OutputSize(width, total, extent, stride.Value);
            if (outHeight is null || outWidth is null)
            {
                string window = dilation == 1 ? $"{kernel}×{kernel}" : $"{kernel}×{kernel} (dilation {dilation}, reach {extent})";
                context.Report(DiagnosticDescriptors.WindowTooLarge, conv.LocationOf("kernel"), "Conv2D", name, window, input,
                    (long)height + total, (long)width + total);
                return null;
            }
            // Every output row and column must read some of the input: with padding larger than the input can
            // reach, the windows would see zeros only (and the kernels do not run such a convolution).
            if ((long)(outHeight.Value - 1) * stride.Value - before + extent - 1 < 0 || (long)(outWidth.Value - 1) * stride.Value - before + extent - 1 < 0)
            {
                context.Report(DiagnosticDescriptors.InvalidValue, conv.LocationOf(padding == PaddingKind.Same ? "Padding" : "Pad"), $"The padding of Conv2D '{name}'",
                    $"small enough that a window reaches the {height}×{width} input (with stride {stride}, every window here lies in the padding)", before);
                return null;
            }
            var output = TensorType.Image(filters.Value, outHeight.Value, outWidth.Value);
            if (padding == PaddingKind.Same && stride != 1)
            {
                context.Report(DiagnosticDescriptors.SameWithStride, conv.LocationOf("Stride"), stride, name, input, output);
            }
            if ((long)filters * channels * kernel * kernel > int.MaxValue || output.Size > int.MaxValue)
            {
                context.Report(DiagnosticDescriptors.NetworkTooLarge, conv.Location, $"The size of Conv2D '{name}'",
                    System.Math.Max((long)filters * channels * kernel.Value * kernel.Value, output.Size), int.MaxValue);
                return null;
            }
            return new Conv2DSpec(name, identifier, input, output, channels, filters.Value, kernel.Value, stride.Value,
                before, before, total - before, total - before, dilation.Value, activation.Value, conv.Bool("Bias") ?? true, init.Value);
        }
    }
}

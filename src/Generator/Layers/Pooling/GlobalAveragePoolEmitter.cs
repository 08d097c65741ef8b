using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>GlobalAveragePool2D: channel-major [C, B, H, W] in, batch-major [B, C] out.</summary>
    internal sealed class GlobalAveragePoolEmitter : LayerEmitter
    {
        public static readonly GlobalAveragePoolEmitter Instance = new();

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        public override bool OutputChannelMajor(LayerContext context) => false;

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            LayerSpec layer = context.Layer;
            writer.Line($"private const int {context.Const("Out")} = {layer.Input.Dims[0]}, {context.Const("Plane")} = {Format.Int((long)layer.Input.Dims[1] * layer.Input.Dims[2])}; " +
                $"// {layer.Name}: GlobalAveragePool2D {layer.Input} -> {layer.Output}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            LayerSpec layer = context.Layer;
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), context.Const("Out"), layer.Output.ToString(),
                $"{layer.Name}: the mean of each channel", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), context.Const("Out"), layer.Output.ToString(), $"{layer.Name}: ∂L/∂y", Role: BufferRole.Gradient);
        }

        public override bool BackwardReadsInput(LayerContext context) => false;

        public override string Describe(LayerContext context) =>
            $"{context.Layer.Name}: GlobalAveragePool2D {context.Layer.Input} -> {context.Layer.Output}, y[b, c] = mean of channel c";

        public override void Forward(SourceWriter writer, LayerContext context) =>
            writer.Line($"global::NetGen.Kernels.Pooling.GlobalAverageForward({context.InputVar}, {context.Local("Y")}, {context.Const("Out")}, B, {context.Const("Plane")});");

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            if (context.InputGradientVar is null)
            {
                writer.Line($"// {context.Layer.Name} backward: nothing to do, no earlier layer needs a gradient");
                return;
            }
            writer.Line($"// {context.Layer.Name} backward: each input shares its channel's gradient evenly");
            writer.Line($"global::NetGen.Kernels.Pooling.GlobalAverageBackward({context.Local("Dy")}, {context.InputGradientVar}, {context.Const("Out")}, B, {context.Const("Plane")});");
        }
    }
}

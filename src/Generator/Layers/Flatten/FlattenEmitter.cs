using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Flatten turns each sample into one dimension in PyTorch's order (channel, row, column). From a
    /// batch-major input it is a view: no data moves. From a channel-major input with several
    /// channels it permutes [C, B, H, W] into [B, C·H·W] (and the gradient back).
    /// </summary>
    internal sealed class FlattenEmitter : LayerEmitter
    {
        public static readonly FlattenEmitter Instance = new();

        private static bool Permutes(LayerContext context) => context.InputChannelMajor && context.Layer.Input.Dims[0] > 1;

        public override string OutputVar(LayerContext context) => Permutes(context) ? context.Local("Y") : context.InputVar;

        public override string? OutputGradientVar(LayerContext context) => Permutes(context) ? context.Local("Dy") : context.InputGradientVar;

        public override bool OutputChannelMajor(LayerContext context) => false;

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            if (Permutes(context))
            {
                LayerSpec layer = context.Layer;
                writer.Line($"private const int {context.Const("Out")} = {Format.Int(layer.Output.Size)}, {context.Const("Channels")} = {layer.Input.Dims[0]}, " +
                    $"{context.Const("Plane")} = {Format.Int(layer.Output.Size / layer.Input.Dims[0])}; // {layer.Name}: Flatten {layer.Input} -> {layer.Output}");
            }
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            if (!Permutes(context))
            {
                yield break;
            }
            LayerSpec layer = context.Layer;
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), context.Const("Out"), layer.Output.ToString(),
                $"{layer.Name}: each sample's channels one after another", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), context.Const("Out"), layer.Output.ToString(), $"{layer.Name}: ∂L/∂y", Role: BufferRole.Gradient);
        }

        public override bool BackwardReadsInput(LayerContext context) => false;

        public override string Describe(LayerContext context) => Permutes(context)
            ? $"{context.Layer.Name}: Flatten {context.Layer.Input} -> {context.Layer.Output}, channel-major planes regrouped per sample"
            : $"{context.Layer.Name}: Flatten {context.Layer.Input} -> {context.Layer.Output}, a view: no data moves";

        public override void Forward(SourceWriter writer, LayerContext context)
        {
            if (Permutes(context))
            {
                writer.Line($"global::NetGen.Kernels.Layout.ToBatchMajor({context.InputVar}, {context.Local("Y")}, B, {context.Const("Channels")}, {context.Const("Plane")});");
            }
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            if (context.InputGradientVar is null)
            {
                writer.Line($"// {context.Layer.Name} backward: nothing to do, no earlier layer needs a gradient");
            }
            else if (Permutes(context))
            {
                writer.Line($"// {context.Layer.Name} backward: the gradient regrouped per channel again");
                writer.Line($"global::NetGen.Kernels.Layout.ToChannelMajor({context.Local("Dy")}, {context.InputGradientVar}, B, {context.Const("Channels")}, {context.Const("Plane")});");
            }
            else
            {
                writer.Line($"// {context.Layer.Name} backward: the gradient passes through as {context.Layer.Input}");
            }
        }
    }
}

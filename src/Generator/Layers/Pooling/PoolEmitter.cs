using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// MaxPool2D and AvgPool2D over the C·B planes of a channel-major tensor. Max pooling keeps each
    /// window's winner (as integers in a float workspace) so backward can route the gradient there.
    /// </summary>
    internal sealed class PoolEmitter : LayerEmitter
    {
        public static readonly PoolEmitter Instance = new();

        private static Pool2DSpec Spec(LayerContext context) => (Pool2DSpec)context.Layer;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        public override bool OutputChannelMajor(LayerContext context) => true;

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            Pool2DSpec pool = Spec(context);
            writer.Line($"private const int {context.Const("Out")} = {Format.Int(pool.Output.Size)}, {context.Const("Channels")} = {pool.Input.Dims[0]}; // {pool.Name}: {pool.Kind} {pool.Input} -> {pool.Output}");
            writer.Line($"private static readonly global::NetGen.Kernels.PoolGeometry {context.Const("Geometry")} = new(" +
                $"height: {pool.Input.Dims[1]}, width: {pool.Input.Dims[2]}, size: {pool.Size}, stride: {pool.Stride}, padTop: {pool.Pad}, padLeft: {pool.Pad}, " +
                $"outHeight: {pool.Output.Dims[1]}, outWidth: {pool.Output.Dims[2]});");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            Pool2DSpec pool = Spec(context);
            string shape = Conv2DEmitter.ChannelMajor(pool.Output);
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), context.Const("Out"), shape,
                $"{pool.Name}: {(pool.Pool == PoolKind.Max ? "maximum" : "average")} of each {pool.Size}×{pool.Size} window", Role: BufferRole.Activation);
            if (pool.Pool == PoolKind.Max)
            {
                yield return new WorkspaceBuffer(context.Field("Argmax"), context.Local("Argmax"), context.Const("Out"), shape,
                    $"{pool.Name}: where each maximum came from (ints in its plane)", Role: BufferRole.Activation);
            }
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), context.Const("Out"), shape, $"{pool.Name}: ∂L/∂y", Role: BufferRole.Gradient);
        }

        public override bool BackwardReadsInput(LayerContext context) => false;

        public override bool BackwardReadsParameters(LayerContext context) => context.FusedConv is { InputGradientVar: not null };

        /// <summary>Max pooling reads where each maximum came from; fused with a convolution, also the pooled values (the activation's derivative).</summary>
        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) =>
            buffer.Role != BufferRole.Activation || buffer.Local == context.Local("Argmax") || (context.FusedConv is not null && buffer.Local == context.Local("Y"));

        public override string Describe(LayerContext context)
        {
            Pool2DSpec pool = Spec(context);
            string stride = pool.Stride == pool.Size ? "" : $", stride {pool.Stride}";
            string pad = pool.Pad == 0 ? "" : $", padding {pool.Pad}";
            return $"{pool.Name}: {pool.Kind} {pool.Input} -> {pool.Output}, {pool.Size}×{pool.Size} windows{stride}{pad}";
        }

        public override void Forward(SourceWriter writer, LayerContext context)
        {
            Pool2DSpec pool = Spec(context);
            if (context.FusedConv is { } conv)
            {
                Conv2DEmitter.FusedForward(writer, conv, context);
                return;
            }
            string planes = $"{context.Const("Channels")} * B";
            writer.Line(pool.Pool == PoolKind.Max
                ? $"global::NetGen.Kernels.Pooling.MaxForward({context.InputVar}, {context.Local("Y")}, global::NetGen.Kernels.Pooling.Indices({context.Local("Argmax")}), {planes}, {context.Const("Geometry")});"
                : $"global::NetGen.Kernels.Pooling.AverageForward({context.InputVar}, {context.Local("Y")}, {planes}, {context.Const("Geometry")});");
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            Pool2DSpec pool = Spec(context);
            if (context.FusedConv is { } conv)
            {
                Conv2DEmitter.FusedBackward(writer, conv, context);
                return;
            }
            if (context.InputGradientVar is null)
            {
                writer.Line($"// {pool.Name} backward: nothing to do, no earlier layer needs a gradient");
                return;
            }
            string planes = $"{context.Const("Channels")} * B";
            if (context.FusedInputDerivative is { } fused)
            {
                writer.Line($"// {pool.Name} backward: each window's gradient goes to its maximum, times {Format.FunctionName(fused.Activation)}′ of '{fused.Layer}' " +
                    $"(the sign of the pooled value); dz of '{fused.Layer}' {Conv2DEmitter.ChannelMajor(pool.Input)}");
                writer.Line($"global::NetGen.Kernels.Pooling.MaxBackward({context.Local("Dy")}, global::NetGen.Kernels.Pooling.Indices({context.Local("Argmax")}), " +
                    $"{context.InputGradientVar}, {planes}, {context.Const("Geometry")}, global::NetGen.Activation.{fused.Activation}, {fused.OutputVar});");
                return;
            }
            writer.Line(pool.Pool == PoolKind.Max
                ? $"// {pool.Name} backward: each window's gradient goes to its maximum; dx {Conv2DEmitter.ChannelMajor(pool.Input)}"
                : $"// {pool.Name} backward: each window's gradient is shared evenly by its inputs; dx {Conv2DEmitter.ChannelMajor(pool.Input)}");
            writer.Line(pool.Pool == PoolKind.Max
                ? $"global::NetGen.Kernels.Pooling.MaxBackward({context.Local("Dy")}, global::NetGen.Kernels.Pooling.Indices({context.Local("Argmax")}), {context.InputGradientVar}, {planes}, {context.Const("Geometry")});"
                : $"global::NetGen.Kernels.Pooling.AverageBackward({context.Local("Dy")}, {context.InputGradientVar}, {planes}, {context.Const("Geometry")});");
        }
    }
}

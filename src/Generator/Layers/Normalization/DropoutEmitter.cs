using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>Dropout: training mode draws a mask from the network's dropout stream; inference mode copies its input.</summary>
    internal sealed class DropoutEmitter : LayerEmitter
    {
        public static readonly DropoutEmitter Instance = new();

        private static DropoutSpec Spec(LayerContext context) => (DropoutSpec)context.Layer;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            DropoutSpec dropout = Spec(context);
            writer.Line($"private const int {context.Const("Out")} = {Format.Int(dropout.Output.Size)}; // {dropout.Name}: Dropout {dropout.Input}, rate {Format.Float(dropout.Rate)}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            DropoutSpec dropout = Spec(context);
            string shape = context.InputChannelMajor ? Conv2DEmitter.ChannelMajor(dropout.Output) : dropout.Output.ToString();
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), context.Const("Out"), shape, $"{dropout.Name}: output x·mask (training) or x", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Mask"), context.Local("Mask"), context.Const("Out"), shape,
                $"{dropout.Name}: 0 or 1/(1 − {Format.Float(dropout.Rate)}) per value", Role: BufferRole.Saved);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), context.Const("Out"), shape, $"{dropout.Name}: ∂L/∂y", Role: BufferRole.Gradient);
        }

        public override bool BackwardReadsInput(LayerContext context) => false;

        public override string Describe(LayerContext context) =>
            $"{context.Layer.Name}: Dropout {context.Layer.Input}, rate {Format.Float(Spec(context).Rate)} (inverted: kept values scaled by 1/(1 − rate))";

        /// <summary>Generation runs in inference mode, where dropout is the identity.</summary>
        public override bool SupportsStep(LayerContext context) => true;

        public override void Forward(SourceWriter writer, LayerContext context)
        {
            using (writer.Block("if (training)"))
            {
                writer.Line($"global::NetGen.Kernels.Dropout.Forward({context.InputVar}, {context.Local("Y")}, {context.Local("Mask")}, {Format.FloatLiteral(Spec(context).Rate)}, _dropoutRng);");
            }
            using (writer.Block("else"))
            {
                writer.Line("// inference mode: dropout is the identity");
                writer.Line($"{context.InputVar}.CopyTo({context.Local("Y")});");
            }
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            if (context.InputGradientVar is null)
            {
                writer.Line($"// {context.Layer.Name} backward: nothing to do, no earlier layer needs a gradient");
                return;
            }
            writer.Line($"// {context.Layer.Name} backward: dx = dy·mask");
            writer.Line($"global::NetGen.Kernels.Dropout.Backward({context.Local("Dy")}, {context.Local("Mask")}, {context.InputGradientVar});");
        }
    }
}

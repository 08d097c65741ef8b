using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// BatchNorm: training mode normalizes with the batch's statistics, saves them for backward and
    /// moves the running statistics (buffers, never touched by optimizers); inference mode normalizes
    /// with the running statistics. Channels of a channel-major tensor, or features of a batch-major one.
    /// </summary>
    internal sealed class BatchNormEmitter : LayerEmitter
    {
        public static readonly BatchNormEmitter Instance = new();

        private static BatchNormSpec Spec(LayerContext context) => (BatchNormSpec)context.Layer;

        private static bool KeepsZ(LayerContext context) => Spec(context).Activation == ActivationKind.Gelu;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            BatchNormSpec bn = Spec(context);
            writer.Line($"private const int {context.Const("Out")} = {Format.Int(bn.Output.Size)}, {context.Const("Channels")} = {bn.Channels}, " +
                $"{context.Const("Plane")} = {Format.Int(bn.Output.Size / bn.Channels)}; // {bn.Name}: BatchNorm {bn.Input}, per {(bn.Spatial ? "channel" : "feature")}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            BatchNormSpec bn = Spec(context);
            string shape = bn.Spatial ? Conv2DEmitter.ChannelMajor(bn.Output) : bn.Output.ToString();
            if (KeepsZ(context))
            {
                yield return new WorkspaceBuffer(context.Field("Z"), context.Local("Z"), context.Const("Out"), shape, $"{bn.Name}: normalized z", Role: BufferRole.Activation);
            }
            string y = bn.Activation == ActivationKind.None ? "y = γ·x̂ + β"
                : $"y = {Format.FunctionName(bn.Activation)}(γ·x̂ + β)" + (KeepsZ(context) ? "" : ", in place");
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), context.Const("Out"), shape, $"{bn.Name}: output {y}", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Saved"), context.Local("Saved"), $"2 * {context.Const("Channels")}", $"[2, {bn.Channels}]",
                $"{bn.Name}: the batch's mean and 1/√(var + ε) per {(bn.Spatial ? "channel" : "feature")}, for backward", Role: BufferRole.Saved, Fixed: true);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), context.Const("Out"), shape,
                bn.Activation == ActivationKind.None ? $"{bn.Name}: ∂L/∂y" : $"{bn.Name}: ∂L/∂y, then ∂L/∂z in place", Role: BufferRole.Gradient);
        }

        public override void Initialize(SourceWriter writer, LayerContext context)
        {
            BatchNormSpec bn = Spec(context);
            writer.Line($"// {bn.Name}.weight [{bn.Channels}] = 1; {bn.Name}.bias [{bn.Channels}] = 0");
            writer.Line($"p.Slice({context.Const("Weight")}, {context.Const("Channels")}).Fill(1f);");
        }

        public override void InitializeBuffers(SourceWriter writer, LayerContext context)
        {
            BatchNormSpec bn = Spec(context);
            writer.Line($"// {bn.Name}.running_mean = 0, {bn.Name}.running_var = 1, {bn.Name}.num_batches_tracked = 0");
            writer.Line($"buffers.Slice({context.Const("RunningVar")}, {context.Const("Channels")}).Fill(1f);");
        }

        public override bool BackwardReadsParameters(LayerContext context) => true;

        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) =>
            buffer.Role != BufferRole.Activation || AppliesOwnDerivative(context, Spec(context).Activation);

        public override string Describe(LayerContext context)
        {
            BatchNormSpec bn = Spec(context);
            string act = bn.Activation == ActivationKind.None ? "" : $", then {Format.FunctionName(bn.Activation)}";
            return $"{bn.Name}: BatchNorm {bn.Input}, momentum {Format.Float(bn.Momentum)}, ε {Format.Float(bn.Epsilon)}{act}";
        }

        public override void Forward(SourceWriter writer, LayerContext context)
        {
            BatchNormSpec bn = Spec(context);
            string z = KeepsZ(context) ? context.Local("Z") : context.Local("Y");
            string count = bn.Spatial ? $"B * {context.Const("Plane")}" : "B";
            string layout = context.InputChannelMajor ? "true" : "false";
            string gamma = $"p.Slice({context.Const("Weight")}, {context.Const("Channels")})", beta = $"p.Slice({context.Const("Bias")}, {context.Const("Channels")})";
            string mean = $"buffers.Slice({context.Const("RunningMean")}, {context.Const("Channels")})", variance = $"buffers.Slice({context.Const("RunningVar")}, {context.Const("Channels")})";
            using (writer.Block("if (training)"))
            {
                writer.Line("// training mode: normalize with this batch's statistics and move the running ones towards them");
                writer.Line($"global::NetGen.Kernels.BatchNorm.ForwardTraining({context.InputVar}, {z}, {gamma}, {beta}, {mean}, {variance}, {context.Local("Saved")}, " +
                    $"{context.Const("Channels")}, {count}, channelMajor: {layout}, momentum: {Format.FloatLiteral(bn.Momentum)}, epsilon: {Format.FloatLiteral(bn.Epsilon)});");
                writer.Line($"buffers[{context.Const("BatchesTracked")}] += 1;");
            }
            using (writer.Block("else"))
            {
                writer.Line("// inference mode: normalize with the running statistics");
                writer.Line($"global::NetGen.Kernels.BatchNorm.ForwardInference({context.InputVar}, {z}, {gamma}, {beta}, {mean}, {variance}, " +
                    $"{context.Const("Channels")}, {count}, channelMajor: {layout}, epsilon: {Format.FloatLiteral(bn.Epsilon)});");
            }
            if (bn.Activation != ActivationKind.None)
            {
                writer.Line($"global::NetGen.Kernels.Activations.Apply(global::NetGen.Activation.{bn.Activation}, {z}, {context.Local("Y")});");
            }
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            BatchNormSpec bn = Spec(context);
            string d = context.Local("Dy");
            string count = bn.Spatial ? $"B * {context.Const("Plane")}" : "B";
            string dx = context.InputGradientVar is null ? "the input needs no gradient" : "dx = γ/(σ·N)·(N·dz − Σdz − x̂·Σdz·x̂)";
            writer.Line($"// {bn.Name} backward (training statistics): " + (bn.Activation == ActivationKind.None ? ""
                : context.DerivativeFusedInto is { } next ? $"dz = dy ⊙ {Format.FunctionName(bn.Activation)}′, already applied by '{next}'; "
                : $"dz = dy ⊙ {Format.FunctionName(bn.Activation)}′; ") +
                $"dγ = Σ dz·x̂; dβ = Σ dz; {dx}");
            if (bn.Activation != ActivationKind.None && context.DerivativeFusedInto is null)
            {
                string z = KeepsZ(context) ? context.Local("Z") : context.Local("Y");
                writer.Line($"global::NetGen.Kernels.Activations.Backward(global::NetGen.Activation.{bn.Activation}, {z}, {context.Local("Y")}, {d});");
            }
            writer.Line($"global::NetGen.Kernels.BatchNorm.Backward({d}, {context.InputVar}, p.Slice({context.Const("Weight")}, {context.Const("Channels")}), {context.Local("Saved")}, " +
                $"g.Slice({context.Const("Weight")}, {context.Const("Channels")}), g.Slice({context.Const("Bias")}, {context.Const("Channels")}), " +
                $"{context.InputGradientVar ?? "default"}, {context.Const("Channels")}, {count}, channelMajor: {(context.InputChannelMajor ? "true" : "false")});");
        }
    }
}

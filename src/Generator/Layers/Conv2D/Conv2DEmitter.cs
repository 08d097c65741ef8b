using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Conv2D on channel-major tensors through the runtime's <c>Conv2D</c>: <c>z = W·col + b</c> with
    /// <c>col = im2col(x)</c> unfolded a few samples at a time in cache (never a workspace buffer), the
    /// bias and ReLU-type activations fused. Backward: <c>dW = dz·colᵀ</c>, <c>db = Σ dz</c> (the input
    /// unfolded again) and, when needed, <c>dx = col2im(Wᵀ·dz)</c>.
    /// </summary>
    internal sealed class Conv2DEmitter : LayerEmitter
    {
        public static readonly Conv2DEmitter Instance = new();

        private static Conv2DSpec Spec(LayerContext context) => (Conv2DSpec)context.Layer;

        private static bool KeepsZ(LayerContext context) => Spec(context).Activation == ActivationKind.Gelu;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        public override bool OutputChannelMajor(LayerContext context) => true;

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            Conv2DSpec conv = Spec(context);
            int outHeight = conv.Output.Dims[1], outWidth = conv.Output.Dims[2];
            writer.Line($"private const int {context.Const("Out")} = {Format.Int(conv.Output.Size)}, {context.Const("Filters")} = {conv.Filters}, {context.Const("Patch")} = {Format.Int(conv.PatchSize)}; " +
                $"// {conv.Name}: Conv2D {conv.Input} -> {conv.Output}");
            string padding = conv.PadBottom == conv.PadTop ? $"pad {conv.PadTop}" : $"pad {conv.PadTop} top/left, {conv.PadBottom} bottom/right";
            writer.Line($"private static readonly global::NetGen.Kernels.ConvGeometry {context.Const("Geometry")} = new(" +
                $"channels: {conv.InChannels}, height: {conv.Input.Dims[1]}, width: {conv.Input.Dims[2]}, filters: {conv.Filters}, kernel: {conv.Kernel}, " +
                $"stride: {conv.Stride}, padTop: {conv.PadTop}, padLeft: {conv.PadLeft}, dilation: {conv.Dilation}, outHeight: {outHeight}, outWidth: {outWidth}); // {padding}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            Conv2DSpec conv = Spec(context);
            string channelMajor = ChannelMajor(conv.Output);
            if (context.FusedIntoPool is not null)
            {
                // Computed with the max pooling after it: output and gradient never stored.
                yield break;
            }
            if (KeepsZ(context))
            {
                yield return new WorkspaceBuffer(context.Field("Z"), context.Local("Z"), context.Const("Out"), channelMajor,
                    $"{conv.Name}: pre-activation z = W·col + b", Role: BufferRole.Activation);
            }
            string y = conv.Activation == ActivationKind.None ? "y = z"
                : $"y = {Format.FunctionName(conv.Activation)}(z)" + (KeepsZ(context) ? "" : ", in place over z");
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), context.Const("Out"), channelMajor, $"{conv.Name}: output {y}", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), context.Const("Out"), channelMajor,
                conv.Activation == ActivationKind.None ? $"{conv.Name}: ∂L/∂y (= ∂L/∂z)"
                : context.DerivativeFusedInto is { } next ? $"{conv.Name}: ∂L/∂z, written by '{next}' with {Format.FunctionName(conv.Activation)}′ applied"
                : $"{conv.Name}: ∂L/∂y, then ∂L/∂z in place", Role: BufferRole.Gradient);
        }

        public override void Initialize(SourceWriter writer, LayerContext context)
        {
            Conv2DSpec conv = Spec(context);
            int fanIn = conv.PatchSize, fanOut = conv.Filters * conv.Kernel * conv.Kernel;
            writer.Line($"// {conv.Name}.weight [{conv.Filters}, {conv.InChannels}, {conv.Kernel}, {conv.Kernel}] ~ N(0, 1/{fanIn}) unless Init says otherwise" +
                (conv.HasBias ? $"; {conv.Name}.bias [{conv.Filters}] = 0" : "; no bias"));
            writer.Line($"global::NetGen.Init.Weights(global::NetGen.Initializer.{conv.Init}, {Weight(context, "p")}, fanIn: {fanIn}, fanOut: {fanOut}, rng);");
        }

        public override bool BackwardReadsParameters(LayerContext context) => context.InputGradientVar is not null;

        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) =>
            buffer.Role != BufferRole.Activation || AppliesOwnDerivative(context, Spec(context).Activation);

        public override string Describe(LayerContext context)
        {
            Conv2DSpec conv = Spec(context);
            string formula = conv.Activation == ActivationKind.None ? "y = W ⊛ x + b" : $"y = {Format.FunctionName(conv.Activation)}(W ⊛ x + b)";
            string stride = conv.Stride == 1 ? "" : $", stride {conv.Stride}";
            string dilation = conv.Dilation == 1 ? "" : $", dilation {conv.Dilation}";
            string padding = conv.PadTop + conv.PadBottom == 0 ? "" : $", padding {conv.PadTop}" + (conv.PadBottom != conv.PadTop ? $"/{conv.PadBottom}" : "");
            return $"{conv.Name}: Conv2D {conv.Input} -> {conv.Output}, {conv.Kernel}×{conv.Kernel}{stride}{padding}{dilation}, {formula}";
        }

        public override void Forward(SourceWriter writer, LayerContext context)
        {
            Conv2DSpec conv = Spec(context);
            if (context.FusedIntoPool is { } pool)
            {
                writer.Line($"// computed together with '{pool}' below: each chunk of samples is convolved and pooled in cache");
                return;
            }
            string z = KeepsZ(context) ? context.Local("Z") : context.Local("Y");
            writer.Line($"global::NetGen.Kernels.Conv2D.Forward({context.InputVar}, {Weight(context, "p")}, {Bias(context, "p")}, " +
                $"{z}, {context.Local("Y")}, B, {context.Const("Geometry")}, global::NetGen.Activation.{conv.Activation});");
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            Conv2DSpec conv = Spec(context);
            if (context.FusedIntoPool is { } pool)
            {
                writer.Line($"// {conv.Name} backward: done together with '{pool}' above");
                return;
            }
            string d = context.Local("Dy");
            string dz = conv.Activation == ActivationKind.None ? "dz = dy"
                : context.DerivativeFusedInto is { } next ? $"dz = dy ⊙ {Format.FunctionName(conv.Activation)}′, already applied by '{next}'"
                : $"dz = dy ⊙ {Format.FunctionName(conv.Activation)}′ in place";
            string dx = context.InputGradientVar is null ? "the input needs no gradient" : $"dx = col2im(Wᵀ·dz) {ChannelMajor(conv.Input)}";
            writer.Line($"// {conv.Name} backward: {dz}; dW = dz·im2col(x)ᵀ [{conv.Filters}, {conv.PatchSize}]" + (conv.HasBias ? $"; db = Σ dz [{conv.Filters}]" : "") + $"; {dx}");
            if (conv.Activation != ActivationKind.None && context.DerivativeFusedInto is null)
            {
                string z = KeepsZ(context) ? context.Local("Z") : context.Local("Y");
                writer.Line($"global::NetGen.Kernels.Activations.Backward(global::NetGen.Activation.{conv.Activation}, {z}, {context.Local("Y")}, {d});");
            }
            writer.Line($"global::NetGen.Kernels.Conv2D.BackwardParameters({d}, {context.InputVar}, {Weight(context, "g")}, {Bias(context, "g")}, B, {context.Const("Geometry")});");
            if (context.InputGradientVar is not null)
            {
                writer.Line($"global::NetGen.Kernels.Conv2D.BackwardInput({d}, {Weight(context, "p")}, {context.InputGradientVar}, B, {context.Const("Geometry")});");
            }
        }

        /// <summary>The forward of a convolution and the max pooling after it, as one kernel: only the pooling is written.</summary>
        internal static void FusedForward(SourceWriter writer, LayerContext conv, LayerContext pool)
        {
            Conv2DSpec spec = Spec(conv);
            writer.Line($"// {spec.Name} and {pool.Layer.Name} in one kernel: y = {Format.FunctionName(spec.Activation)}(W ⊛ x + b) {ChannelMajor(spec.Output)} " +
                "pooled a chunk of samples at a time, in cache");
            writer.Line($"global::NetGen.Kernels.Conv2D.ForwardMaxPool({conv.InputVar}, {Weight(conv, "p")}, {Bias(conv, "p")}, {pool.Local("Y")}, " +
                $"global::NetGen.Kernels.Pooling.Indices({pool.Local("Argmax")}), B, {conv.Const("Geometry")}, global::NetGen.Activation.{spec.Activation}, {pool.Const("Geometry")});");
        }

        /// <summary>
        /// The backward of a convolution and the max pooling after it, as one kernel: ∂L/∂z of each chunk
        /// is routed through the pooling (times the activation's derivative) in cache, then gives dW, db and dx.
        /// </summary>
        internal static void FusedBackward(SourceWriter writer, LayerContext conv, LayerContext pool)
        {
            Conv2DSpec spec = Spec(conv);
            string activation = spec.Activation == ActivationKind.None ? "" : $" ⊙ {Format.FunctionName(spec.Activation)}′ (the sign of the pooled value)";
            string dx = conv.InputGradientVar is null ? "the input needs no gradient" : $"dx = col2im(Wᵀ·dz) {ChannelMajor(spec.Input)}";
            writer.Line($"// {pool.Layer.Name} and {spec.Name} backward in one kernel: dz = each window's gradient at its maximum{activation}, in cache; " +
                $"dW = dz·im2col(x)ᵀ [{spec.Filters}, {spec.PatchSize}]" + (spec.HasBias ? $"; db = Σ dz [{spec.Filters}]" : "") + $"; {dx}");
            writer.Line($"global::NetGen.Kernels.Conv2D.BackwardMaxPool({pool.Local("Dy")}, global::NetGen.Kernels.Pooling.Indices({pool.Local("Argmax")}), {pool.Local("Y")}, " +
                $"{conv.InputVar}, {Weight(conv, "p")}, {Weight(conv, "g")}, {Bias(conv, "g")}, {conv.InputGradientVar ?? "default"}, " +
                $"B, {conv.Const("Geometry")}, global::NetGen.Activation.{spec.Activation}, {pool.Const("Geometry")});");
        }

        private static string Weight(LayerContext context, string buffer) =>
            $"{buffer}.Slice({context.Const("Weight")}, {context.Const("Filters")} * {context.Const("Patch")})";

        private static string Bias(LayerContext context, string buffer) =>
            Spec(context).HasBias ? $"{buffer}.Slice({context.Const("Bias")}, {context.Const("Filters")})" : "default";

        /// <summary>A channel-major shape comment: <c>[32, B, 26, 26]</c>.</summary>
        internal static string ChannelMajor(TensorType shape) =>
            shape.IsImage ? $"[{shape.Dims[0]}, B, {shape.Dims[1]}, {shape.Dims[2]}]" : shape.ToString();
    }
}

using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Embedding: <c>y[b, t] = W[x[b, t]]</c> through <c>Kernels.Embedding</c> over all B·T positions;
    /// backward scatters ∂L/∂y into the rows of ∂L/∂W (the padding row left at zero). Token ids have no gradient.
    /// </summary>
    internal sealed class EmbeddingEmitter : LayerEmitter
    {
        public static readonly EmbeddingEmitter Instance = new();

        private static EmbeddingSpec Spec(LayerContext context) => (EmbeddingSpec)context.Layer;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        private static string Table(LayerContext context, string buffer) =>
            $"{buffer}.Slice({context.Const("Weight")}, {context.Const("Vocabulary")} * {context.Const("Out")})";

        private static string Positions(LayerContext context) => "B * " + context.Const("Steps");

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            EmbeddingSpec e = Spec(context);
            writer.Line($"private const int {context.Const("Vocabulary")} = {Format.Int(e.Vocabulary)}, {context.Const("Out")} = {Format.Int(e.Dimensions)}, " +
                $"{context.Const("Steps")} = {Format.Int(e.Steps)}; // {e.Name}: Embedding {e.Input} -> {e.Output}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            EmbeddingSpec e = Spec(context);
            string perSample = context.Const("Steps") + " * " + context.Const("Out");
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), perSample, e.Output.ToString(),
                $"{e.Name}: the vector of each token", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), perSample, e.Output.ToString(),
                $"{e.Name}: ∂L/∂y", Role: BufferRole.Gradient);
        }

        public override void Initialize(SourceWriter writer, LayerContext context)
        {
            EmbeddingSpec e = Spec(context);
            writer.Line($"// {e.Name}.weight [{Format.Int(e.Vocabulary)}, {Format.Int(e.Dimensions)}] ~ N(0, 1), as nn.Embedding" +
                (e.PaddingIndex >= 0 ? $"; row {e.PaddingIndex} (padding) = 0" : ""));
            writer.Line($"global::NetGen.Init.Normal({Table(context, "p")}, 1f, rng);");
            if (e.PaddingIndex >= 0)
            {
                writer.Line($"p.Slice({context.Const("Weight")} + {Format.Int((long)e.PaddingIndex * e.Dimensions)}, {context.Const("Out")}).Clear();");
            }
        }

        public override string Describe(LayerContext context)
        {
            EmbeddingSpec e = Spec(context);
            return $"{e.Name}: Embedding {e.Input} -> {e.Output}, y[b, t] = W[x[b, t]]" + (e.PaddingIndex >= 0 ? $", padding id {e.PaddingIndex}" : "");
        }

        public override void Forward(SourceWriter writer, LayerContext context) =>
            writer.Line($"global::NetGen.Kernels.Embedding.Forward({context.InputVar}, {Table(context, "p")}, {context.Local("Y")}, {Positions(context)}, {context.Const("Out")});");

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            EmbeddingSpec e = Spec(context);
            writer.Line($"// {e.Name} backward: dW = 0, then dW[x[b, t]] += dy[b, t]" + (e.PaddingIndex >= 0 ? $" except for padding id {e.PaddingIndex}" : "") + "; token ids get no gradient");
            writer.Line($"global::NetGen.Kernels.Embedding.Backward({context.InputVar}, {context.Local("Dy")}, {Table(context, "g")}, {Positions(context)}, " +
                $"{context.Const("Vocabulary")}, {context.Const("Out")}, paddingIndex: {Format.Int(e.PaddingIndex)});");
        }

        public override bool SupportsStep(LayerContext context) => true;

        public override string Step(SourceWriter writer, LayerContext context, string input)
        {
            string y = context.Local("StepY");
            writer.Line($"// {Spec(context).Name}: the vector of each stream's token");
            writer.Line($"global::System.Span<float> {y} = {context.Field("StepY")}.Slice(B * {context.Const("Out")}); // [B, {Format.Int(Spec(context).Dimensions)}]");
            writer.Line($"global::NetGen.Kernels.Embedding.Forward({input}, {Table(context, "p")}, {y}, B, {context.Const("Out")});");
            return y;
        }

        public override IEnumerable<StepBuffer> StepBuffers(LayerContext context)
        {
            yield return new StepBuffer(context.Field("StepY"), context.Const("Out"), $"[B, {Format.Int(Spec(context).Dimensions)}] {Spec(context).Name}: this step's vectors", State: false);
        }
    }
}

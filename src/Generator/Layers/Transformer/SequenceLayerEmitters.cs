using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>LayerNorm: <c>Kernels.LayerNorm</c> over B·T rows; the mean and 1/σ of each row are kept for backward.</summary>
    internal sealed class LayerNormEmitter : LayerEmitter
    {
        public static readonly LayerNormEmitter Instance = new();

        private static LayerNormSpec Spec(LayerContext context) => (LayerNormSpec)context.Layer;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            LayerNormSpec norm = Spec(context);
            writer.Line($"private const int {context.Const("Steps")} = {Format.Int(norm.Rows)}, {context.Const("Features")} = {Format.Int(norm.Features)}; " +
                $"// {norm.Name}: LayerNorm {norm.Input}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            LayerNormSpec norm = Spec(context);
            string values = context.Const("Steps") + " * " + context.Const("Features");
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), values, norm.Output.ToString(), $"{norm.Name}: (x − mean)/σ·γ + β", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Saved"), context.Local("Saved"), "2 * " + context.Const("Steps"), $"[B, {Format.Int(norm.Rows)}, 2]",
                $"{norm.Name}: mean and 1/σ of each position", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), values, norm.Output.ToString(), $"{norm.Name}: ∂L/∂y", Role: BufferRole.Gradient);
        }

        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) => buffer.Local != context.Local("Y");

        public override bool BackwardReadsParameters(LayerContext context) => true;

        public override void Initialize(SourceWriter writer, LayerContext context)
        {
            writer.Line($"// {Spec(context).Name}.weight = 1, {Spec(context).Name}.bias = 0");
            writer.Line($"p.Slice({context.Const("Weight")}, {context.Const("Features")}).Fill(1f);");
        }

        public override string Describe(LayerContext context) =>
            $"{Spec(context).Name}: LayerNorm {Spec(context).Input}, y = (x − mean)/√(var + {Format.Float(Spec(context).Epsilon)})·γ + β per position";

        private static string Gamma(LayerContext c, string buffer) => $"{buffer}.Slice({c.Const("Weight")}, {c.Const("Features")})";

        private static string Beta(LayerContext c, string buffer) => $"{buffer}.Slice({c.Const("Bias")}, {c.Const("Features")})";

        public override void Forward(SourceWriter writer, LayerContext context) =>
            writer.Line($"global::NetGen.Kernels.LayerNorm.Forward({context.InputVar}, {Gamma(context, "p")}, {Beta(context, "p")}, {context.Local("Y")}, " +
                $"{context.Local("Saved")}, B * {context.Const("Steps")}, {context.Const("Features")}, {Format.FloatLiteral(Spec(context).Epsilon)});");

        public override bool SupportsStep(LayerContext context) => true;

        public override string Step(SourceWriter writer, LayerContext context, string input)
        {
            string y = context.Local("StepY"), stats = context.Local("StepStats");
            writer.Line($"// {Spec(context).Name}: this step's positions normalized");
            writer.Line($"global::System.Span<float> {y} = {context.Field("StepY")}.Slice(B * {context.Const("Features")}); // [B, {Format.Int(Spec(context).Features)}]");
            writer.Line($"global::System.Span<float> {stats} = {context.Field("StepStats")}.Slice(2 * B); // [B, 2]");
            writer.Line($"global::NetGen.Kernels.LayerNorm.Forward({input}, {Gamma(context, "p")}, {Beta(context, "p")}, {y}, {stats}, B, {context.Const("Features")}, " +
                $"{Format.FloatLiteral(Spec(context).Epsilon)});");
            return y;
        }

        public override IEnumerable<StepBuffer> StepBuffers(LayerContext context)
        {
            yield return new StepBuffer(context.Field("StepY"), context.Const("Features"), $"[B, {Format.Int(Spec(context).Features)}] {Spec(context).Name}: this step's output", State: false);
            yield return new StepBuffer(context.Field("StepStats"), "2", $"[B, 2] {Spec(context).Name}: this step's mean and 1/σ", State: false);
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            writer.Line($"// {Spec(context).Name} backward: dγ, dβ" + (context.InputGradientVar is null ? "" : ", dx"));
            writer.Line($"global::NetGen.Kernels.LayerNorm.Backward({context.Local("Dy")}, {context.InputVar}, {Gamma(context, "p")}, {context.Local("Saved")}, " +
                $"{context.InputGradientVar ?? "default"}, {Gamma(context, "g")}, {Beta(context, "g")}, B * {context.Const("Steps")}, {context.Const("Features")}, accumulate: false);");
        }
    }

    /// <summary>Positional embedding: y = x + table[t]; a learned table gets Σ_b dy as its gradient; dx = dy passes straight through.</summary>
    internal sealed class PositionalEmbeddingEmitter : LayerEmitter
    {
        public static readonly PositionalEmbeddingEmitter Instance = new();

        private static PositionalEmbeddingSpec Spec(LayerContext context) => (PositionalEmbeddingSpec)context.Layer;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        /// <summary>dx = dy: the next layer writes straight into this layer's input gradient, which its backward then reads.</summary>
        public override string? OutputGradientVar(LayerContext context) => context.InputGradientVar ?? (Spec(context).Sinusoidal ? null : context.Local("Dy"));

        private static string Values(LayerContext context) => context.Const("Steps") + " * " + context.Const("Features");

        private static string Table(LayerContext context) => Spec(context).Sinusoidal
            ? context.Const("Table")
            : $"p.Slice({context.Const("Weight")}, {Values(context)})";

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            PositionalEmbeddingSpec pe = Spec(context);
            writer.Line($"private const int {context.Const("Steps")} = {Format.Int(pe.Steps)}, {context.Const("Features")} = {Format.Int(pe.Features)}; " +
                $"// {pe.Name}: PositionalEmbedding {pe.Input}");
            if (pe.Sinusoidal)
            {
                writer.Line($"/// <summary>{pe.Name}: the fixed table PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(…), [{Format.Int(pe.Steps)}, {Format.Int(pe.Features)}].</summary>");
                writer.Line($"private static readonly float[] {context.Const("Table")} = global::NetGen.Kernels.Positional.Sinusoidal({context.Const("Steps")}, {context.Const("Features")});");
            }
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            PositionalEmbeddingSpec pe = Spec(context);
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), Values(context), pe.Output.ToString(), $"{pe.Name}: x + table[t]", Role: BufferRole.Activation);
            if (context.InputGradientVar is null && !pe.Sinusoidal)
            {
                yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), Values(context), pe.Output.ToString(), $"{pe.Name}: ∂L/∂y", Role: BufferRole.Gradient);
            }
        }

        public override bool BackwardReadsInput(LayerContext context) => false;

        public override void Initialize(SourceWriter writer, LayerContext context)
        {
            if (!Spec(context).Sinusoidal)
            {
                writer.Line($"// {Spec(context).Name}.weight [{Format.Int(Spec(context).Steps)}, {Format.Int(Spec(context).Features)}] ~ N(0, 1)");
                writer.Line($"global::NetGen.Init.Normal(p.Slice({context.Const("Weight")}, {Values(context)}), 1f, rng);");
            }
        }

        public override string Describe(LayerContext context) =>
            $"{Spec(context).Name}: PositionalEmbedding {Spec(context).Input}, y[b, t] = x[b, t] + " + (Spec(context).Sinusoidal ? "PE[t] (fixed sin/cos)" : "W[t] (learned)");

        public override void Forward(SourceWriter writer, LayerContext context) =>
            writer.Line($"global::NetGen.Kernels.Positional.Add({context.InputVar}, {Table(context)}, {context.Local("Y")}, B, {context.Const("Steps")}, {context.Const("Features")});");

        public override bool SupportsStep(LayerContext context) => true;

        public override bool StepReadsPosition(LayerContext context) => true;

        public override string Step(SourceWriter writer, LayerContext context, string input)
        {
            string y = context.Local("StepY");
            string row = Spec(context).Sinusoidal
                ? $"new global::System.ReadOnlySpan<float>({context.Const("Table")}, position * {context.Const("Features")}, {context.Const("Features")})"
                : $"p.Slice({context.Const("Weight")} + position * {context.Const("Features")}, {context.Const("Features")})";
            writer.Line($"// {Spec(context).Name}: x + the table's row for this position");
            writer.Line($"global::System.Span<float> {y} = {context.Field("StepY")}.Slice(B * {context.Const("Features")}); // [B, {Format.Int(Spec(context).Features)}]");
            writer.Line($"global::NetGen.Kernels.Positional.Add({input}, {row}, {y}, B, 1, {context.Const("Features")});");
            return y;
        }

        public override IEnumerable<StepBuffer> StepBuffers(LayerContext context)
        {
            yield return new StepBuffer(context.Field("StepY"), context.Const("Features"), $"[B, {Format.Int(Spec(context).Features)}] {Spec(context).Name}: this step's output", State: false);
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            if (Spec(context).Sinusoidal)
            {
                writer.Line($"// {Spec(context).Name} backward: the fixed table has no gradient; dx = dy, already in place");
                return;
            }
            writer.Line($"// {Spec(context).Name} backward: dW[t] = Σ_b dy[b, t]; dx = dy, already in place");
            writer.Line($"global::NetGen.Kernels.Positional.AddBackward({OutputGradientVar(context)}, g.Slice({context.Const("Weight")}, {Values(context)}), " +
                $"B, {context.Const("Steps")}, {context.Const("Features")});");
        }
    }

    /// <summary>GlobalAveragePool1D: the mean over time, skipping padding positions when the network masks them.</summary>
    internal sealed class SequencePoolEmitter : LayerEmitter
    {
        public static readonly SequencePoolEmitter Instance = new();

        private static SequencePoolSpec Spec(LayerContext context) => (SequencePoolSpec)context.Layer;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.InputGradientVar is null ? null : context.Local("Dy");

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            SequencePoolSpec pool = Spec(context);
            writer.Line($"private const int {context.Const("Steps")} = {Format.Int(pool.Steps)}, {context.Const("Features")} = {Format.Int(pool.Features)}; " +
                $"// {pool.Name}: GlobalAveragePool1D {pool.Input} -> {pool.Output}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            SequencePoolSpec pool = Spec(context);
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), context.Const("Features"), pool.Output.ToString(),
                $"{pool.Name}: the mean over " + (context.KeyPadding is null ? "time" : "the non-padding positions"), Role: BufferRole.Activation);
            if (context.InputGradientVar is not null)
            {
                yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), context.Const("Features"), pool.Output.ToString(), $"{pool.Name}: ∂L/∂y", Role: BufferRole.Gradient);
            }
        }

        public override bool BackwardReadsInput(LayerContext context) => false;

        public override string Describe(LayerContext context) =>
            $"{Spec(context).Name}: GlobalAveragePool1D {Spec(context).Input} -> {Spec(context).Output}, the mean over " +
            (context.KeyPadding is null ? "time" : "the positions that are not padding");

        public override void Forward(SourceWriter writer, LayerContext context) =>
            writer.Line($"global::NetGen.Kernels.SequencePooling.MeanForward({context.InputVar}, {context.KeyPadding ?? "default"}, {context.Local("Y")}, " +
                $"B, {context.Const("Steps")}, {context.Const("Features")});");

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            if (context.InputGradientVar is null)
            {
                writer.Line($"// {Spec(context).Name} backward: nothing to do, no earlier layer needs a gradient");
                return;
            }
            writer.Line($"// {Spec(context).Name} backward: dx[b, t] = dy[b] / (positions averaged)" + (context.KeyPadding is null ? "" : ", 0 at padding"));
            writer.Line($"global::NetGen.Kernels.SequencePooling.MeanBackward({context.Local("Dy")}, {context.KeyPadding ?? "default"}, {context.InputGradientVar}, " +
                $"B, {context.Const("Steps")}, {context.Const("Features")});");
        }
    }
}

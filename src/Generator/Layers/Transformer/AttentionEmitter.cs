using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// The code self-attention is made of, shared by [MultiHeadAttention] and [TransformerEncoder]: the fused
    /// QKV projection over all B·T positions, the attention core per (sample, head) in <c>Kernels.Attention</c>
    /// (softmax fused, weights kept for backward), the output projection, and their backward.
    /// </summary>
    internal static class AttentionCode
    {
        /// <summary>The constants an attention block names its sizes by.</summary>
        public static void Constants(SourceWriter writer, LayerContext c, int steps, int features, int heads, string comment) =>
            writer.Line($"private const int {c.Const("Steps")} = {Format.Int(steps)}, {c.Const("Features")} = {Format.Int(features)}, {c.Const("Heads")} = {heads}, " +
                $"{c.Const("HeadDim")} = {Format.Int(features / heads)}; // {comment}");

        public static string Rows(LayerContext c) => "B * " + c.Const("Steps");

        public static string Values(LayerContext c) => c.Const("Steps") + " * " + c.Const("Features");

        public static string Slice(LayerContext c, string buffer, string tensor, string length) => $"{buffer}.Slice({c.Const(tensor)}, {length})";

        public static string InWeight(LayerContext c, string buffer) => Slice(c, buffer, "InProjWeight", $"3 * {c.Const("Features")} * {c.Const("Features")}");

        public static string InBias(LayerContext c, string buffer) => Slice(c, buffer, "InProjBias", $"3 * {c.Const("Features")}");

        public static string OutWeight(LayerContext c, string buffer) => Slice(c, buffer, "OutProjWeight", $"{c.Const("Features")} * {c.Const("Features")}");

        public static string OutBias(LayerContext c, string buffer) => Slice(c, buffer, "OutProjBias", c.Const("Features"));

        /// <summary>Floats per sample of the attention weights' dropout mask.</summary>
        public static string MaskValues(LayerContext c) => $"{c.Const("Heads")} * {c.Const("Steps")} * {c.Const("Steps")}";

        public static IEnumerable<WorkspaceBuffer> Buffers(LayerContext c, string name, int steps, int features, int heads, bool dropout)
        {
            string shape = $"[B, {Format.Int(steps)}, {Format.Int(features)}]";
            yield return new WorkspaceBuffer(c.Field("Qkv"), c.Local("Qkv"), "3 * " + Values(c), $"[B, {Format.Int(steps)}, {Format.Int(3 * features)}]",
                $"{name}: q | k | v of every position", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(c.Field("Weights"), c.Local("Weights"), $"global::NetGen.Kernels.Attention.SavedSize({c.Const("Steps")}, {c.Const("Heads")})",
                $"[B, {heads}, {Format.Int(steps)}, {Format.Int(steps)}]", $"{name}: softmax(q·kᵀ/√d) per head, for backward", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(c.Field("Heads"), c.Local("Heads"), Values(c), shape, $"{name}: the heads' outputs, concatenated", Role: BufferRole.Activation);
            if (dropout)
            {
                yield return new WorkspaceBuffer(c.Field("WeightsMask"), c.Local("WeightsMask"), MaskValues(c), $"[B, {heads}, {Format.Int(steps)}, {Format.Int(steps)}]",
                    $"{name}: dropout mask on the attention weights", Role: BufferRole.Saved);
            }
            yield return new WorkspaceBuffer(c.Field("DQkv"), c.Local("DQkv"), "3 * " + Values(c), $"[B, {Format.Int(steps)}, {Format.Int(3 * features)}]",
                $"{name}: ∂L/∂(q | k | v)", Role: BufferRole.Gradient);
            yield return new WorkspaceBuffer(c.Field("DHeads"), c.Local("DHeads"), Values(c), shape, $"{name}: ∂L/∂(heads' outputs)", Role: BufferRole.Gradient);
        }

        /// <summary>qkv = x·W_inᵀ + b_in, the attention core, then <paramref name="output"/> = heads·W_outᵀ + b_out.</summary>
        public static void Forward(SourceWriter writer, LayerContext c, string input, string output, bool causal, float dropout)
        {
            writer.Line($"global::NetGen.Kernels.Dense.Forward({input}, {InWeight(c, "p")}, {InBias(c, "p")}, {c.Local("Qkv")}, {Rows(c)}, {c.Const("Features")}, 3 * {c.Const("Features")});");
            string mask = "default";
            if (dropout > 0)
            {
                writer.Line($"global::System.Span<float> {c.Local("Drop")} = training ? {c.Local("WeightsMask")} : default; // dropout on the weights in training only");
                using (writer.Block("if (training)"))
                {
                    writer.Line($"global::NetGen.Kernels.Dropout.Mask({c.Local("WeightsMask")}, {Format.FloatLiteral(dropout)}, _dropoutRng);");
                }
                mask = c.Local("Drop");
            }
            writer.Line($"global::NetGen.Kernels.Attention.Forward({c.Local("Qkv")}, {c.Local("Heads")}, {c.Local("Weights")}, {c.KeyPadding ?? "default"}, " +
                $"causal: {(causal ? "true" : "false")}, {mask}, B, {c.Const("Steps")}, {c.Const("Heads")}, {c.Const("HeadDim")});");
            writer.Line($"global::NetGen.Kernels.Dense.Forward({c.Local("Heads")}, {OutWeight(c, "p")}, {OutBias(c, "p")}, {output}, {Rows(c)}, {c.Const("Features")}, {c.Const("Features")});");
        }

        /// <summary>
        /// Generation: the new position's q, k, v; its k and v appended to the stream's cache; attention over
        /// positions 0..position (the causal mask, by construction); the output projection into <paramref name="output"/>.
        /// </summary>
        public static void Step(SourceWriter writer, LayerContext c, string input, string output)
        {
            writer.Line($"global::System.Span<float> {c.Local("StepQkv")} = {c.Field("StepQkv")}.Slice(B * 3 * {c.Const("Features")}); // [B, 3D]");
            writer.Line($"global::System.Span<float> {c.Local("StepHeads")} = {c.Field("StepHeads")}.Slice(B * {c.Const("Features")}); // [B, D]");
            writer.Line($"global::System.Span<float> {c.Local("StepScratch")} = {c.Field("StepScratch")}" +
                $".Slice(B * global::NetGen.Kernels.Attention.StepScratchSize({c.Const("Steps")}, {c.Const("Heads")}));");
            writer.Line($"global::NetGen.Kernels.Dense.Forward({input}, {InWeight(c, "p")}, {InBias(c, "p")}, {c.Local("StepQkv")}, B, {c.Const("Features")}, 3 * {c.Const("Features")});");
            writer.Line($"global::NetGen.Kernels.Attention.Step({c.Local("StepQkv")}, {c.Field("KeyCache")}.Slice(B * {Values(c)}), {c.Field("ValueCache")}.Slice(B * {Values(c)}), " +
                $"{c.Local("StepHeads")}, {c.Local("StepScratch")}, {(c.KeyPadding is null ? "default" : "stepKeyPadding")}, position, B, {c.Const("Steps")}, {c.Const("Heads")}, " +
                $"{c.Const("HeadDim")});");
            writer.Line($"global::NetGen.Kernels.Dense.Forward({c.Local("StepHeads")}, {OutWeight(c, "p")}, {OutBias(c, "p")}, {output}, B, {c.Const("Features")}, {c.Const("Features")});");
        }

        public static IEnumerable<StepBuffer> StepBuffers(LayerContext c, string name, int features)
        {
            string d = Format.Int(features);
            yield return new StepBuffer(c.Field("KeyCache"), Values(c), $"[B, T, {d}] {name}: the keys of every position fed so far", State: true);
            yield return new StepBuffer(c.Field("ValueCache"), Values(c), $"[B, T, {d}] {name}: the values of every position fed so far", State: true);
            yield return new StepBuffer(c.Field("StepQkv"), "3 * " + c.Const("Features"), $"[B, {Format.Int(3 * features)}] {name}: this position's q | k | v", State: false);
            yield return new StepBuffer(c.Field("StepHeads"), c.Const("Features"), $"[B, {d}] {name}: this position's heads, concatenated", State: false);
            yield return new StepBuffer(c.Field("StepScratch"), $"global::NetGen.Kernels.Attention.StepScratchSize({c.Const("Steps")}, {c.Const("Heads")})",
                $"[B, …] {name}: this position's attention weights", State: false);
        }

        /// <summary>
        /// From <paramref name="dOutput"/>: the output projection's and in-projection's parameter gradients and,
        /// when <paramref name="dInput"/> is given, ∂L/∂input — written, or added to what is there when
        /// <paramref name="accumulate"/> (a residual branch joins the same input).
        /// </summary>
        public static void Backward(SourceWriter writer, LayerContext c, string input, string dOutput, string? dInput, bool accumulate, bool causal, float dropout)
        {
            writer.Line("// attention back: output projection, softmax(q·kᵀ/√d)·v per head, fused QKV projection");
            writer.Line($"global::NetGen.Kernels.Dense.BackwardParameters({dOutput}, {c.Local("Heads")}, {OutWeight(c, "g")}, {OutBias(c, "g")}, {Rows(c)}, {c.Const("Features")}, {c.Const("Features")});");
            writer.Line($"global::NetGen.Kernels.Dense.BackwardInput({dOutput}, {OutWeight(c, "p")}, {c.Local("DHeads")}, {Rows(c)}, {c.Const("Features")}, {c.Const("Features")});");
            writer.Line($"global::NetGen.Kernels.Attention.Backward({c.Local("Qkv")}, {c.Local("Weights")}, {c.Local("DHeads")}, {c.Local("DQkv")}, {c.KeyPadding ?? "default"}, " +
                $"causal: {(causal ? "true" : "false")}, {(dropout > 0 ? c.Local("WeightsMask") : "default")}, B, {c.Const("Steps")}, {c.Const("Heads")}, {c.Const("HeadDim")});");
            writer.Line($"global::NetGen.Kernels.Dense.BackwardParameters({c.Local("DQkv")}, {input}, {InWeight(c, "g")}, {InBias(c, "g")}, {Rows(c)}, {c.Const("Features")}, 3 * {c.Const("Features")});");
            writer.Line($"// the key bias's gradient is exactly 0 (a constant added to every score of a row cancels in its softmax): stored as 0, not as rounding noise");
            writer.Line($"{Slice(c, "g", "InProjBias", "3 * " + c.Const("Features"))}.Slice({c.Const("Features")}, {c.Const("Features")}).Clear();");
            if (dInput is not null)
            {
                writer.Line($"global::NetGen.Kernels.Gemm.MultiplyNN({Rows(c)}, {c.Const("Features")}, 3 * {c.Const("Features")}, {c.Local("DQkv")}, {InWeight(c, "p")}, {dInput}, " +
                    $"accumulate: {(accumulate ? "true" : "false")});");
            }
        }
    }

    /// <summary>[MultiHeadAttention]: self-attention as a layer of its own.</summary>
    internal sealed class AttentionEmitter : LayerEmitter
    {
        public static readonly AttentionEmitter Instance = new();

        private static AttentionSpec Spec(LayerContext context) => (AttentionSpec)context.Layer;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        public override void Constants(SourceWriter writer, LayerContext context) =>
            AttentionCode.Constants(writer, context, Spec(context).Steps, Spec(context).Features, Spec(context).Heads, $"{Spec(context).Name}: MultiHeadAttention {Spec(context).Input}");

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            AttentionSpec a = Spec(context);
            foreach (WorkspaceBuffer buffer in AttentionCode.Buffers(context, a.Name, a.Steps, a.Features, a.Heads, a.Dropout > 0))
            {
                yield return buffer;
            }
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), AttentionCode.Values(context), a.Output.ToString(), $"{a.Name}: heads·W_outᵀ + b_out", Role: BufferRole.Activation);
            yield return new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), AttentionCode.Values(context), a.Output.ToString(), $"{a.Name}: ∂L/∂y", Role: BufferRole.Gradient);
        }

        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) => buffer.Local != context.Local("Y");

        public override bool BackwardReadsParameters(LayerContext context) => true;

        public override void Initialize(SourceWriter writer, LayerContext context) => TransformerInit.Attention(writer, context, Spec(context).Name, Spec(context).Features);

        public override string Describe(LayerContext context) =>
            $"{Spec(context).Name}: MultiHeadAttention {Spec(context).Input}, {Spec(context).Heads} heads of {Spec(context).HeadDim}, " +
            "y = softmax(q·kᵀ/√d" + (Spec(context).Causal ? ", causal" : "") + (context.KeyPadding is null ? "" : ", padding keys masked") + ")·v, projected";

        public override void Forward(SourceWriter writer, LayerContext context) =>
            AttentionCode.Forward(writer, context, context.InputVar, context.Local("Y"), Spec(context).Causal, Spec(context).Dropout);

        /// <summary>Only causal attention can step: a position must not need the tokens after it.</summary>
        public override bool SupportsStep(LayerContext context) => Spec(context).Causal;

        public override bool StepReadsPosition(LayerContext context) => true;

        public override string Step(SourceWriter writer, LayerContext context, string input)
        {
            string y = context.Local("StepY");
            writer.Line($"// {Spec(context).Name}: this position attends to the cached keys and values of positions 0..position");
            writer.Line($"global::System.Span<float> {y} = {context.Field("StepY")}.Slice(B * {context.Const("Features")}); // [B, {Format.Int(Spec(context).Features)}]");
            AttentionCode.Step(writer, context, input, y);
            return y;
        }

        public override IEnumerable<StepBuffer> StepBuffers(LayerContext context)
        {
            foreach (StepBuffer buffer in AttentionCode.StepBuffers(context, Spec(context).Name, Spec(context).Features))
            {
                yield return buffer;
            }
            yield return new StepBuffer(context.Field("StepY"), context.Const("Features"), $"[B, {Format.Int(Spec(context).Features)}] {Spec(context).Name}: this step's output", State: false);
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            writer.Line($"// {Spec(context).Name} backward");
            AttentionCode.Backward(writer, context, context.InputVar, context.Local("Dy"), context.InputGradientVar, accumulate: false, Spec(context).Causal, Spec(context).Dropout);
        }
    }

    /// <summary>How attention blocks start, as PyTorch initializes them.</summary>
    internal static class TransformerInit
    {
        /// <summary>
        /// nn.MultiheadAttention: in_proj_weight ~ Xavier-uniform over [3D, D], biases 0, out_proj.weight as nn.Linear
        /// (U(−1/√D, 1/√D)), its bias 0.
        /// </summary>
        public static void Attention(SourceWriter writer, LayerContext c, string name, int features)
        {
            writer.Line($"// {name}: in_proj_weight ~ U(±√(6/(D + 3D))) (Xavier), out_proj.weight ~ U(±1/√D), biases 0, as nn.MultiheadAttention");
            writer.Line($"global::NetGen.Init.Uniform({AttentionCode.InWeight(c, "p")}, {Format.FloatLiteral((float)System.Math.Sqrt(6.0 / (features + 3.0 * features)))}, rng);");
            writer.Line($"global::NetGen.Init.Uniform({AttentionCode.OutWeight(c, "p")}, {Format.FloatLiteral((float)(1 / System.Math.Sqrt(features)))}, rng);");
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// LSTM and GRU through <c>Kernels.Lstm</c>/<c>Kernels.Gru</c>, one call per stacked layer each way:
    /// the kernel projects the inputs of all steps in one product and runs only h·W_hhᵀ per step; its
    /// <c>Saved</c> buffer keeps what backward needs (gates, cells). Without ReturnSequences the output
    /// is the last step, copied out of the top layer's sequence (and its gradient placed back there).
    /// </summary>
    internal sealed class RecurrentEmitter : LayerEmitter
    {
        public static readonly RecurrentEmitter Instance = new();

        private static RecurrentSpec Spec(LayerContext context) => (RecurrentSpec)context.Layer;

        private static string Kernel(LayerContext context) => Spec(context).Cell == RecurrentCell.Lstm ? "global::NetGen.Kernels.Lstm" : "global::NetGen.Kernels.Gru";

        private static int Top(LayerContext context) => Spec(context).Layers - 1;

        public override string OutputVar(LayerContext context) =>
            Spec(context).ReturnSequences ? context.Local("Y" + Top(context)) : context.Local("Last");

        public override string? OutputGradientVar(LayerContext context) =>
            Spec(context).ReturnSequences ? context.Local("Dy" + Top(context)) : context.Local("DLast");

        /// <summary>The input width of stacked layer k as a constant expression.</summary>
        private static string In(LayerContext context, int k) => k == 0 ? context.Const("In") : context.Const("Units");

        private static string Rows(LayerContext context) => $"{Spec(context).Gates} * {context.Const("Units")}";

        private static string Slice(LayerContext context, string buffer, string tensor, int k, bool weight, bool inputSide) =>
            $"{buffer}.Slice({context.Const(tensor + "L" + k)}, {Rows(context)}" +
            (weight ? " * " + (inputSide ? In(context, k) : context.Const("Units")) : "") + ")";

        /// <summary>W_ih, W_hh, b_ih, b_hh of stacked layer k in <paramref name="buffer"/> (p or g).</summary>
        private static string Weights(LayerContext context, string buffer, int k) =>
            $"{Slice(context, buffer, "WeightIh", k, weight: true, inputSide: true)}, {Slice(context, buffer, "WeightHh", k, weight: true, inputSide: false)}, " +
            $"{Slice(context, buffer, "BiasIh", k, weight: false, inputSide: false)}, {Slice(context, buffer, "BiasHh", k, weight: false, inputSide: false)}";

        private static string Dims(LayerContext context, int k) => $"B, {context.Const("Steps")}, {In(context, k)}, {context.Const("Units")}";

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            RecurrentSpec rnn = Spec(context);
            writer.Line($"private const int {context.Const("In")} = {Format.Int(rnn.InFeatures)}, {context.Const("Units")} = {Format.Int(rnn.Units)}, " +
                $"{context.Const("Steps")} = {Format.Int(rnn.Steps)}; // {rnn.Name}: {rnn.Kind} {rnn.Input} -> {rnn.Output}");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            RecurrentSpec rnn = Spec(context);
            string sequence = context.Const("Steps") + " * " + context.Const("Units");
            string shape = $"[B, {Format.Int(rnn.Steps)}, {Format.Int(rnn.Units)}]";
            for (int k = 0; k < rnn.Layers; k++)
            {
                string which = rnn.Layers > 1 ? $" (layer {k})" : "";
                yield return new WorkspaceBuffer(context.Field("Y" + k), context.Local("Y" + k), sequence, shape,
                    $"{rnn.Name}{which}: h at every step", Role: BufferRole.Activation);
                yield return new WorkspaceBuffer(context.Field("Saved" + k), context.Local("Saved" + k),
                    $"{Kernel(context)}.SavedSize({context.Const("Steps")}, {context.Const("Units")})", "[B, …]",
                    $"{rnn.Name}{which}: gates and cells of every step, for backward", Role: BufferRole.Activation);
                yield return new WorkspaceBuffer(context.Field("Dy" + k), context.Local("Dy" + k), sequence, shape,
                    $"{rnn.Name}{which}: ∂L/∂h at every step", Role: BufferRole.Gradient);
            }
            if (!rnn.ReturnSequences)
            {
                yield return new WorkspaceBuffer(context.Field("Last"), context.Local("Last"), context.Const("Units"), rnn.Output.ToString(),
                    $"{rnn.Name}: h at the last step", Role: BufferRole.Activation);
                yield return new WorkspaceBuffer(context.Field("DLast"), context.Local("DLast"), context.Const("Units"), rnn.Output.ToString(),
                    $"{rnn.Name}: ∂L/∂h at the last step", Role: BufferRole.Gradient);
            }
            yield return new WorkspaceBuffer(context.Field("Scratch"), context.Local("Scratch"), Scratch(context), "[B, …]",
                $"{rnn.Name}: backward's working space (gate gradients, carried ∂h and ∂c)", Role: BufferRole.Gradient);
        }

        private static string Scratch(LayerContext context)
        {
            string first = $"{Kernel(context)}.ScratchSize({context.Const("Steps")}, {context.Const("In")}, {context.Const("Units")})";
            return Spec(context).Layers == 1 || Spec(context).InFeatures == Spec(context).Units
                ? first
                : $"global::System.Math.Max({first}, {Kernel(context)}.ScratchSize({context.Const("Steps")}, {context.Const("Units")}, {context.Const("Units")}))";
        }

        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) => buffer.Local != context.Local("Last");

        public override bool BackwardReadsParameters(LayerContext context) => true;

        public override void Initialize(SourceWriter writer, LayerContext context)
        {
            RecurrentSpec rnn = Spec(context);
            float bound = (float)(1 / System.Math.Sqrt(rnn.Units));
            writer.Line($"// {rnn.Name}: every weight and bias ~ U(−1/√{rnn.Units}, 1/√{rnn.Units}), as nn.{(rnn.Cell == RecurrentCell.Lstm ? "LSTM" : "GRU")}");
            writer.Line($"global::NetGen.Init.Uniform(p.Slice({context.Const("WeightIhL0")}, {Format.Int(rnn.ParameterCount)}), {Format.FloatLiteral(bound)}, rng);");
        }

        public override string Describe(LayerContext context)
        {
            RecurrentSpec rnn = Spec(context);
            string cell = rnn.Cell == RecurrentCell.Lstm
                ? "c = f⊙c + i⊙g, h = o⊙tanh(c) (gates i, f, g, o)"
                : "h = (1 − z)⊙n + z⊙h, n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)) (gates r, z, n)";
            return $"{rnn.Name}: {rnn.Kind} {rnn.Input} -> {rnn.Output}" + (rnn.Layers > 1 ? $", {rnn.Layers} stacked layers" : "") +
                $", {cell}" + (rnn.ReturnSequences ? "" : ", last step out");
        }

        public override void Forward(SourceWriter writer, LayerContext context)
        {
            RecurrentSpec rnn = Spec(context);
            for (int k = 0; k < rnn.Layers; k++)
            {
                string input = k == 0 ? context.InputVar : context.Local("Y" + (k - 1));
                writer.Line($"{Kernel(context)}.Forward({input}, {Weights(context, "p", k)},");
                writer.Line($"    {context.Local("Y" + k)}, {context.Local("Saved" + k)}, {Dims(context, k)});");
            }
            if (!rnn.ReturnSequences)
            {
                writer.Line($"global::NetGen.Kernels.Sequence.LastStep({context.Local("Y" + Top(context))}, {context.Local("Last")}, B, {context.Const("Steps")}, {context.Const("Units")});");
            }
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            RecurrentSpec rnn = Spec(context);
            writer.Line($"// {rnn.Name} backward through time: per stacked layer, from the last step to the first, dW_ih, dW_hh, db (overwritten)" +
                (context.InputGradientVar is null ? "" : " and dx"));
            if (!rnn.ReturnSequences)
            {
                writer.Line($"global::NetGen.Kernels.Sequence.LastStepBackward({context.Local("DLast")}, {context.Local("Dy" + Top(context))}, B, {context.Const("Steps")}, {context.Const("Units")});");
            }
            for (int k = rnn.Layers - 1; k >= 0; k--)
            {
                string input = k == 0 ? context.InputVar : context.Local("Y" + (k - 1));
                string dx = k == 0 ? context.InputGradientVar ?? "default" : context.Local("Dy" + (k - 1));
                writer.Line($"{Kernel(context)}.Backward({input}, {Slice(context, "p", "WeightIh", k, true, true)}, {Slice(context, "p", "WeightHh", k, true, false)},");
                writer.Line($"    {context.Local("Y" + k)}, {context.Local("Saved" + k)}, {context.Local("Dy" + k)}, {dx},");
                writer.Line($"    {Weights(context, "g", k)},");
                writer.Line($"    {context.Local("Scratch")}, {Dims(context, k)});");
            }
        }

        public override bool SupportsStep(LayerContext context) => true;

        public override string Step(SourceWriter writer, LayerContext context, string input)
        {
            RecurrentSpec rnn = Spec(context);
            writer.Line($"// {rnn.Name}: one step of each stacked layer, carrying h" + (rnn.Cell == RecurrentCell.Lstm ? " and c" : ""));
            writer.Line($"global::System.Span<float> {context.Local("StepScratch")} = {context.Field("StepScratch")}.Slice(B * {Kernel(context)}.StepScratchSize({context.Const("Units")}));");
            string x = input;
            for (int k = 0; k < rnn.Layers; k++)
            {
                string h = context.Local("StateH" + k);
                writer.Line($"global::System.Span<float> {h} = {context.Field("StateH" + k)}.Slice(B * {context.Const("Units")}); // [B, {Format.Int(rnn.Units)}]");
                string state = h;
                if (rnn.Cell == RecurrentCell.Lstm)
                {
                    string c = context.Local("StateC" + k);
                    writer.Line($"global::System.Span<float> {c} = {context.Field("StateC" + k)}.Slice(B * {context.Const("Units")}); // [B, {Format.Int(rnn.Units)}]");
                    state = h + ", " + c;
                }
                writer.Line($"{Kernel(context)}.Step({x}, {Weights(context, "p", k)}, {state}, {context.Local("StepScratch")}, B, {In(context, k)}, {context.Const("Units")});");
                x = h;
            }
            return x;
        }

        public override IEnumerable<StepBuffer> StepBuffers(LayerContext context)
        {
            RecurrentSpec rnn = Spec(context);
            for (int k = 0; k < rnn.Layers; k++)
            {
                string which = rnn.Layers > 1 ? $" (layer {k})" : "";
                yield return new StepBuffer(context.Field("StateH" + k), context.Const("Units"), $"[B, {Format.Int(rnn.Units)}] {rnn.Name}{which}: h carried between steps", State: true);
                if (rnn.Cell == RecurrentCell.Lstm)
                {
                    yield return new StepBuffer(context.Field("StateC" + k), context.Const("Units"), $"[B, {Format.Int(rnn.Units)}] {rnn.Name}{which}: c carried between steps", State: true);
                }
            }
            yield return new StepBuffer(context.Field("StepScratch"), $"{Kernel(context)}.StepScratchSize({context.Const("Units")})", $"[B, …] {rnn.Name}: one step's gates", State: false);
        }
    }
}

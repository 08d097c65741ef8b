using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Dense: <c>z = x·Wᵀ + b</c> through the runtime's GEMM kernels, then the activation.
    /// Buffers: <c>Z</c> (pre-activation) only where backward or the loss needs it (GELU, or the
    /// output layer of a cross-entropy network); <c>Y</c> the output, computed in place over
    /// <c>z</c> otherwise; <c>Dy</c>/<c>Dz</c> the gradient, turned from ∂L/∂y into ∂L/∂z in place.
    /// </summary>
    internal sealed class DenseEmitter : LayerEmitter
    {
        public static readonly DenseEmitter Instance = new();

        /// <summary>Layers with at most this many weights are unrolled into straight-line code instead of calling the kernels.</summary>
        public const int UnrollLimit = 16;

        private static DenseSpec Spec(LayerContext context) => (DenseSpec)context.Layer;

        private static bool Unrolled(LayerContext context) => IsUnrolled(context);

        public static bool IsUnrolled(LayerContext context) =>
            !PerStep(context) && (long)Spec(context).Units * Spec(context).InFeatures <= UnrollLimit;

        /// <summary>Whether it applies at every step of a sequence: its rows are then B·T, not B.</summary>
        private static bool PerStep(LayerContext context) => Spec(context).Input.IsSequence;

        /// <summary>The rows the kernels see: <c>B</c>, or <c>B * DenseSteps</c> on a sequence.</summary>
        private static string Rows(LayerContext context) => PerStep(context) ? "B * " + context.Const("Steps") : "B";

        /// <summary>Floats per sample of its output and gradient.</summary>
        private static string PerSample(LayerContext context) =>
            PerStep(context) ? context.Const("Steps") + " * " + context.Const("Out") : context.Const("Out");

        /// <summary>Whether z is kept apart from y.</summary>
        private static bool KeepsZ(LayerContext context) =>
            context.FusedWithLoss || Spec(context).Activation == ActivationKind.Gelu;

        public override string OutputVar(LayerContext context) => context.Local("Y");

        public override string? OutputGradientVar(LayerContext context) => context.Local(context.FusedWithLoss ? "Dz" : "Dy");

        public override bool BackwardReadsParameters(LayerContext context) => context.InputGradientVar is not null;

        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer)
        {
            ActivationKind activation = Spec(context).Activation;
            if (buffer.Role != BufferRole.Activation)
            {
                return true;
            }
            // The derivative reads y (softmax, relu, sigmoid, …) or, for GELU, z.
            return AppliesOwnDerivative(context, activation)
                && buffer.Local == context.Local(activation == ActivationKind.Gelu ? "Z" : "Y");
        }

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            DenseSpec dense = Spec(context);
            writer.Line($"private const int {context.Const("In")} = {Format.Int(dense.InFeatures)}, {context.Const("Out")} = {Format.Int(dense.Units)}; // {dense.Name}: Dense {dense.Input} -> {dense.Output}");
            if (PerStep(context))
            {
                writer.Line($"private const int {context.Const("Steps")} = {Format.Int(dense.Steps)}; // {dense.Name} applies at each of {Format.Int(dense.Steps)} time steps");
            }
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext context)
        {
            DenseSpec dense = Spec(context);
            string perSample = PerSample(context);
            string shape = dense.Output.ToString();
            if (KeepsZ(context))
            {
                yield return new WorkspaceBuffer(context.Field("Z"), context.Local("Z"), perSample, shape,
                    context.FusedWithLoss ? $"{dense.Name}: logits z = x·Wᵀ + b" : $"{dense.Name}: pre-activation z = x·Wᵀ + b", Role: BufferRole.Activation);
            }
            string y = dense.Activation == ActivationKind.None
                ? "y = z"
                : $"y = {Format.FunctionName(dense.Activation)}(z)" + (KeepsZ(context) ? "" : ", in place over z");
            yield return new WorkspaceBuffer(context.Field("Y"), context.Local("Y"), perSample, shape, $"{dense.Name}: output {y}", Role: BufferRole.Activation);
            yield return context.FusedWithLoss
                ? new WorkspaceBuffer(context.Field("Dz"), context.Local("Dz"), perSample, shape, $"{dense.Name}: ∂L/∂z, written by the loss", Role: BufferRole.Gradient)
                : new WorkspaceBuffer(context.Field("Dy"), context.Local("Dy"), perSample, shape,
                    dense.Activation == ActivationKind.None ? $"{dense.Name}: ∂L/∂y (= ∂L/∂z)"
                    : context.DerivativeFusedInto is { } next ? $"{dense.Name}: ∂L/∂z, written by '{next}' with {Format.FunctionName(dense.Activation)}′ applied"
                    : $"{dense.Name}: ∂L/∂y, then ∂L/∂z in place", Role: BufferRole.Gradient);
        }

        public override void Initialize(SourceWriter writer, LayerContext context)
        {
            DenseSpec dense = Spec(context);
            writer.Line($"// {dense.Name}.weight [{Format.Int(dense.Units)}, {Format.Int(dense.InFeatures)}] ~ {Distribution(dense)}; {dense.Name}.bias [{Format.Int(dense.Units)}] = 0");
            writer.Line($"global::NetGen.Init.Weights(global::NetGen.Initializer.{dense.Init}, {Weight(context, "p")}, fanIn: {context.Const("In")}, fanOut: {context.Const("Out")}, rng);");
        }

        public override string Describe(LayerContext context)
        {
            DenseSpec dense = Spec(context);
            string formula = dense.Activation == ActivationKind.None
                ? "y = x·Wᵀ + b"
                : $"y = {Format.FunctionName(dense.Activation)}(x·Wᵀ + b)";
            return $"{dense.Name}: Dense {dense.Input} -> {dense.Output}, {formula}" +
                (Unrolled(context) ? $", unrolled ({Format.Int((long)dense.Units * dense.InFeatures)} weights)" : "") +
                (PerStep(context) ? ", at every time step (B·T rows)" : "");
        }

        public override void Forward(SourceWriter writer, LayerContext context)
        {
            DenseSpec dense = Spec(context);
            string z = KeepsZ(context) ? context.Local("Z") : context.Local("Y");
            string y = context.Local("Y");
            if (!Unrolled(context))
            {
                writer.Line($"global::NetGen.Kernels.Dense.Forward({context.InputVar}, {Weight(context, "p")}, {Bias(context, "p")}, {z}, {y}, {Rows(context)}, {context.Const("In")}, {context.Const("Out")}, global::NetGen.Activation.{dense.Activation});");
                return;
            }
            UnrolledForward(writer, context, z);
            string? call = dense.Activation switch
            {
                ActivationKind.None => null,
                ActivationKind.Softmax => $"global::NetGen.Kernels.Activations.Softmax({z}, {y}, {Rows(context)}, {context.Const("Out")});",
                _ => $"global::NetGen.Kernels.Activations.{dense.Activation}({z}, {y});",
            };
            if (call is not null)
            {
                writer.Line(call);
            }
        }

        public override void Backward(SourceWriter writer, LayerContext context)
        {
            DenseSpec dense = Spec(context);
            string d = OutputGradientVar(context)!;
            string activation = Format.FunctionName(dense.Activation);
            string dz = context.FusedWithLoss
                ? "dz = ∂L/∂z from the loss"
                : dense.Activation == ActivationKind.None ? "dz = dy"
                : context.DerivativeFusedInto is not null ? $"dz = dy ⊙ {activation}′, already applied by '{context.DerivativeFusedInto}'"
                : $"dz = dy ⊙ {activation}′ in place";
            string dx = context.InputGradientVar is null ? "the input needs no gradient"
                : context.FusedInputDerivative is { } f ? $"dz of '{f.Layer}' = (dz·W) ⊙ {Format.FunctionName(f.Activation)}′ {dense.Input}"
                : $"dx = dz·W {dense.Input}";
            writer.Line($"// {dense.Name} backward: {dz}; dW = dzᵀ·x [{Format.Int(dense.Units)}, {Format.Int(dense.InFeatures)}]; db = Σ_B dz [{Format.Int(dense.Units)}]; {dx}");
            if (!context.FusedWithLoss && context.DerivativeFusedInto is null)
            {
                string? call = dense.Activation switch
                {
                    ActivationKind.None => null,
                    ActivationKind.Softmax => $"global::NetGen.Kernels.Activations.SoftmaxBackward({context.Local("Y")}, {d}, {Rows(context)}, {context.Const("Out")});",
                    ActivationKind.Gelu => $"global::NetGen.Kernels.Activations.GeluBackward({context.Local("Z")}, {d});",
                    _ => $"global::NetGen.Kernels.Activations.{dense.Activation}Backward({context.Local("Y")}, {d});",
                };
                if (call is not null)
                {
                    writer.Line(call);
                }
            }
            if (Unrolled(context))
            {
                UnrolledBackward(writer, context, d);
                return;
            }
            writer.Line($"global::NetGen.Kernels.Dense.BackwardParameters({d}, {context.InputVar}, {Weight(context, "g")}, {Bias(context, "g")}, {Rows(context)}, {context.Const("In")}, {context.Const("Out")});");
            if (context.FusedInputDerivative is { } fused)
            {
                writer.Line($"global::NetGen.Kernels.Dense.BackwardInput({d}, {Weight(context, "p")}, {context.InputGradientVar}, {Rows(context)}, {context.Const("In")}, {context.Const("Out")}, global::NetGen.Activation.{fused.Activation}, {fused.OutputVar});");
            }
            else if (context.InputGradientVar is not null)
            {
                writer.Line($"global::NetGen.Kernels.Dense.BackwardInput({d}, {Weight(context, "p")}, {context.InputGradientVar}, {Rows(context)}, {context.Const("In")}, {context.Const("Out")});");
            }
        }

        public override bool SupportsStep(LayerContext context) => true;

        public override string Step(SourceWriter writer, LayerContext context, string input)
        {
            DenseSpec dense = Spec(context);
            string y = context.Local("StepY"), z = context.Local("StepZ");
            writer.Line($"// {dense.Name}: {(dense.Activation == ActivationKind.None ? "y = x·Wᵀ + b" : $"y = {Format.FunctionName(dense.Activation)}(x·Wᵀ + b)")} for this step");
            writer.Line($"global::System.Span<float> {z} = {context.Field("StepZ")}.Slice(B * {context.Const("Out")}); // [B, {Format.Int(dense.Units)}]");
            writer.Line($"global::System.Span<float> {y} = {context.Field("StepY")}.Slice(B * {context.Const("Out")}); // [B, {Format.Int(dense.Units)}]");
            writer.Line($"global::NetGen.Kernels.Dense.Forward({input}, {Weight(context, "p")}, {Bias(context, "p")}, {z}, {y}, B, {context.Const("In")}, {context.Const("Out")}, global::NetGen.Activation.{dense.Activation});");
            return y;
        }

        public override IEnumerable<StepBuffer> StepBuffers(LayerContext context)
        {
            string shape = $"[B, {Format.Int(Spec(context).Units)}]";
            yield return new StepBuffer(context.Field("StepZ"), context.Const("Out"), $"{shape} {Spec(context).Name}: this step's pre-activation", State: false);
            yield return new StepBuffer(context.Field("StepY"), context.Const("Out"), $"{shape} {Spec(context).Name}: this step's output", State: false);
        }

        /// <summary>z[s, o] = b[o] + Σ_i W[o, i]·x[s, i], with every weight in a local.</summary>
        private static void UnrolledForward(SourceWriter writer, LayerContext context, string z)
        {
            DenseSpec dense = Spec(context);
            using (writer.Block(null))
            {
                WeightLocals(writer, context, "p", "w", "b");
                using (writer.Block("for (int n = 0; n < B; n++)"))
                {
                    InputLocals(writer, context);
                    for (int o = 0; o < dense.Units; o++)
                    {
                        var terms = new System.Text.StringBuilder($"b{o}");
                        for (int i = 0; i < dense.InFeatures; i++)
                        {
                            terms.Append($" + w{o}_{i} * x{i}");
                        }
                        writer.Line($"{z}[n * {context.Const("Out")} + {o}] = {terms};");
                    }
                }
            }
        }

        /// <summary>dW[o, i] = Σ_s dz[s, o]·x[s, i]; db[o] = Σ_s dz[s, o]; dx[s, i] = Σ_o dz[s, o]·W[o, i].</summary>
        private static void UnrolledBackward(SourceWriter writer, LayerContext context, string d)
        {
            DenseSpec dense = Spec(context);
            string? dx = context.InputGradientVar;
            using (writer.Block(null))
            {
                if (dx is not null)
                {
                    WeightLocals(writer, context, "p", "w", null);
                }
                for (int o = 0; o < dense.Units; o++)
                {
                    var sums = new System.Text.StringBuilder($"float gb{o} = 0");
                    for (int i = 0; i < dense.InFeatures; i++)
                    {
                        sums.Append($", g{o}_{i} = 0");
                    }
                    writer.Line(sums + ";");
                }
                using (writer.Block("for (int n = 0; n < B; n++)"))
                {
                    InputLocals(writer, context);
                    for (int o = 0; o < dense.Units; o++)
                    {
                        writer.Line($"float d{o} = {d}[n * {context.Const("Out")} + {o}];");
                    }
                    for (int o = 0; o < dense.Units; o++)
                    {
                        var line = new System.Text.StringBuilder($"gb{o} += d{o};");
                        for (int i = 0; i < dense.InFeatures; i++)
                        {
                            line.Append($" g{o}_{i} += d{o} * x{i};");
                        }
                        writer.Line(line.ToString());
                    }
                    if (dx is not null)
                    {
                        for (int i = 0; i < dense.InFeatures; i++)
                        {
                            var terms = new System.Text.StringBuilder();
                            for (int o = 0; o < dense.Units; o++)
                            {
                                terms.Append(o == 0 ? "" : " + ").Append($"d{o} * w{o}_{i}");
                            }
                            writer.Line($"{dx}[n * {context.Const("In")} + {i}] = {terms};");
                        }
                    }
                }
                for (int o = 0; o < dense.Units; o++)
                {
                    var stores = new System.Text.StringBuilder();
                    for (int i = 0; i < dense.InFeatures; i++)
                    {
                        stores.Append($"g[{context.Const("Weight")} + {o * dense.InFeatures + i}] = g{o}_{i}; ");
                    }
                    writer.Line($"{stores}g[{context.Const("Bias")} + {o}] = gb{o};");
                }
            }
        }

        /// <summary><c>float w0_0 = p[HiddenWeight + 0], …;</c> and, unless <paramref name="bias"/> is null, <c>float b0 = p[HiddenBias + 0], …;</c>.</summary>
        private static void WeightLocals(SourceWriter writer, LayerContext context, string buffer, string weight, string? bias)
        {
            DenseSpec dense = Spec(context);
            for (int o = 0; o < dense.Units; o++)
            {
                var line = new System.Text.StringBuilder("float ");
                for (int i = 0; i < dense.InFeatures; i++)
                {
                    line.Append(i == 0 ? "" : ", ").Append($"{weight}{o}_{i} = {buffer}[{context.Const("Weight")} + {o * dense.InFeatures + i}]");
                }
                writer.Line(line + ";");
            }
            if (bias is not null)
            {
                var line = new System.Text.StringBuilder("float ");
                for (int o = 0; o < dense.Units; o++)
                {
                    line.Append(o == 0 ? "" : ", ").Append($"{bias}{o} = {buffer}[{context.Const("Bias")} + {o}]");
                }
                writer.Line(line + ";");
            }
        }

        /// <summary><c>float x0 = x[n * HiddenIn + 0], …;</c> for sample n.</summary>
        private static void InputLocals(SourceWriter writer, LayerContext context)
        {
            DenseSpec dense = Spec(context);
            var line = new System.Text.StringBuilder("float ");
            for (int i = 0; i < dense.InFeatures; i++)
            {
                line.Append(i == 0 ? "" : ", ").Append($"x{i} = {context.InputVar}[n * {context.Const("In")} + {i}]");
            }
            writer.Line(line + ";");
        }

        private static string Weight(LayerContext context, string buffer) =>
            $"{buffer}.Slice({context.Const("Weight")}, {context.Const("Out")} * {context.Const("In")})";

        private static string Bias(LayerContext context, string buffer) =>
            $"{buffer}.Slice({context.Const("Bias")}, {context.Const("Out")})";

        private static string Distribution(DenseSpec dense)
        {
            string fanIn = Format.Int(dense.InFeatures);
            string fans = $"{fanIn}+{Format.Int(dense.Units)}";
            return dense.Init switch
            {
                InitializerKind.GlorotUniform => $"U(±√(6/({fans})))",
                InitializerKind.GlorotNormal => $"N(0, 2/({fans}))",
                InitializerKind.HeUniform => $"U(±√(6/{fanIn}))",
                InitializerKind.HeNormal => $"N(0, 2/{fanIn})",
                InitializerKind.TorchUniform => $"U(±1/√{fanIn})",
                InitializerKind.Zeros => "0",
                _ => $"N(0, 1/{fanIn})",
            };
        }
    }
}

using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// One encoder block, as nn.TransformerEncoderLayer computes it. Post-norm:
    /// <c>s1 = x + drop(SA(x)); n1 = norm1(s1); s2 = n1 + drop(FF(n1)); y = norm2(s2)</c>.
    /// Pre-norm: <c>n1 = norm1(x); s1 = x + drop(SA(n1)); n2 = norm2(s1); y = s1 + drop(FF(n2))</c>.
    /// <c>FF(h) = linear2(drop(act(linear1(h))))</c>. Each residual input (x, and n1 or s1) feeds two
    /// branches, so its gradient is the sum of both: the residual's share is copied in first and the
    /// branch's product is added on top (<c>accumulate: true</c>), in a fixed order.
    /// </summary>
    internal sealed class TransformerEncoderEmitter : LayerEmitter
    {
        public static readonly TransformerEncoderEmitter Instance = new();

        private static TransformerEncoderSpec Spec(LayerContext context) => (TransformerEncoderSpec)context.Layer;

        private static bool Drops(LayerContext context) => Spec(context).Dropout > 0;

        private static bool KeepsHiddenZ(LayerContext context) => Spec(context).Activation == ActivationKind.Gelu;

        public override string OutputVar(LayerContext context) => context.Local(Spec(context).NormFirst ? "Sum2" : "Norm2");

        public override string? OutputGradientVar(LayerContext context) => context.Local("Dy");

        private static string Values(LayerContext c) => AttentionCode.Values(c);

        private static string Hidden(LayerContext c) => c.Const("Steps") + " * " + c.Const("FeedForward");

        private static string Rows(LayerContext c) => AttentionCode.Rows(c);

        private static string P(LayerContext c, string buffer, string tensor, string length) => AttentionCode.Slice(c, buffer, tensor, length);

        private static string Vector(LayerContext c, string buffer, string tensor) => P(c, buffer, tensor, c.Const("Features"));

        public override void Constants(SourceWriter writer, LayerContext context)
        {
            TransformerEncoderSpec e = Spec(context);
            AttentionCode.Constants(writer, context, e.Steps, e.Features, e.Heads, $"{e.Name}: TransformerEncoder {e.Input}");
            writer.Line($"private const int {context.Const("FeedForward")} = {Format.Int(e.FeedForward)}; // {e.Name}: feed-forward width");
        }

        public override IEnumerable<WorkspaceBuffer> Buffers(LayerContext c)
        {
            TransformerEncoderSpec e = Spec(c);
            string shape = e.Output.ToString(), hiddenShape = $"[B, {Format.Int(e.Steps)}, {Format.Int(e.FeedForward)}]";
            string stats = "2 * " + c.Const("Steps"), statsShape = $"[B, {Format.Int(e.Steps)}, 2]";
            foreach (WorkspaceBuffer buffer in AttentionCode.Buffers(c, e.Name, e.Steps, e.Features, e.Heads, Drops(c)))
            {
                yield return buffer;
            }
            WorkspaceBuffer Activation(string suffix, string perSample, string bufferShape, string what) =>
                new(c.Field(suffix), c.Local(suffix), perSample, bufferShape, $"{e.Name}: {what}", Role: BufferRole.Activation);
            WorkspaceBuffer Saved(string suffix, string perSample, string bufferShape, string what) =>
                new(c.Field(suffix), c.Local(suffix), perSample, bufferShape, $"{e.Name}: {what}", Role: BufferRole.Saved);
            WorkspaceBuffer Gradient(string suffix, string perSample, string bufferShape, string what) =>
                new(c.Field(suffix), c.Local(suffix), perSample, bufferShape, $"{e.Name}: {what}", Role: BufferRole.Gradient);

            yield return Activation("Attended", Values(c), shape, "self-attention output (dropped out in training)");
            yield return Activation("Sum1", Values(c), shape, "s1 = x + attention");
            yield return Activation("Norm1", Values(c), shape, e.NormFirst ? "n1 = norm1(x)" : "n1 = norm1(s1)");
            yield return Activation("Norm1Stats", stats, statsShape, "norm1's mean and 1/σ per position");
            if (e.NormFirst)
            {
                yield return Activation("Norm2", Values(c), shape, "n2 = norm2(s1)");
                yield return Activation("Norm2Stats", stats, statsShape, "norm2's mean and 1/σ per position");
            }
            if (KeepsHiddenZ(c))
            {
                yield return Activation("HiddenZ", Hidden(c), hiddenShape, "linear1's output before GELU");
            }
            yield return Activation("Hidden", Hidden(c), hiddenShape, $"{Format.FunctionName(e.Activation)}(linear1(·)) (dropped out in training)");
            yield return Activation("Fed", Values(c), shape, "linear2's output (dropped out in training)");
            yield return Activation("Sum2", Values(c), shape, e.NormFirst ? "y = s1 + feed-forward" : "s2 = n1 + feed-forward");
            if (!e.NormFirst)
            {
                yield return Activation("Norm2", Values(c), shape, "y = norm2(s2)");
                yield return Activation("Norm2Stats", stats, statsShape, "norm2's mean and 1/σ per position");
            }
            if (Drops(c))
            {
                yield return Saved("AttendedMask", Values(c), shape, "dropout mask after attention");
                yield return Saved("HiddenMask", Hidden(c), hiddenShape, "dropout mask inside the feed-forward network");
                yield return Saved("FedMask", Values(c), shape, "dropout mask after the feed-forward network");
            }
            yield return Gradient("Dy", Values(c), shape, "∂L/∂y");
            yield return Gradient("DSum", Values(c), shape, "∂L/∂s2, then ∂L/∂s1");
            yield return Gradient("DNorm", Values(c), shape, "∂L/∂(a LayerNorm's output)");
            yield return Gradient("DHidden", Hidden(c), hiddenShape, "∂L/∂(the feed-forward hidden layer)");
            if (Drops(c))
            {
                yield return Gradient("DBranch", Values(c), shape, "a branch's gradient through its dropout mask");
            }
        }

        public override bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) => buffer.Local != OutputVar(context);

        public override bool BackwardReadsParameters(LayerContext context) => true;

        public override void Initialize(SourceWriter writer, LayerContext c)
        {
            TransformerEncoderSpec e = Spec(c);
            TransformerInit.Attention(writer, c, e.Name + ".self_attn", e.Features);
            writer.Line($"// {e.Name}.linear1, linear2: weights and biases ~ U(±1/√fan_in), as nn.Linear; norm1, norm2: weight 1, bias 0");
            float bound1 = (float)(1 / System.Math.Sqrt(e.Features)), bound2 = (float)(1 / System.Math.Sqrt(e.FeedForward));
            writer.Line($"global::NetGen.Init.Uniform({P(c, "p", "Linear1Weight", $"{c.Const("FeedForward")} * {c.Const("Features")}")}, {Format.FloatLiteral(bound1)}, rng);");
            writer.Line($"global::NetGen.Init.Uniform({P(c, "p", "Linear1Bias", c.Const("FeedForward"))}, {Format.FloatLiteral(bound1)}, rng);");
            writer.Line($"global::NetGen.Init.Uniform({P(c, "p", "Linear2Weight", $"{c.Const("Features")} * {c.Const("FeedForward")}")}, {Format.FloatLiteral(bound2)}, rng);");
            writer.Line($"global::NetGen.Init.Uniform({Vector(c, "p", "Linear2Bias")}, {Format.FloatLiteral(bound2)}, rng);");
            writer.Line($"{Vector(c, "p", "Norm1Weight")}.Fill(1f);");
            writer.Line($"{Vector(c, "p", "Norm2Weight")}.Fill(1f);");
        }

        public override string Describe(LayerContext context)
        {
            TransformerEncoderSpec e = Spec(context);
            string attention = "SA" + (e.Causal ? " (causal)" : "");
            return $"{e.Name}: TransformerEncoder {e.Input}, {e.Heads} heads of {e.HeadDim}, feed-forward {e.FeedForward} {Format.FunctionName(e.Activation)}, " +
                (e.NormFirst ? $"x + {attention}(norm1(x)), then + FF(norm2(·))" : $"norm1(x + {attention}(x)), then norm2(· + FF(·))") +
                (e.Dropout > 0 ? $", dropout {Format.Float(e.Dropout)} in training" : "") + (context.KeyPadding is null ? "" : ", padding keys masked");
        }

        private void LayerNormForward(SourceWriter w, LayerContext c, string input, string output, string stats, string norm) =>
            w.Line($"global::NetGen.Kernels.LayerNorm.Forward({input}, {Vector(c, "p", norm + "Weight")}, {Vector(c, "p", norm + "Bias")}, {c.Local(output)}, " +
                $"{c.Local(stats)}, {Rows(c)}, {c.Const("Features")}, {Format.FloatLiteral(Spec(c).Epsilon)});");

        private void LayerNormBackward(SourceWriter w, LayerContext c, string dOutput, string input, string stats, string norm, string dInput, bool accumulate) =>
            w.Line($"global::NetGen.Kernels.LayerNorm.Backward({dOutput}, {input}, {Vector(c, "p", norm + "Weight")}, {c.Local(stats)}, {dInput}, " +
                $"{Vector(c, "g", norm + "Weight")}, {Vector(c, "g", norm + "Bias")}, {Rows(c)}, {c.Const("Features")}, accumulate: {(accumulate ? "true" : "false")});");

        /// <summary>In training, <paramref name="values"/> *= a fresh mask (kept in <paramref name="mask"/>).</summary>
        private void DropoutForward(SourceWriter w, LayerContext c, string values, string mask)
        {
            if (!Drops(c))
            {
                return;
            }
            using (w.Block("if (training)"))
            {
                w.Line($"global::NetGen.Kernels.Dropout.Forward({c.Local(values)}, {c.Local(values)}, {c.Local(mask)}, {Format.FloatLiteral(Spec(c).Dropout)}, _dropoutRng);");
            }
        }

        /// <summary>The gradient a dropped-out branch receives: <paramref name="gradient"/> itself, or through the mask into DBranch.</summary>
        private string ThroughMask(SourceWriter w, LayerContext c, string gradient, string mask)
        {
            if (!Drops(c))
            {
                return gradient;
            }
            w.Line($"global::NetGen.Kernels.Dropout.Backward({gradient}, {c.Local(mask)}, {c.Local("DBranch")});");
            return c.Local("DBranch");
        }

        private void FeedForward(SourceWriter w, LayerContext c, string input)
        {
            TransformerEncoderSpec e = Spec(c);
            string z = KeepsHiddenZ(c) ? c.Local("HiddenZ") : c.Local("Hidden");
            w.Line($"global::NetGen.Kernels.Dense.Forward({input}, {P(c, "p", "Linear1Weight", $"{c.Const("FeedForward")} * {c.Const("Features")}")}, " +
                $"{P(c, "p", "Linear1Bias", c.Const("FeedForward"))}, {z}, {c.Local("Hidden")}, {Rows(c)}, {c.Const("Features")}, {c.Const("FeedForward")}, global::NetGen.Activation.{e.Activation});");
            DropoutForward(w, c, "Hidden", "HiddenMask");
            w.Line($"global::NetGen.Kernels.Dense.Forward({c.Local("Hidden")}, {P(c, "p", "Linear2Weight", $"{c.Const("Features")} * {c.Const("FeedForward")}")}, " +
                $"{Vector(c, "p", "Linear2Bias")}, {c.Local("Fed")}, {Rows(c)}, {c.Const("FeedForward")}, {c.Const("Features")});");
            DropoutForward(w, c, "Fed", "FedMask");
        }

        /// <summary>From ∂L/∂(the block's feed-forward output) to its parameter gradients and ∂L/∂(its input), written into DNorm.</summary>
        private void FeedForwardBackward(SourceWriter w, LayerContext c, string dFed, string input)
        {
            TransformerEncoderSpec e = Spec(c);
            w.Line($"// feed-forward branch back: dropout, linear2, dropout, {Format.FunctionName(e.Activation)}′, linear1");
            string d = ThroughMask(w, c, dFed, "FedMask");
            w.Line($"global::NetGen.Kernels.Dense.BackwardParameters({d}, {c.Local("Hidden")}, {P(c, "g", "Linear2Weight", $"{c.Const("Features")} * {c.Const("FeedForward")}")}, " +
                $"{Vector(c, "g", "Linear2Bias")}, {Rows(c)}, {c.Const("FeedForward")}, {c.Const("Features")});");
            w.Line($"global::NetGen.Kernels.Dense.BackwardInput({d}, {P(c, "p", "Linear2Weight", $"{c.Const("Features")} * {c.Const("FeedForward")}")}, {c.Local("DHidden")}, " +
                $"{Rows(c)}, {c.Const("FeedForward")}, {c.Const("Features")});");
            if (Drops(c))
            {
                w.Line($"global::NetGen.Kernels.Dropout.Backward({c.Local("DHidden")}, {c.Local("HiddenMask")}, {c.Local("DHidden")});");
            }
            // ReLU′ reads the kept hidden values: where dropout zeroed one, its gradient is already 0.
            w.Line(e.Activation == ActivationKind.Gelu
                ? $"global::NetGen.Kernels.Activations.GeluBackward({c.Local("HiddenZ")}, {c.Local("DHidden")});"
                : $"global::NetGen.Kernels.Activations.ReLUBackward({c.Local("Hidden")}, {c.Local("DHidden")});");
            w.Line($"global::NetGen.Kernels.Dense.BackwardParameters({c.Local("DHidden")}, {input}, {P(c, "g", "Linear1Weight", $"{c.Const("FeedForward")} * {c.Const("Features")}")}, " +
                $"{P(c, "g", "Linear1Bias", c.Const("FeedForward"))}, {Rows(c)}, {c.Const("Features")}, {c.Const("FeedForward")});");
        }

        public override void Forward(SourceWriter w, LayerContext c)
        {
            TransformerEncoderSpec e = Spec(c);
            string x = c.InputVar;
            if (e.NormFirst)
            {
                w.Line("// pre-norm: n1 = norm1(x); s1 = x + drop(SA(n1)); n2 = norm2(s1); y = s1 + drop(FF(n2))");
                LayerNormForward(w, c, x, "Norm1", "Norm1Stats", "Norm1");
                AttentionCode.Forward(w, c, c.Local("Norm1"), c.Local("Attended"), e.Causal, e.Dropout);
                DropoutForward(w, c, "Attended", "AttendedMask");
                w.Line($"global::NetGen.Kernels.Residual.Add({x}, {c.Local("Attended")}, {c.Local("Sum1")}, B * {Values(c)});");
                LayerNormForward(w, c, c.Local("Sum1"), "Norm2", "Norm2Stats", "Norm2");
                FeedForward(w, c, c.Local("Norm2"));
                w.Line($"global::NetGen.Kernels.Residual.Add({c.Local("Sum1")}, {c.Local("Fed")}, {c.Local("Sum2")}, B * {Values(c)});");
                return;
            }
            w.Line("// post-norm: s1 = x + drop(SA(x)); n1 = norm1(s1); s2 = n1 + drop(FF(n1)); y = norm2(s2)");
            AttentionCode.Forward(w, c, x, c.Local("Attended"), e.Causal, e.Dropout);
            DropoutForward(w, c, "Attended", "AttendedMask");
            w.Line($"global::NetGen.Kernels.Residual.Add({x}, {c.Local("Attended")}, {c.Local("Sum1")}, B * {Values(c)});");
            LayerNormForward(w, c, c.Local("Sum1"), "Norm1", "Norm1Stats", "Norm1");
            FeedForward(w, c, c.Local("Norm1"));
            w.Line($"global::NetGen.Kernels.Residual.Add({c.Local("Norm1")}, {c.Local("Fed")}, {c.Local("Sum2")}, B * {Values(c)});");
            LayerNormForward(w, c, c.Local("Sum2"), "Norm2", "Norm2Stats", "Norm2");
        }

        /// <summary>A causal block can step (generation with a key/value cache); a bidirectional one cannot.</summary>
        public override bool SupportsStep(LayerContext context) => Spec(context).Causal;

        public override bool StepReadsPosition(LayerContext context) => true;

        public override IEnumerable<StepBuffer> StepBuffers(LayerContext c)
        {
            TransformerEncoderSpec e = Spec(c);
            string d = $"[B, {Format.Int(e.Features)}]";
            foreach (StepBuffer buffer in AttentionCode.StepBuffers(c, e.Name, e.Features))
            {
                yield return buffer;
            }
            foreach (string suffix in new[] { "StepAttended", "StepSum1", "StepNorm1", "StepFed", "StepSum2", "StepNorm2" })
            {
                yield return new StepBuffer(c.Field(suffix), c.Const("Features"), $"{d} {e.Name}: this position's {suffix.Substring(4)}", State: false);
            }
            yield return new StepBuffer(c.Field("StepHiddenZ"), c.Const("FeedForward"), $"[B, {Format.Int(e.FeedForward)}] {e.Name}: this position's linear1 output", State: false);
            yield return new StepBuffer(c.Field("StepHidden"), c.Const("FeedForward"), $"[B, {Format.Int(e.FeedForward)}] {e.Name}: this position's hidden layer", State: false);
            yield return new StepBuffer(c.Field("StepStats"), "2", $"[B, 2] {e.Name}: a LayerNorm's statistics for this position", State: false);
        }

        /// <summary>The block for one new position per stream: the forward pass on B rows, attention reading the cache (inference: no dropout).</summary>
        public override string Step(SourceWriter w, LayerContext c, string input)
        {
            TransformerEncoderSpec e = Spec(c);
            string Local(string suffix) => c.Local(suffix);
            w.Line($"// {e.Name}: this position through the block, attending to the cached keys and values of positions 0..position");
            foreach (string suffix in new[] { "StepAttended", "StepSum1", "StepNorm1", "StepFed", "StepSum2", "StepNorm2" })
            {
                w.Line($"global::System.Span<float> {Local(suffix)} = {c.Field(suffix)}.Slice(B * {c.Const("Features")});");
            }
            w.Line($"global::System.Span<float> {Local("StepHiddenZ")} = {c.Field("StepHiddenZ")}.Slice(B * {c.Const("FeedForward")});");
            w.Line($"global::System.Span<float> {Local("StepHidden")} = {c.Field("StepHidden")}.Slice(B * {c.Const("FeedForward")});");
            w.Line($"global::System.Span<float> {Local("StepStats")} = {c.Field("StepStats")}.Slice(2 * B);");
            void Norm(string from, string to, string norm) =>
                w.Line($"global::NetGen.Kernels.LayerNorm.Forward({from}, {Vector(c, "p", norm + "Weight")}, {Vector(c, "p", norm + "Bias")}, {to}, {Local("StepStats")}, " +
                    $"B, {c.Const("Features")}, {Format.FloatLiteral(e.Epsilon)});");
            void FeedForwardStep(string from)
            {
                w.Line($"global::NetGen.Kernels.Dense.Forward({from}, {P(c, "p", "Linear1Weight", $"{c.Const("FeedForward")} * {c.Const("Features")}")}, " +
                    $"{P(c, "p", "Linear1Bias", c.Const("FeedForward"))}, {Local("StepHiddenZ")}, {Local("StepHidden")}, B, {c.Const("Features")}, {c.Const("FeedForward")}, " +
                    $"global::NetGen.Activation.{e.Activation});");
                w.Line($"global::NetGen.Kernels.Dense.Forward({Local("StepHidden")}, {P(c, "p", "Linear2Weight", $"{c.Const("Features")} * {c.Const("FeedForward")}")}, " +
                    $"{Vector(c, "p", "Linear2Bias")}, {Local("StepFed")}, B, {c.Const("FeedForward")}, {c.Const("Features")});");
            }
            string n = c.Const("Features");
            if (e.NormFirst)
            {
                Norm(input, Local("StepNorm1"), "Norm1");
                AttentionCode.Step(w, c, Local("StepNorm1"), Local("StepAttended"));
                w.Line($"global::NetGen.Kernels.Residual.Add({input}, {Local("StepAttended")}, {Local("StepSum1")}, B * {n});");
                Norm(Local("StepSum1"), Local("StepNorm2"), "Norm2");
                FeedForwardStep(Local("StepNorm2"));
                w.Line($"global::NetGen.Kernels.Residual.Add({Local("StepSum1")}, {Local("StepFed")}, {Local("StepSum2")}, B * {n});");
                return Local("StepSum2");
            }
            AttentionCode.Step(w, c, input, Local("StepAttended"));
            w.Line($"global::NetGen.Kernels.Residual.Add({input}, {Local("StepAttended")}, {Local("StepSum1")}, B * {n});");
            Norm(Local("StepSum1"), Local("StepNorm1"), "Norm1");
            FeedForwardStep(Local("StepNorm1"));
            w.Line($"global::NetGen.Kernels.Residual.Add({Local("StepNorm1")}, {Local("StepFed")}, {Local("StepSum2")}, B * {n});");
            Norm(Local("StepSum2"), Local("StepNorm2"), "Norm2");
            return Local("StepNorm2");
        }

        public override void Backward(SourceWriter w, LayerContext c)
        {
            TransformerEncoderSpec e = Spec(c);
            string x = c.InputVar, dy = c.Local("Dy"), dSum = c.Local("DSum"), dNorm = c.Local("DNorm");
            string? dx = c.InputGradientVar;
            if (e.NormFirst)
            {
                w.Line($"// {e.Name} backward (pre-norm): s1 and x each feed a branch and the residual, so their gradients are sums");
                FeedForwardBackward(w, c, dy, c.Local("Norm2"));
                w.Line($"global::NetGen.Kernels.Dense.BackwardInput({c.Local("DHidden")}, {P(c, "p", "Linear1Weight", $"{c.Const("FeedForward")} * {c.Const("Features")}")}, {dNorm}, " +
                    $"{Rows(c)}, {c.Const("Features")}, {c.Const("FeedForward")});");
                w.Line($"{dy}.CopyTo({dSum}); // ∂L/∂s1 = dy (residual) + norm2's backward (added next)");
                LayerNormBackward(w, c, dNorm, c.Local("Sum1"), "Norm2Stats", "Norm2", dSum, accumulate: true);
                string dAttended = ThroughMask(w, c, dSum, "AttendedMask");
                AttentionCode.Backward(w, c, c.Local("Norm1"), dAttended, dNorm, accumulate: false, e.Causal, e.Dropout);
                if (dx is not null)
                {
                    w.Line($"{dSum}.CopyTo({dx}); // ∂L/∂x = ∂L/∂s1 (residual) + norm1's backward (added next)");
                }
                LayerNormBackward(w, c, dNorm, x, "Norm1Stats", "Norm1", dx ?? dSum, accumulate: dx is not null);
                return;
            }
            w.Line($"// {e.Name} backward (post-norm): n1 and x each feed a branch and the residual, so their gradients are sums");
            LayerNormBackward(w, c, dy, c.Local("Sum2"), "Norm2Stats", "Norm2", dSum, accumulate: false);
            FeedForwardBackward(w, c, dSum, c.Local("Norm1"));
            w.Line($"{dSum}.CopyTo({dNorm}); // ∂L/∂n1 = ∂L/∂s2 (residual) + the feed-forward's input gradient (added next)");
            w.Line($"global::NetGen.Kernels.Gemm.MultiplyNN({Rows(c)}, {c.Const("Features")}, {c.Const("FeedForward")}, {c.Local("DHidden")}, " +
                $"{P(c, "p", "Linear1Weight", $"{c.Const("FeedForward")} * {c.Const("Features")}")}, {dNorm}, accumulate: true);");
            LayerNormBackward(w, c, dNorm, c.Local("Sum1"), "Norm1Stats", "Norm1", dSum, accumulate: false);
            string dAtt = ThroughMask(w, c, dSum, "AttendedMask");
            if (dx is not null)
            {
                w.Line($"{dSum}.CopyTo({dx}); // ∂L/∂x = ∂L/∂s1 (residual) + self-attention's input gradient (added next)");
            }
            AttentionCode.Backward(w, c, x, dAtt, dx, accumulate: true, e.Causal, e.Dropout);
        }
    }
}

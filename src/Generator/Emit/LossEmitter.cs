using NetGen.Generator.Model;

namespace NetGen.Generator.Emit
{
    /// <summary>
    /// The loss, read from the output layer's spans. The cross-entropies are fused with their
    /// Softmax/Sigmoid output: the runtime reads the logits for a stable loss and writes
    /// ∂L/∂z = (p − y) / n straight into the output layer's gradient buffer.
    /// </summary>
    internal static class LossEmitter
    {
        public static string TargetType(LossKind loss) => loss == LossKind.CrossEntropy ? "int" : "float";

        public static string TargetName(LossKind loss) => loss == LossKind.CrossEntropy ? "labels" : "targets";

        /// <summary>A one-line formula for the comment above the loss.</summary>
        public static string Describe(LossKind loss, string outputLayer, bool perStep = false) => loss switch
        {
            LossKind.CrossEntropy when perStep =>
                $"cross-entropy of softmax(z) at every time step, fused with '{outputLayer}': L = mean over B·T of (logsumexp(z) − z[label]); ∂L/∂z = (p − onehot(label)) / (B·T)",
            LossKind.CrossEntropy =>
                $"cross-entropy of softmax(z), fused with '{outputLayer}': L = mean_B(logsumexp(z) − z[label]); ∂L/∂z = (p − onehot(label)) / B",
            LossKind.BinaryCrossEntropy =>
                $"binary cross-entropy of sigmoid(z), fused with '{outputLayer}': L = mean(max(z, 0) − z·t + log(1 + e^−|z|)); ∂L/∂z = (p − t) / (B·OutputSize)",
            _ => $"mean squared error of '{outputLayer}': L = mean((y − t)²); ∂L/∂y = 2(y − t) / (B·OutputSize)",
        };

        /// <summary>
        /// The return statement of the loss pass. <paramref name="z"/> and <paramref name="y"/> are the
        /// output layer's logits and output spans, <paramref name="gradient"/> its gradient span
        /// (null when nothing upstream has parameters); <paramref name="targets"/> replaces the targets argument
        /// (regrouped targets of an image output).
        /// </summary>
        public static void Emit(SourceWriter writer, LossKind loss, string? z, string y, string? gradient, bool perStep = false, string? targets = null)
        {
            // A class per time step: B·T rows of Classes, the mean taken over all of them.
            string rows = perStep ? "B * TargetSize" : "B";
            string classes = perStep ? "Classes" : "OutputSize";
            string target = targets ?? TargetName(loss);
            string grad = gradient ?? "default";
            writer.Line(loss switch
            {
                LossKind.CrossEntropy => $"return global::NetGen.Losses.SoftmaxCrossEntropy({z}, {y}, {target}, {rows}, {classes}, {grad});",
                LossKind.BinaryCrossEntropy => $"return global::NetGen.Losses.SigmoidBinaryCrossEntropy({z}, {y}, {target}, {grad});",
                _ => $"return global::NetGen.Losses.MeanSquaredError({y}, {target}, {grad});",
            });
        }
    }
}

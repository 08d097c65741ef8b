using NetGen.Generator.Emit;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Planning
{
    /// <summary>
    /// Where one layer sits in the plan: the span its input arrives in, the span (if any)
    /// that wants the gradient with respect to that input, and whether it is the output layer the
    /// loss reads. Names of the layer's own constants, fields and locals derive from its identifier.
    /// </summary>
    internal sealed class LayerContext
    {
        public LayerContext(LayerSpec layer, int index, string inputVar, string? inputGradientVar, bool isOutput, LossKind loss,
            bool inputChannelMajor = false, bool hasModes = false)
        {
            InputChannelMajor = inputChannelMajor;
            HasModes = hasModes;
            Layer = layer;
            Index = index;
            InputVar = inputVar;
            InputGradientVar = inputGradientVar;
            IsOutput = isOutput;
            Loss = loss;
        }

        public LayerSpec Layer { get; }

        /// <summary>The local span of the key-padding mask [B, T] (1 = padding), for layers that read it in a network that masks padding; else null.</summary>
        public string? KeyPadding { get; init; }

        /// <summary>The layer's kind: its rules, tensors and emitter.</summary>
        public LayerKind Kind => LayerKinds.Of(Layer);

        public LayerEmitter Emitter => Kind.Emitter;

        /// <summary>
        /// Whether ∂L/∂input is added to what is already there rather than written: true where the input
        /// tensor feeds several consumers (a residual connection), whose gradients sum.
        /// </summary>
        public bool InputGradientAccumulates { get; init; }

        public int Index { get; }

        /// <summary>The local span holding this layer's input, [B, in…].</summary>
        public string InputVar { get; }

        /// <summary>The local span that receives ∂L/∂input, or null when nothing upstream needs it.</summary>
        public string? InputGradientVar { get; }

        public bool IsOutput { get; }

        public LossKind Loss { get; }

        /// <summary>Whether the input span is channel-major, [C, B, H, W] (spatial layers' layout), rather than batch-major.</summary>
        public bool InputChannelMajor { get; }

        /// <summary>Whether the passes take a <c>training</c> flag (the network has dropout or batch-norm).</summary>
        public bool HasModes { get; }

        /// <summary>
        /// Set when this layer's input-gradient product also applies the previous layer's activation
        /// derivative (read from that layer's output span): the previous layer then gets ∂L/∂z directly.
        /// </summary>
        public (ActivationKind Activation, string OutputVar, string Layer)? FusedInputDerivative { get; init; }

        /// <summary>Set when the next layer's input-gradient product already applied this layer's activation derivative.</summary>
        public string? DerivativeFusedInto { get; init; }

        /// <summary>
        /// On a max pooling: the convolution before it, which it is computed with in one runtime kernel
        /// each way (<c>Conv2D.ForwardMaxPool</c>/<c>BackwardMaxPool</c>), so the convolution's output
        /// and its gradient never leave the cache.
        /// </summary>
        public LayerContext? FusedConv { get; init; }

        /// <summary>On a convolution: the max pooling it is computed with (see <see cref="FusedConv"/>).</summary>
        public string? FusedIntoPool { get; init; }

        /// <summary>The output layer of a cross-entropy network: the loss reads its logits and hands back ∂L/∂z directly.</summary>
        public bool FusedWithLoss => IsOutput && Loss != LossKind.MeanSquaredError;

        /// <summary>A generated constant: <c>HiddenOut</c>.</summary>
        public string Const(string suffix) => Layer.Identifier + suffix;

        /// <summary>A workspace field: <c>_hiddenY</c>.</summary>
        public string Field(string suffix) => "_" + Format.CamelCase(Layer.Identifier) + suffix;

        /// <summary>A local span in the passes: <c>hiddenY</c>.</summary>
        public string Local(string suffix) => Format.CamelCase(Layer.Identifier) + suffix;
    }
}

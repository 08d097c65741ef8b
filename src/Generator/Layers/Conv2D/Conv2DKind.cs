using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>[Conv2D(filters, kernel)]: [C, H, W] → [F, OH, OW] through im2col and the GEMM kernels.</summary>
    internal sealed class Conv2DKind : LayerKind
    {
        public static readonly Conv2DKind Instance = new();

        public override string Attribute => "Conv2D";

        public override string DefaultName => "conv2d";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Out", "Filters", "Patch", "Geometry", "Weight", "Bias" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context) =>
            Conv2DRules.Check(attribute, input, name, identifier, context);

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var conv = (Conv2DSpec)layer;
            yield return Tensor("weight", "Weight", conv.Filters, conv.InChannels, conv.Kernel, conv.Kernel);
            if (conv.HasBias)
            {
                yield return Tensor("bias", "Bias", conv.Filters);
            }
        }

        public override ActivationKind? OutputActivation(LayerSpec layer) => ((Conv2DSpec)layer).Activation;

        public override bool ReadsChannelMajor => true;

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var conv = (Conv2DSpec)layer;
            yield return Setting.Of("filters", conv.Filters);
            yield return Setting.Of("kernel", conv.Kernel);
            yield return Setting.Of("stride", conv.Stride);
            yield return Setting.Of("padTop", conv.PadTop);
            yield return Setting.Of("padLeft", conv.PadLeft);
            yield return Setting.Of("padBottom", conv.PadBottom);
            yield return Setting.Of("padRight", conv.PadRight);
            yield return Setting.Of("dilation", conv.Dilation);
            yield return Setting.Of("bias", conv.HasBias);
            yield return Setting.Of("activation", conv.Activation);
        }

        public override LayerEmitter Emitter => Conv2DEmitter.Instance;
    }
}

using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>[BatchNorm]: per feature of a vector or per channel of an image; running statistics are buffers.</summary>
    internal sealed class BatchNormKind : LayerKind
    {
        public static readonly BatchNormKind Instance = new();

        public override string Attribute => "BatchNorm";

        public override string DefaultName => "batch_normalization";

        public override IReadOnlyList<string> ConstantSuffixes { get; } =
            new[] { "Out", "Channels", "Plane", "Weight", "Bias", "RunningMean", "RunningVar", "BatchesTracked" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context) =>
            NormalizationRules.BatchNorm(attribute, input, name, identifier, context);

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var bn = (BatchNormSpec)layer;
            yield return Tensor("weight", "Weight", bn.Channels);
            yield return Tensor("bias", "Bias", bn.Channels);
        }

        public override IEnumerable<TensorDeclaration> Buffers(LayerSpec layer)
        {
            var bn = (BatchNormSpec)layer;
            yield return Tensor("running_mean", "RunningMean", bn.Channels);
            yield return Tensor("running_var", "RunningVar", bn.Channels);
            yield return Tensor("num_batches_tracked", "BatchesTracked");
        }

        public override ActivationKind? OutputActivation(LayerSpec layer) => ((BatchNormSpec)layer).Activation;

        public override bool ReadsChannelMajor => true;

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var norm = (BatchNormSpec)layer;
            yield return Setting.Of("momentum", norm.Momentum);
            yield return Setting.Of("epsilon", norm.Epsilon);
            yield return Setting.Of("activation", norm.Activation);
        }

        public override LayerEmitter Emitter => BatchNormEmitter.Instance;
    }

    /// <summary>[Dropout(rate)]: inverted dropout from the network's seeded dropout stream.</summary>
    internal sealed class DropoutKind : LayerKind
    {
        public static readonly DropoutKind Instance = new();

        public override string Attribute => "Dropout";

        public override string DefaultName => "dropout";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Out" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context) =>
            NormalizationRules.Dropout(attribute, input, name, identifier, context);

        public override bool KeepsLayout => true;

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            yield return Setting.Of("rate", ((DropoutSpec)layer).Rate);
        }

        public override LayerEmitter Emitter => DropoutEmitter.Instance;
    }
}

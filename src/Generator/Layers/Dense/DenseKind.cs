using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// [Dense(units, activation)]: y = activation(x·Wᵀ + b) on a vector, or at every step of a sequence.
    /// Fusion: a dense layer that computes its input gradient with the kernels applies the previous
    /// dense layer's ReLU/LeakyReLU/Sigmoid/Tanh derivative as it stores (read from that layer's output).
    /// </summary>
    internal sealed class DenseKind : LayerKind
    {
        public static readonly DenseKind Instance = new();

        public override string Attribute => "Dense";

        public override string DefaultName => "dense";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "In", "Out", "Steps", "Weight", "Bias" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context) =>
            DenseRules.Check(attribute, input, name, identifier, context);

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var dense = (DenseSpec)layer;
            yield return Tensor("weight", "Weight", dense.Units, dense.InFeatures);
            yield return Tensor("bias", "Bias", dense.Units);
        }

        public override ActivationKind? OutputActivation(LayerSpec layer) => ((DenseSpec)layer).Activation;

        public override Fusion? FuseWith(LayerContext producer, LayerContext consumer) =>
            consumer.InputGradientVar is not null && !DenseEmitter.IsUnrolled(consumer)
                && producer.Layer is DenseSpec { Activation: ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.Sigmoid or ActivationKind.Tanh } dense
                && !producer.FusedWithLoss
                ? new InputDerivativeFusion(dense.Activation, DenseEmitter.Instance.OutputVar(producer))
                : null;

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var dense = (DenseSpec)layer;
            yield return Setting.Of("units", dense.Units);
            yield return Setting.Of("activation", dense.Activation);
        }

        public override LayerEmitter Emitter => DenseEmitter.Instance;
    }
}

using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// [MaxPool2D(size)] and [AvgPool2D(size)]. Fusions (max pooling only): after a convolution with no
    /// activation, ReLU or LeakyReLU, both become one kernel each way (the convolution's output and
    /// gradient never stored); after any other ReLU-type layer, the pooling's backward applies that
    /// layer's derivative (a window's winner is the pooled value, so its sign is the pooled value's).
    /// </summary>
    internal sealed class PoolKind2D : LayerKind
    {
        public static readonly PoolKind2D Max = new(PoolKind.Max);

        public static readonly PoolKind2D Average = new(PoolKind.Average);

        private readonly PoolKind _pool;

        private PoolKind2D(PoolKind pool) => _pool = pool;

        public override string Attribute => _pool == PoolKind.Max ? "MaxPool2D" : "AvgPool2D";

        public override string DefaultName => _pool == PoolKind.Max ? "max_pooling2d" : "average_pooling2d";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Out", "Channels", "Geometry" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context) =>
            PoolRules.Check(attribute, _pool, input, name, identifier, context);

        public override Fusion? FuseWith(LayerContext producer, LayerContext consumer)
        {
            if (_pool != PoolKind.Max)
            {
                return null;
            }
            if (producer.Layer is Conv2DSpec { Activation: ActivationKind.None or ActivationKind.ReLU or ActivationKind.LeakyReLU })
            {
                return new ConvIntoPoolFusion();
            }
            return consumer.InputGradientVar is not null
                && LayerKinds.Of(producer.Layer).OutputActivation(producer.Layer) is ActivationKind.ReLU or ActivationKind.LeakyReLU
                ? new InputDerivativeFusion(LayerKinds.Of(producer.Layer).OutputActivation(producer.Layer)!.Value, PoolEmitter.Instance.OutputVar(consumer))
                : null;
        }

        public override bool ReadsChannelMajor => true;

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var pool = (Pool2DSpec)layer;
            yield return Setting.Of("size", pool.Size);
            yield return Setting.Of("stride", pool.Stride);
            yield return Setting.Of("pad", pool.Pad);
        }

        public override LayerEmitter Emitter => PoolEmitter.Instance;
    }

    /// <summary>[GlobalAveragePool2D]: the mean of each channel, [C, H, W] → [C].</summary>
    internal sealed class GlobalAveragePoolKind : LayerKind
    {
        public static readonly GlobalAveragePoolKind Instance = new();

        public override string Attribute => "GlobalAveragePool2D";

        public override string DefaultName => "global_average_pooling2d";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Out", "Plane" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context) =>
            NormalizationRules.GlobalAveragePool(attribute, input, name, identifier, context);

        public override bool ReadsChannelMajor => true;

        public override LayerEmitter Emitter => GlobalAveragePoolEmitter.Instance;
    }
}

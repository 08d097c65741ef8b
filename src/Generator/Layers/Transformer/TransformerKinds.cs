using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>What the sequence layers of the Transformer family check alike.</summary>
    internal static class TransformerRules
    {
        /// <summary>True if <paramref name="input"/> is a float sequence [T, D]; otherwise reports NG0038.</summary>
        public static bool RequireSequence(LayerAttribute attribute, TensorType input, string name, CheckContext context)
        {
            if (input.IsSequence)
            {
                return true;
            }
            context.Report(DiagnosticDescriptors.NeedsTimeAxis, attribute.Location, attribute.Kind, name, input);
            return false;
        }

        /// <summary>A dropout rate in [0, 1) (NG0031 otherwise), <paramref name="absent"/> when not given.</summary>
        public static float? Dropout(LayerAttribute attribute, string name, float absent, CheckContext context) =>
            context.CheckedFloat(attribute, "Dropout", $"The dropout of {attribute.Kind} '{name}'", absent, v => v >= 0 && v < 1, "in [0, 1)");

        /// <summary>A head count that divides the width (NG0037 naming the nearest that do), or null.</summary>
        public static int? Heads(LayerAttribute attribute, int? heads, int features, string name, CheckContext context)
        {
            if (heads is null)
            {
                return null;
            }
            if (features % heads.Value == 0)
            {
                return heads;
            }
            // The nearest valid head counts: the largest divisor of the width below, and the smallest above.
            int below = Enumerable.Range(1, heads.Value).Last(h => features % h == 0);
            int? above = Enumerable.Range(heads.Value + 1, System.Math.Max(0, features - heads.Value)).Cast<int?>().FirstOrDefault(h => features % h!.Value == 0);
            string nearest = above is null ? below.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{below}, {above}";
            context.Report(DiagnosticDescriptors.HeadsDoNotDivide, attribute.LocationOf("heads"), attribute.Kind, name, features, heads.Value, nearest);
            return null;
        }

        /// <summary>Guards the sizes a block's buffers are made of against overflowing an int.</summary>
        public static bool FitsInInt(LayerAttribute attribute, string name, long values, CheckContext context)
        {
            if (values <= int.MaxValue)
            {
                return true;
            }
            context.Report(DiagnosticDescriptors.NetworkTooLarge, attribute.Location, $"The size of {attribute.Kind} '{name}'", values, int.MaxValue);
            return false;
        }
    }

    /// <summary>[LayerNorm]: per-position normalization of a sequence's features, like nn.LayerNorm(D).</summary>
    internal sealed class LayerNormKind : LayerKind
    {
        public static readonly LayerNormKind Instance = new();

        public override string Attribute => "LayerNorm";

        public override string DefaultName => "layer_normalization";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Steps", "Features", "Weight", "Bias" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context)
        {
            float? epsilon = context.Epsilon(attribute, name);
            if (input is null || epsilon is null || !TransformerRules.RequireSequence(attribute, input, name, context))
            {
                return null;
            }
            return new LayerNormSpec(name, identifier, input, input, input.Features, epsilon.Value);
        }

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var norm = (LayerNormSpec)layer;
            yield return Tensor("weight", "Weight", norm.Features);
            yield return Tensor("bias", "Bias", norm.Features);
        }

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            yield return Setting.Of("epsilon", ((LayerNormSpec)layer).Epsilon);
        }

        public override LayerEmitter Emitter => LayerNormEmitter.Instance;
    }

    /// <summary>[MultiHeadAttention(heads)]: self-attention over a sequence, like nn.MultiheadAttention used as attn(x, x, x).</summary>
    internal sealed class AttentionKind : LayerKind
    {
        public static readonly AttentionKind Instance = new();

        public override string Attribute => "MultiHeadAttention";

        public override string DefaultName => "multi_head_attention";

        public override IReadOnlyList<string> ConstantSuffixes { get; } =
            new[] { "Steps", "Features", "Heads", "HeadDim", "InProjWeight", "InProjBias", "OutProjWeight", "OutProjBias" };

        public override bool ReadsKeyPadding => true;

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context)
        {
            int? heads = context.PositiveInt(attribute, "heads", $"The head count of MultiHeadAttention '{name}'");
            float? dropout = TransformerRules.Dropout(attribute, name, 0f, context);
            bool causal = attribute.Bool("Causal") ?? false;
            if (input is null || heads is null || dropout is null || !TransformerRules.RequireSequence(attribute, input, name, context))
            {
                return null;
            }
            int steps = input.Dims[0], features = input.Features;
            if (TransformerRules.Heads(attribute, heads, features, name, context) is not { } h
                || !TransformerRules.FitsInInt(attribute, name, 4L * features * features + (long)h * steps * steps + 3L * steps * features, context))
            {
                return null;
            }
            return new AttentionSpec(name, identifier, input, input, steps, features, h, dropout.Value, causal);
        }

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            int d = ((AttentionSpec)layer).Features;
            yield return Tensor("in_proj_weight", "InProjWeight", 3 * d, d);
            yield return Tensor("in_proj_bias", "InProjBias", 3 * d);
            yield return Tensor("out_proj.weight", "OutProjWeight", d, d);
            yield return Tensor("out_proj.bias", "OutProjBias", d);
        }

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var attention = (AttentionSpec)layer;
            yield return Setting.Of("heads", attention.Heads);
            yield return Setting.Of("dropout", attention.Dropout);
            yield return Setting.Of("causal", attention.Causal);
        }

        public override LayerEmitter Emitter => AttentionEmitter.Instance;
    }

    /// <summary>[PositionalEmbedding]: a learned [T, D] table (or the fixed sinusoidal one) added to each step.</summary>
    internal sealed class PositionalEmbeddingKind : LayerKind
    {
        public static readonly PositionalEmbeddingKind Instance = new();

        public override string Attribute => "PositionalEmbedding";

        public override string DefaultName => "positional_embedding";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Steps", "Features", "Weight", "Table" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context)
        {
            bool sinusoidal = attribute.Bool("Sinusoidal") ?? false;
            if (input is null)
            {
                return null;
            }
            if (!input.IsSequence)
            {
                context.Report(DiagnosticDescriptors.PositionalNeedsSequence, attribute.Location, name, input);
                return null;
            }
            return new PositionalEmbeddingSpec(name, identifier, input, input, input.Dims[0], input.Features, sinusoidal);
        }

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var positional = (PositionalEmbeddingSpec)layer;
            if (!positional.Sinusoidal)
            {
                yield return Tensor("weight", "Weight", positional.Steps, positional.Features);
            }
        }

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            yield return Setting.Of("sinusoidal", ((PositionalEmbeddingSpec)layer).Sinusoidal);
        }

        public override LayerEmitter Emitter => PositionalEmbeddingEmitter.Instance;
    }

    /// <summary>[GlobalAveragePool1D]: the mean over time (over non-padding positions when the network masks padding).</summary>
    internal sealed class SequencePoolKind : LayerKind
    {
        public static readonly SequencePoolKind Instance = new();

        public override string Attribute => "GlobalAveragePool1D";

        public override string DefaultName => "global_average_pooling1d";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Steps", "Features" };

        public override bool ReadsKeyPadding => true;

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context)
        {
            if (input is null || !TransformerRules.RequireSequence(attribute, input, name, context))
            {
                return null;
            }
            return new SequencePoolSpec(name, identifier, input, TensorType.Vector(input.Features), input.Dims[0], input.Features);
        }

        public override LayerEmitter Emitter => SequencePoolEmitter.Instance;
    }

    /// <summary>
    /// [TransformerEncoder(heads, feedForward)]: nn.TransformerEncoderLayer(batch_first=True) — its parameters
    /// under PyTorch's names, post-norm or pre-norm, ReLU or GELU, optional causal mask, dropout in training.
    /// The block's two residual connections are summed inside its emitter (each residual input's gradient is the
    /// sum of its two consumers').
    /// </summary>
    internal sealed class TransformerEncoderKind : LayerKind
    {
        public static readonly TransformerEncoderKind Instance = new();

        public override string Attribute => "TransformerEncoder";

        public override string DefaultName => "transformer_encoder";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[]
        {
            "Steps", "Features", "Heads", "HeadDim", "FeedForward",
            "InProjWeight", "InProjBias", "OutProjWeight", "OutProjBias", "Linear1Weight", "Linear1Bias", "Linear2Weight", "Linear2Bias",
            "Norm1Weight", "Norm1Bias", "Norm2Weight", "Norm2Bias",
        };

        public override bool ReadsKeyPadding => true;

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context)
        {
            int? heads = context.PositiveInt(attribute, "heads", $"The head count of TransformerEncoder '{name}'");
            int? feedForward = context.PositiveInt(attribute, "feedForward", $"The feed-forward width of TransformerEncoder '{name}'");
            float? dropout = TransformerRules.Dropout(attribute, name, 0.1f, context);
            float? epsilon = context.Epsilon(attribute, name);
            ActivationKind? activation = context.Enum(attribute, "Activation", "Activation", ActivationKind.ReLU);
            if (activation is not null and not (ActivationKind.ReLU or ActivationKind.Gelu))
            {
                context.Report(DiagnosticDescriptors.InvalidValue, attribute.LocationOf("Activation"), $"The activation of TransformerEncoder '{name}'",
                    "Activation.ReLU or Activation.Gelu (as nn.TransformerEncoderLayer)", "Activation." + activation);
                activation = null;
            }
            bool normFirst = attribute.Bool("NormFirst") ?? false, causal = attribute.Bool("Causal") ?? false;
            if (input is null || heads is null || feedForward is null || dropout is null || epsilon is null || activation is null
                || !TransformerRules.RequireSequence(attribute, input, name, context))
            {
                return null;
            }
            int steps = input.Dims[0], features = input.Features;
            if (TransformerRules.Heads(attribute, heads, features, name, context) is not { } h
                || !TransformerRules.FitsInInt(attribute, name,
                    4L * features * features + 2L * features * feedForward.Value + (long)h * steps * steps + (long)steps * feedForward.Value
                    + 3L * steps * features, context))
            {
                return null;
            }
            return new TransformerEncoderSpec(name, identifier, input, input, steps, features, h, feedForward.Value, dropout.Value, activation.Value,
                normFirst, epsilon.Value, causal);
        }

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var block = (TransformerEncoderSpec)layer;
            int d = block.Features, f = block.FeedForward;
            yield return Tensor("self_attn.in_proj_weight", "InProjWeight", 3 * d, d);
            yield return Tensor("self_attn.in_proj_bias", "InProjBias", 3 * d);
            yield return Tensor("self_attn.out_proj.weight", "OutProjWeight", d, d);
            yield return Tensor("self_attn.out_proj.bias", "OutProjBias", d);
            yield return Tensor("linear1.weight", "Linear1Weight", f, d);
            yield return Tensor("linear1.bias", "Linear1Bias", f);
            yield return Tensor("linear2.weight", "Linear2Weight", d, f);
            yield return Tensor("linear2.bias", "Linear2Bias", d);
            yield return Tensor("norm1.weight", "Norm1Weight", d);
            yield return Tensor("norm1.bias", "Norm1Bias", d);
            yield return Tensor("norm2.weight", "Norm2Weight", d);
            yield return Tensor("norm2.bias", "Norm2Bias", d);
        }

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var block = (TransformerEncoderSpec)layer;
            yield return Setting.Of("heads", block.Heads);
            yield return Setting.Of("feedForward", block.FeedForward);
            yield return Setting.Of("dropout", block.Dropout);
            yield return Setting.Of("activation", block.Activation);
            yield return Setting.Of("normFirst", block.NormFirst);
            yield return Setting.Of("epsilon", block.Epsilon);
            yield return Setting.Of("causal", block.Causal);
        }

        public override LayerEmitter Emitter => TransformerEncoderEmitter.Instance;
    }
}

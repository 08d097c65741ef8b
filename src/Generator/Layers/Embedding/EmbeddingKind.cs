using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// [Embedding(dimensions)]: token ids [T] → vectors [T, D] by table lookup, like <c>torch.nn.Embedding</c>.
    /// It reads the token input, so it must come right after [TokenInput] (NG0034); weight [V, D] ~ N(0, 1),
    /// the padding row (if any) zero and never updated.
    /// </summary>
    internal sealed class EmbeddingKind : LayerKind
    {
        public static readonly EmbeddingKind Instance = new();

        public override string Attribute => "Embedding";

        public override string DefaultName => "embedding";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Vocabulary", "Out", "Steps", "Weight" };

        public override bool ReadsTokens => true;

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context)
        {
            int? dimensions = context.PositiveInt(attribute, "dimensions", $"The dimensions of Embedding '{name}'");
            if (input is null || dimensions is null)
            {
                return null;
            }
            if (!input.IsTokens)
            {
                context.Report(DiagnosticDescriptors.EmbeddingNotAfterTokenInput, attribute.Location, name, input);
                return null;
            }
            int vocabulary = context.Vocabulary;
            int? padding = context.CheckedInt(attribute, "PaddingIndex", $"The PaddingIndex of Embedding '{name}'", -1,
                v => v == -1 || (v >= 0 && v < vocabulary), $"a token id in [0, {vocabulary}) (the vocabulary), or -1 for none");
            if (padding is null)
            {
                return null;
            }
            long weights = (long)vocabulary * dimensions.Value;
            if (weights > int.MaxValue)
            {
                context.Report(DiagnosticDescriptors.NetworkTooLarge, attribute.LocationOf("dimensions"),
                    $"The weight count of Embedding '{name}' ({vocabulary} × {dimensions})", weights, int.MaxValue);
                return null;
            }
            return new EmbeddingSpec(name, identifier, input, TensorType.Sequence(input.Dims[0], dimensions.Value), vocabulary, dimensions.Value, padding.Value);
        }

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var embedding = (EmbeddingSpec)layer;
            yield return Tensor("weight", "Weight", embedding.Vocabulary, embedding.Dimensions);
        }

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var embedding = (EmbeddingSpec)layer;
            yield return Setting.Of("vocabulary", embedding.Vocabulary);
            yield return Setting.Of("dimensions", embedding.Dimensions);
            yield return Setting.Of("paddingIndex", embedding.PaddingIndex);
        }

        public override LayerEmitter Emitter => EmbeddingEmitter.Instance;
    }
}

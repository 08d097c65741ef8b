using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>[Flatten]: each sample becomes one vector, in PyTorch's order.</summary>
    internal sealed class FlattenKind : LayerKind
    {
        public static readonly FlattenKind Instance = new();

        public override string Attribute => "Flatten";

        public override string DefaultName => "flatten";

        public override IReadOnlyList<string> ConstantSuffixes { get; } = new[] { "Out", "Channels", "Plane" };

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context) =>
            FlattenRules.Check(attribute, input, name, identifier, context);

        public override LayerEmitter Emitter => FlattenEmitter.Instance;
    }
}

using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// [Lstm(units)] and [Gru(units)]: a recurrent layer over a sequence [T, D], PyTorch's cell equations,
    /// parameter names and gate orders, <c>Layers</c> of them stacked inside one attribute. It needs a time
    /// axis (NG0035), and a layer before it that returns only its last step has none (NG0036).
    /// </summary>
    internal sealed class RecurrentKind : LayerKind
    {
        public static readonly RecurrentKind Lstm = new(RecurrentCell.Lstm);

        public static readonly RecurrentKind Gru = new(RecurrentCell.Gru);

        /// <summary>Stacked layers whose constants are listed for the class-name clash check.</summary>
        private const int ListedLayers = 8;

        private readonly RecurrentCell _cell;

        private RecurrentKind(RecurrentCell cell)
        {
            _cell = cell;
            var suffixes = new List<string> { "In", "Units", "Steps" };
            for (int k = 0; k < ListedLayers; k++)
            {
                suffixes.AddRange(new[] { "WeightIhL" + k, "WeightHhL" + k, "BiasIhL" + k, "BiasHhL" + k });
            }
            ConstantSuffixes = suffixes;
        }

        public override string Attribute => _cell == RecurrentCell.Lstm ? "Lstm" : "Gru";

        public override string DefaultName => _cell == RecurrentCell.Lstm ? "lstm" : "gru";

        public override IReadOnlyList<string> ConstantSuffixes { get; }

        public override LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context)
        {
            int? units = context.PositiveInt(attribute, "units", $"The unit count of {Attribute} '{name}'");
            int? layers = context.CheckedInt(attribute, "Layers", $"The stacked layer count of {Attribute} '{name}'", 1, v => v >= 1, "at least 1");
            bool returnSequences = attribute.Bool("ReturnSequences") ?? false;
            if (input is null || units is null || layers is null)
            {
                return null;
            }
            if (!input.IsSequence)
            {
                if (context.Previous is RecurrentSpec { ReturnSequences: false } previous)
                {
                    context.Report(DiagnosticDescriptors.RecurrentAfterLastStep, attribute.Location, Attribute, name, previous.Name, previous.Output);
                }
                else
                {
                    context.Report(DiagnosticDescriptors.RecurrentNeedsSequence, attribute.Location, Attribute, name, input);
                }
                return null;
            }
            int steps = input.Dims[0], features = input.Features;
            int gates = _cell == RecurrentCell.Lstm ? 4 : 3;
            long weights = (long)gates * units.Value * ((long)System.Math.Max(features, units.Value) + units.Value + 2);
            if (weights > int.MaxValue || (long)steps * units.Value * 8 > int.MaxValue)
            {
                context.Report(DiagnosticDescriptors.NetworkTooLarge, attribute.LocationOf("units"),
                    $"The size of {Attribute} '{name}' ({gates} gates × {units} units)", weights, int.MaxValue);
                return null;
            }
            TensorType output = returnSequences ? TensorType.Sequence(steps, units.Value) : TensorType.Vector(units.Value);
            return new RecurrentSpec(name, identifier, input, output, _cell, features, units.Value, layers.Value, returnSequences);
        }

        public override IEnumerable<TensorDeclaration> Parameters(LayerSpec layer)
        {
            var rnn = (RecurrentSpec)layer;
            int rows = rnn.Gates * rnn.Units;
            for (int k = 0; k < rnn.Layers; k++)
            {
                yield return Tensor("weight_ih_l" + k, "WeightIhL" + k, rows, rnn.InputOf(k));
                yield return Tensor("weight_hh_l" + k, "WeightHhL" + k, rows, rnn.Units);
                yield return Tensor("bias_ih_l" + k, "BiasIhL" + k, rows);
                yield return Tensor("bias_hh_l" + k, "BiasHhL" + k, rows);
            }
        }

        public override IEnumerable<Setting> Settings(LayerSpec layer)
        {
            var recurrent = (RecurrentSpec)layer;
            yield return Setting.Of("units", recurrent.Units);
            yield return Setting.Of("layers", recurrent.Layers);
            yield return Setting.Of("returnSequences", recurrent.ReturnSequences);
        }

        public override LayerEmitter Emitter => RecurrentEmitter.Instance;
    }
}

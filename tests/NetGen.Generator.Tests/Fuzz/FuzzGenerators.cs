using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using CsCheck;

namespace NetGen.Generator.Tests.Fuzz
{
    /// <summary>
    /// CsCheck generators of network declarations. Half are plausible networks (a shape is tracked so the
    /// layers mostly fit, sizes 1–8) with occasional mutations; the rest are chaos: any layer kind in any
    /// order, arguments at extremes, [Network] and [Input] missing, doubled or misplaced.
    /// </summary>
    internal static class FuzzGenerators
    {
        public static readonly Gen<FuzzDeclaration> Declaration =
            Gen.Frequency((9, Plausible()), (11, Chaos()));

        // ---- Values ------------------------------------------------------------------------------

        /// <summary>Integers a size must be checked against: zero, negatives, int.MaxValue, products past int.</summary>
        private static readonly Gen<int> ExtremeInt = Gen.OneOf(0, -1, 1, int.MaxValue, int.MinValue, 46341, 65536, 100000, 1000000);

        private static readonly Gen<string> Small = Gen.Int[1, 8].Select(Int);

        /// <summary>Mostly 1–8, sometimes extreme.</summary>
        private static readonly Gen<string> Dim = Gen.Frequency((14, Gen.Int[1, 8]), (1, ExtremeInt)).Select(Int);

        /// <summary>Extreme half the time: for chaos.</summary>
        private static readonly Gen<string> WildDim = Gen.Frequency((1, Gen.Int[0, 9]), (1, ExtremeInt)).Select(Int);

        private static readonly Gen<string> ActivationValue = Gen.Frequency(
            (30, Gen.Enum<Activation>().Select(a => "Activation." + a)),
            (1, Gen.OneOf("(Activation)42", "(Activation)(-1)")));

        private static readonly Gen<string> HiddenActivation = Gen.OneOf("Activation.None", "Activation.ReLU", "Activation.LeakyReLU", "Activation.Sigmoid", "Activation.Tanh", "Activation.Gelu");

        private static readonly Gen<string> LossValue = Gen.Frequency(
            (30, Gen.Enum<Loss>().Select(l => "Loss." + l)),
            (1, Gen.OneOf("(Loss)9", "(Loss)(-1)")));

        private static readonly Gen<string> InitValue = Gen.Frequency(
            (30, Gen.Enum<Initializer>().Select(i => "Initializer." + i)),
            (1, Gen.Const("(Initializer)99")));

        private static readonly Gen<string> PaddingValue = Gen.Frequency(
            (10, Gen.Enum<Padding>().Select(p => "Padding." + p)),
            (1, Gen.Const("(Padding)7")));

        private static readonly Gen<string> Name = Gen.OneOf("\"h\"", "\"h\"", "\"out\"", "\"a_1\"", "\"dense\"", "\"lstm\"", "\"\"", "\"1x\"", "\"a b\"", "\"Forward\"", "\"Net\"");

        private static readonly Gen<string> Rate = Gen.Frequency(
            (10, Gen.OneOf("0f", "0.1f", "0.5f", "0.9f")),
            (1, Gen.OneOf("1f", "-0.5f", "float.NaN", "float.PositiveInfinity", "0.999999f", "2f")));

        private static readonly Gen<string> Momentum = Gen.OneOf("0f", "0.1f", "0.9f", "1f", "-1f", "2f", "float.NaN");

        private static readonly Gen<string> Epsilon = Gen.OneOf("1e-5f", "1e-3f", "0.1f", "0f", "-1f", "float.NaN", "float.MaxValue", "1e-30f");

        private static readonly Gen<string> Bool = Gen.Bool.Select(b => b ? "true" : "false");

        private static string Int(int value) => value switch
        {
            int.MaxValue => "int.MaxValue",
            int.MinValue => "int.MinValue",
            _ => value.ToString(CultureInfo.InvariantCulture),
        };

        /// <summary><paramref name="value"/> as <c>Name = value</c>, present one time in <paramref name="oneIn"/>.</summary>
        private static Gen<string?> Named(string name, Gen<string> value, int oneIn = 4) =>
            Gen.Frequency((oneIn - 1, Gen.Const<string?>((string?)null)), (1, value.Select(v => (string?)(name + " = " + v))));

        /// <summary>A positional argument present one time in <paramref name="oneIn"/>.</summary>
        private static Gen<string?> Maybe(Gen<string> value, int oneIn = 2) =>
            Gen.Frequency((oneIn - 1, Gen.Const<string?>((string?)null)), (1, value.Select(v => (string?)v)));

        private static Gen<string?> Always(Gen<string> value) => value.Select(v => (string?)v);

        /// <summary>The attribute with the present arguments, in order.</summary>
        private static Gen<FuzzAttribute> Attribute(string kind, params Gen<string?>[] arguments)
        {
            Gen<ImmutableArray<string>> all = Gen.Const(ImmutableArray<string>.Empty);
            foreach (Gen<string?> argument in arguments)
            {
                Gen<ImmutableArray<string>> before = all;
                all = Gen.Select(before, argument, (list, a) => a is null ? list : list.Add(a));
            }
            return all.Select(list => new FuzzAttribute(kind, list, list.Length > 0));
        }

        // ---- Every layer kind, with any arguments ------------------------------------------------

        private static Gen<FuzzAttribute> AnyLayer(Gen<string> size) => Gen.OneOf(
            Attribute("Dense", Always(size), Maybe(ActivationValue), Named("Name", Name), Named("Init", InitValue)),
            Gen.Const(FuzzAttribute.Of("Flatten")),
            Attribute("Conv2D", Always(size), Always(size), Named("Stride", size), Named("Padding", PaddingValue), Named("Pad", size),
                Named("Dilation", size), Named("Activation", ActivationValue), Named("Bias", Bool), Named("Name", Name), Named("Init", InitValue)),
            Attribute("MaxPool2D", Always(size), Named("Stride", size), Named("Pad", size)),
            Attribute("AvgPool2D", Always(size), Named("Stride", size), Named("Pad", size)),
            Gen.Const(FuzzAttribute.Of("GlobalAveragePool2D")),
            Attribute("BatchNorm", Named("Momentum", Momentum), Named("Epsilon", Epsilon), Named("Activation", ActivationValue)),
            Attribute("Dropout", Always(Rate)),
            Attribute("Embedding", Always(size), Named("PaddingIndex", size), Named("Name", Name)),
            Attribute("Lstm", Always(size), Named("ReturnSequences", Bool, 2), Named("Layers", size), Named("Name", Name)),
            Attribute("Gru", Always(size), Named("ReturnSequences", Bool, 2), Named("Layers", size), Named("Name", Name)),
            Attribute("TransformerEncoder", Always(size), Always(size), Named("Dropout", Rate), Named("Activation", ActivationValue), Named("NormFirst", Bool),
                Named("Epsilon", Epsilon), Named("Causal", Bool), Named("Name", Name)),
            Attribute("MultiHeadAttention", Always(size), Named("Dropout", Rate), Named("Causal", Bool), Named("Name", Name)),
            Attribute("LayerNorm", Named("Epsilon", Epsilon), Named("Name", Name)),
            Attribute("PositionalEmbedding", Named("Sinusoidal", Bool, 2), Named("Name", Name)),
            Gen.Const(FuzzAttribute.Of("GlobalAveragePool1D")),
            Input(size),
            TokenInput(size),
            Attribute("Network", Always(LossValue)));

        private static Gen<FuzzAttribute> Input(Gen<string> size) =>
            Gen.Frequency((20, size.Array[1, 4]), (1, Gen.Const(Array.Empty<string>())))
                .Select(dims => new FuzzAttribute("Input", dims.ToImmutableArray(), true));

        private static Gen<FuzzAttribute> TokenInput(Gen<string> size) =>
            Attribute("TokenInput", Always(size), Always(size));

        /// <summary>Random layers of every kind in a random order, the input anywhere or nowhere.</summary>
        private static Gen<FuzzDeclaration> Chaos() =>
            from network in Gen.Frequency((8, Gen.Int[1, 1]), (1, Gen.Int[0, 0]), (1, Gen.Int[2, 2]))
            from loss in LossValue
            from wild in Gen.Bool
            from layers in AnyLayer(wild ? WildDim : Dim).Array[0, 7]
            from input in Gen.OneOf(Input(wild ? WildDim : Dim), TokenInput(wild ? WildDim : Dim))
            from inputs in Gen.Frequency((8, Gen.Int[1, 1]), (1, Gen.Int[0, 0]), (1, Gen.Int[2, 2]))
            from position in Gen.Int[0, 100]
            select Assemble(network, loss, layers, input, inputs, position);

        private static FuzzDeclaration Assemble(int networks, string loss, FuzzAttribute[] layers, FuzzAttribute input, int inputs, int position)
        {
            var attributes = layers.ToList();
            for (int i = 0; i < inputs; i++)
            {
                // Mostly first; sometimes after some layers.
                int at = position < 70 ? 0 : position % (attributes.Count + 1);
                attributes.Insert(at, input);
            }
            for (int i = 0; i < networks; i++)
            {
                attributes.Insert(0, FuzzAttribute.Of("Network", loss));
            }
            return new FuzzDeclaration(attributes.ToImmutableArray());
        }

        // ---- Plausible networks: a shape is tracked so most layers fit -----------------------------

        /// <summary>What the next layer reads: flat features, an image, a sequence (float steps).</summary>
        private enum Rank { Flat, Image, Sequence }

        private sealed record State(Rank Rank, int Channels, int Height, int Width, ImmutableList<FuzzAttribute> Layers);

        private static Gen<FuzzDeclaration> Plausible() =>
            from loss in Gen.Enum<Loss>()
            from start in Start()
            from depth in Gen.Int[0, 4]
            from body in Layers(start, depth)
            from output in Output(body, loss)
            from mutation in Mutation()
            select mutation(new FuzzDeclaration(output.Insert(0, FuzzAttribute.Of("Network", "Loss." + loss)).ToImmutableArray()));

        private static Gen<State> Start() => Gen.OneOf(
            Dim.Select(n => new State(Rank.Flat, 0, 0, 0, ImmutableList.Create(FuzzAttribute.Of("Input", n)))),
            Gen.Select(Gen.Int[1, 3], Gen.Int[1, 8], Gen.Int[1, 8], (c, h, w) =>
                new State(Rank.Image, c, h, w, ImmutableList.Create(FuzzAttribute.Of("Input", Int(c), Int(h), Int(w))))),
            Gen.Select(Gen.Int[1, 8], Gen.Int[1, 8], (h, w) =>
                new State(Rank.Image, 1, h, w, ImmutableList.Create(FuzzAttribute.Of("Input", Int(h), Int(w))))),
            Gen.Select(Dim, Gen.Int[1, 9], Attribute("Embedding", Always(Dim), Named("PaddingIndex", Gen.Int[-1, 3].Select(Int)), Named("Name", Name, 8)),
                (steps, vocabulary, embedding) => new State(Rank.Sequence, 0, 0, 0,
                    ImmutableList.Create(FuzzAttribute.Of("TokenInput", steps, Int(vocabulary)), embedding))));

        private static Gen<State> Layers(State state, int depth) =>
            depth == 0 ? Gen.Const(state) : Next(state).SelectMany(next => Layers(next, depth - 1));

        private static Gen<State> Next(State state) => state.Rank switch
        {
            Rank.Flat => Gen.OneOf(
                Attribute("Dense", Always(Dim), Maybe(HiddenActivation), Named("Name", Name, 8), Named("Init", InitValue)).Select(a => Add(state, a)),
                Attribute("BatchNorm", Named("Momentum", Momentum, 6), Named("Epsilon", Epsilon, 6), Named("Activation", HiddenActivation)).Select(a => Add(state, a)),
                Attribute("Dropout", Always(Rate)).Select(a => Add(state, a))),
            Rank.Image => Gen.OneOf(
                Conv(state),
                Pool(state, "MaxPool2D"),
                Pool(state, "AvgPool2D"),
                Attribute("BatchNorm", Named("Momentum", Momentum, 6), Named("Epsilon", Epsilon, 6), Named("Activation", HiddenActivation)).Select(a => Add(state, a)),
                Attribute("Dropout", Always(Rate)).Select(a => Add(state, a)),
                Gen.Const(Add(state with { Rank = Rank.Flat }, FuzzAttribute.Of("GlobalAveragePool2D"))),
                Gen.Const(Add(state with { Rank = Rank.Flat }, FuzzAttribute.Of("Flatten")))),
            _ => Gen.OneOf(
                Recurrent(state, "Lstm"),
                Recurrent(state, "Gru"),
                Attribute("TransformerEncoder", Always(Gen.Int[1, 2].Select(Int)), Always(Small), Named("Dropout", Rate, 3),
                    Named("Activation", Gen.OneOf(Gen.Const("Activation.ReLU"), Gen.Const("Activation.Gelu")), 3), Named("NormFirst", Bool, 3),
                    Named("Causal", Bool, 3)).Select(a => Add(state, a)),
                Attribute("MultiHeadAttention", Always(Gen.Int[1, 2].Select(Int)), Named("Dropout", Rate, 3), Named("Causal", Bool, 3)).Select(a => Add(state, a)),
                Attribute("LayerNorm", Named("Epsilon", Epsilon, 6)).Select(a => Add(state, a)),
                Attribute("PositionalEmbedding", Named("Sinusoidal", Bool, 2)).Select(a => Add(state, a)),
                Gen.Const(Add(state with { Rank = Rank.Flat }, FuzzAttribute.Of("GlobalAveragePool1D"))),
                Attribute("Dropout", Always(Rate)).Select(a => Add(state, a)),
                Attribute("Dense", Always(Small), Maybe(HiddenActivation)).Select(a => Add(state, a)),
                Gen.Const(Add(state with { Rank = Rank.Flat }, FuzzAttribute.Of("Flatten")))),
        };

        private static State Add(State state, FuzzAttribute attribute) => state with { Layers = state.Layers.Add(attribute) };

        private static Gen<State> Conv(State s) =>
            from filters in Dim
            from kernel in Gen.Int[1, Math.Max(1, Math.Min(s.Height, s.Width))]
            from stride in Gen.Frequency((3, Gen.Const(1)), (1, Gen.Int[2, 3]))
            from same in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
            from pad in Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 2]))
            from activation in Named("Activation", HiddenActivation, 2)
            from bias in Named("Bias", Bool)
            from init in Named("Init", InitValue, 6)
            let padding = same ? "Padding = Padding.Same" : pad > 0 ? "Pad = " + Int(pad) : null
            let height = same ? (s.Height + stride - 1) / stride : (s.Height + 2 * pad - kernel) / stride + 1
            let width = same ? (s.Width + stride - 1) / stride : (s.Width + 2 * pad - kernel) / stride + 1
            let arguments = new[] { filters, "kernel: " + Int(kernel), stride == 1 ? null : "Stride = " + Int(stride), padding, activation, bias, init }
            select Add(s with { Channels = 1, Height = Math.Max(1, height), Width = Math.Max(1, width) },
                new FuzzAttribute("Conv2D", arguments.Where(a => a is not null).Select(a => a!).ToImmutableArray(), true));

        private static Gen<State> Pool(State s, string kind) =>
            from size in Gen.Int[1, Math.Max(1, Math.Min(Math.Min(s.Height, s.Width), 3))]
            from stride in Named("Stride", Gen.Int[1, 2].Select(Int), 3)
            from pad in Named("Pad", Gen.Int[0, size / 2].Select(Int), 4)
            select Add(s with { Height = Math.Max(1, s.Height / size), Width = Math.Max(1, s.Width / size) },
                new FuzzAttribute(kind, new[] { Int(size), stride, pad }.Where(a => a is not null).Select(a => a!).ToImmutableArray(), true));

        private static Gen<State> Recurrent(State s, string kind) =>
            from units in Dim
            from sequences in Gen.Bool
            from layers in Named("Layers", Gen.Int[1, 3].Select(Int), 3)
            from name in Named("Name", Name, 8)
            let arguments = new[] { units, sequences ? "ReturnSequences = true" : null, layers, name }
            select Add(s with { Rank = sequences ? Rank.Sequence : Rank.Flat },
                new FuzzAttribute(kind, arguments.Where(a => a is not null).Select(a => a!).ToImmutableArray(), true));

        /// <summary>The output layer: what the loss needs most of the time (Flatten first if the shape is an image).</summary>
        private static Gen<ImmutableList<FuzzAttribute>> Output(State state, Loss loss)
        {
            string fitting = loss switch
            {
                Loss.CrossEntropy => "Activation.Softmax",
                Loss.BinaryCrossEntropy => "Activation.Sigmoid",
                _ => "Activation.None",
            };
            return from units in Gen.Frequency((6, Gen.Int[1, 5]), (1, ExtremeInt))
                   from activation in Gen.Frequency((9, Gen.Const(fitting)), (1, ActivationValue))
                   from flatten in Gen.Frequency((5, Gen.Const(state.Rank == Rank.Image)), (1, Gen.Bool))
                   select (flatten ? state.Layers.Add(FuzzAttribute.Of("Flatten")) : state.Layers)
                       .Add(FuzzAttribute.Of("Dense", Int(units), activation));
        }

        /// <summary>Mostly nothing; sometimes a random layer inserted, the input doubled or moved, [Network] dropped or doubled.</summary>
        private static Gen<Func<FuzzDeclaration, FuzzDeclaration>> Mutation() =>
            from kind in Gen.Frequency((14, Gen.Const(0)), (2, Gen.Const(1)), (1, Gen.Int[2, 5]))
            from layer in AnyLayer(Dim)
            from position in Gen.Int[0, 1000]
            select (Func<FuzzDeclaration, FuzzDeclaration>)(d =>
            {
                ImmutableArray<FuzzAttribute> a = d.Attributes;
                int at = position % (a.Length + 1);
                return new FuzzDeclaration(kind switch
                {
                    1 => a.Insert(Math.Max(1, at), layer),
                    2 => a.Insert(at, a.First(x => x.Kind is "Input" or "TokenInput")),
                    3 => a.RemoveAt(0),
                    4 => a.Insert(at, a[0]),
                    5 => a.Length > 2 ? a.RemoveAt(1).Insert(Math.Min(at, a.Length - 1), a[1]) : a,
                    _ => a,
                });
            });
    }
}

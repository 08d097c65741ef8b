using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen
{
    /// <summary>
    /// One layer of a generated network as the generator checked it: its kind (the attribute's name, e.g.
    /// <c>Dense</c>, <c>Lstm</c>, <c>TransformerEncoder</c>), its name (the prefix of its parameter tensors),
    /// the shapes it maps between (one sample, no batch axis) and its settings. Exporters rebuild the layer
    /// from this; its parameters are the tensors of <see cref="INetwork.ParameterLayout"/> named <c>{Name}.…</c>.
    /// </summary>
    public sealed class LayerArchitecture
    {
        private readonly Dictionary<string, string> _settings;

        /// <summary>A layer as the generated <c>Architecture</c> states it.</summary>
        /// <param name="kind">The attribute's name without "Attribute".</param>
        /// <param name="name">The layer's name.</param>
        /// <param name="inputShape">One input sample's shape.</param>
        /// <param name="outputShape">One output sample's shape.</param>
        /// <param name="settings">Key and invariant text of each setting (integers, round-trip floats, <c>true</c>/<c>false</c>, enum names).</param>
        public LayerArchitecture(string kind, string name, int[] inputShape, int[] outputShape, params (string Key, string Value)[] settings)
        {
            Kind = kind ?? throw new ArgumentNullException(nameof(kind));
            Name = name ?? throw new ArgumentNullException(nameof(name));
            ArgumentNullException.ThrowIfNull(inputShape);
            ArgumentNullException.ThrowIfNull(outputShape);
            ArgumentNullException.ThrowIfNull(settings);
            InputShape = Array.AsReadOnly((int[])inputShape.Clone());
            OutputShape = Array.AsReadOnly((int[])outputShape.Clone());
            _settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string key, string value) in settings)
            {
                if (key is null || value is null || !_settings.TryAdd(key, value))
                {
                    throw new ArgumentException($"{kind} layer '{name}': setting '{key}' is null or given twice.", nameof(settings));
                }
            }
            Settings = settings.Select(s => new KeyValuePair<string, string>(s.Key, s.Value)).ToArray();
        }

        /// <summary>The attribute's name without "Attribute": <c>Dense</c>, <c>Conv2D</c>, <c>MaxPool2D</c>, <c>Lstm</c>, ….</summary>
        public string Kind { get; }

        /// <summary>The layer's name, the prefix of its tensors in <see cref="INetwork.ParameterLayout"/>.</summary>
        public string Name { get; }

        /// <summary>The shape of one input sample of this layer ([C, H, W] for images, [T, D] for sequences, [T] for token ids).</summary>
        public IReadOnlyList<int> InputShape { get; }

        /// <summary>The shape of one output sample of this layer.</summary>
        public IReadOnlyList<int> OutputShape { get; }

        /// <summary>The settings in declaration order, as invariant text.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

        /// <summary>Whether the layer states <paramref name="key"/>.</summary>
        public bool Has(string key) => _settings.ContainsKey(key);

        /// <summary>A setting as text; a <see cref="KeyNotFoundException"/> naming the layer when it has none.</summary>
        public string Text(string key) =>
            _settings.TryGetValue(key, out string? value)
                ? value
                : throw new KeyNotFoundException($"{Kind} layer '{Name}' has no setting '{key}' (it has: {string.Join(", ", _settings.Keys)}).");

        /// <summary>An integer setting.</summary>
        public int Int(string key) =>
            int.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw NotA("an integer", key);

        /// <summary>A float setting.</summary>
        public float Float(string key) =>
            float.TryParse(Text(key), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) ? value : throw NotA("a number", key);

        /// <summary>A true/false setting.</summary>
        public bool Bool(string key) => Text(key) switch
        {
            "true" => true,
            "false" => false,
            _ => throw NotA("true or false", key),
        };

        private FormatException NotA(string what, string key) =>
            new($"{Kind} layer '{Name}': setting '{key}' is \"{Text(key)}\", not {what}.");

        /// <summary>An <see cref="NetGen.Activation"/> setting.</summary>
        public Activation Activation(string key = "activation") => Enum.Parse<Activation>(Text(key));

        /// <summary><c>Dense 'hidden' [784] -> [128] (units=128, activation=ReLU)</c>.</summary>
        public override string ToString() =>
            $"{Kind} '{Name}' [{string.Join(", ", InputShape)}] -> [{string.Join(", ", OutputShape)}]"
            + (Settings.Count == 0 ? "" : " (" + string.Join(", ", Settings.Select(s => s.Key + "=" + s.Value)) + ")");
    }

    /// <summary>
    /// A generated network's architecture, for tools that rebuild it elsewhere (ONNX, PyTorch): the input, the loss
    /// and every layer in order. The same for every instance of a class (<c>MyNetwork.Architecture</c>).
    /// </summary>
    public sealed class NetworkArchitecture
    {
        /// <summary>A network's architecture as its generated class states it.</summary>
        public NetworkArchitecture(string name, Loss loss, int[] inputShape, bool tokenInputs, int vocabularySize, int paddingIndex,
            params LayerArchitecture[] layers)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            ArgumentNullException.ThrowIfNull(inputShape);
            ArgumentNullException.ThrowIfNull(layers);
            if (Array.IndexOf(layers, null) >= 0)
            {
                throw new ArgumentException($"Network {name}: a layer is null.", nameof(layers));
            }
            Loss = loss;
            InputShape = Array.AsReadOnly((int[])inputShape.Clone());
            TokenInputs = tokenInputs;
            VocabularySize = vocabularySize;
            PaddingIndex = paddingIndex;
            Layers = Array.AsReadOnly((LayerArchitecture[])layers.Clone());
        }

        /// <summary>The class's full name: <c>Demo.MnistMlp</c>.</summary>
        public string Name { get; }

        /// <summary>The loss the network trains with.</summary>
        public Loss Loss { get; }

        /// <summary>The shape of one input sample, without the batch axis.</summary>
        public IReadOnlyList<int> InputShape { get; }

        /// <summary>Whether the inputs are <see cref="int"/> token ids (<c>[TokenInput]</c>) rather than floats.</summary>
        public bool TokenInputs { get; }

        /// <summary>The token-id range of a token-input network, 0 otherwise.</summary>
        public int VocabularySize { get; }

        /// <summary>The Embedding's padding id (masked as an attention key, left out of sequence pooling), −1 for none.</summary>
        public int PaddingIndex { get; }

        /// <summary>The layers in order.</summary>
        public IReadOnlyList<LayerArchitecture> Layers { get; }

        /// <summary>The shape of one output sample.</summary>
        public IReadOnlyList<int> OutputShape => Layers.Count == 0 ? InputShape : Layers[Layers.Count - 1].OutputShape;

        /// <summary>One line per layer.</summary>
        public override string ToString() => Name + " (" + Loss + ")" + Environment.NewLine + string.Join(Environment.NewLine, Layers);
    }
}

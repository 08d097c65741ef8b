using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>One tensor a layer owns in the flat parameter or buffer storage: <c>{layer}.{Suffix}</c>, shaped like PyTorch's.</summary>
    /// <param name="Suffix">The state_dict key after the layer's name: <c>weight</c>, <c>bias_hh_l1</c>.</param>
    /// <param name="Constant">The suffix of the generated offset constant: <c>Weight</c> → <c>HiddenWeight</c>.</param>
    internal sealed record TensorDeclaration(string Suffix, string Constant, int[] Shape);

    /// <summary>
    /// One setting of a layer as the generated <c>Architecture</c> states it for exporters (ONNX, PyTorch):
    /// <c>units = 128</c>, <c>activation = ReLU</c>. Values are invariant text: integers, round-trip floats,
    /// <c>true</c>/<c>false</c>, enum member names.
    /// </summary>
    internal sealed record Setting(string Key, string Value)
    {
        public static Setting Of(string key, int value) => new(key, Format.Int(value));

        public static Setting Of(string key, float value) => new(key, Format.Float(value));

        public static Setting Of(string key, bool value) => new(key, value ? "true" : "false");

        public static Setting Of(string key, ActivationKind value) => new(key, value.ToString());
    }

    /// <summary>
    /// Everything NetGen knows about one kind of layer, in one place: the attribute that declares it,
    /// its Keras-style default name, its shape rule, its parameter and buffer tensors, the names of the
    /// constants it generates, the fusions it takes part in and its emitter. Adding a layer kind means
    /// writing one of these (with its spec, rule and emitter beside it) and listing it in <see cref="LayerKinds"/>.
    /// </summary>
    internal abstract class LayerKind
    {
        /// <summary>The attribute's name without "Attribute" (<c>Dense</c>); also <see cref="LayerSpec.Kind"/> of its specs.</summary>
        public abstract string Attribute { get; }

        /// <summary>Specs this kind produces report these <see cref="LayerSpec.Kind"/> values (usually just <see cref="Attribute"/>).</summary>
        public virtual IEnumerable<string> SpecKinds => new[] { Attribute };

        /// <summary>The stem of default names, as Keras names layers: <c>dense</c> → <c>dense</c>, <c>dense_1</c>, ….</summary>
        public abstract string DefaultName { get; }

        /// <summary>Suffixes of the constants its emitter generates (<c>In</c>, <c>Out</c>, <c>Weight</c>, …), so a class named like one is refused.</summary>
        public abstract IReadOnlyList<string> ConstantSuffixes { get; }

        /// <summary>Checks the attribute's arguments against the input type; returns the checked layer, or null after reporting why not.</summary>
        public abstract LayerSpec? Check(LayerAttribute attribute, TensorType? input, string name, string identifier, CheckContext context);

        /// <summary>Trainable tensors in state_dict order.</summary>
        public virtual IEnumerable<TensorDeclaration> Parameters(LayerSpec layer) => Array.Empty<TensorDeclaration>();

        /// <summary>Non-trainable tensors (running statistics) in state_dict order.</summary>
        public virtual IEnumerable<TensorDeclaration> Buffers(LayerSpec layer) => Array.Empty<TensorDeclaration>();

        /// <summary>The activation applied to the layer's output, when a later layer could apply its derivative for it.</summary>
        public virtual ActivationKind? OutputActivation(LayerSpec layer) => null;

        /// <summary>
        /// A fusion this layer (the consumer) makes with the layer before it (the producer), decided
        /// while planning, before any text is written; null for none.
        /// </summary>
        public virtual Fusion? FuseWith(LayerContext producer, LayerContext consumer) => null;

        /// <summary>Whether it reads token ids (only an Embedding does; any other layer after [TokenInput] is NG0033).</summary>
        public virtual bool ReadsTokens => false;

        /// <summary>Whether it reads the key-padding mask (attention and sequence pooling, when the Embedding has a PaddingIndex).</summary>
        public virtual bool ReadsKeyPadding => false;

        /// <summary>Whether an image input reaches it channel-major ([C, B, H, W]): the spatial layers' layout.</summary>
        public virtual bool ReadsChannelMajor => false;

        /// <summary>Whether it leaves its input's layout as it is (dropout), so the layer after it decides the input's.</summary>
        public virtual bool KeepsLayout => false;

        /// <summary>What an exporter needs beyond the kind, name and shapes to rebuild the layer elsewhere, in a fixed order.</summary>
        public virtual IEnumerable<Setting> Settings(LayerSpec layer) => Array.Empty<Setting>();

        public abstract LayerEmitter Emitter { get; }

        protected static TensorDeclaration Tensor(string suffix, string constant, params int[] shape) => new(suffix, constant, shape);
    }

    /// <summary>The layer kinds NetGen knows, each once.</summary>
    internal static class LayerKinds
    {
        public static readonly IReadOnlyList<LayerKind> All = new LayerKind[]
        {
            DenseKind.Instance,
            FlattenKind.Instance,
            Conv2DKind.Instance,
            PoolKind2D.Max,
            PoolKind2D.Average,
            GlobalAveragePoolKind.Instance,
            BatchNormKind.Instance,
            DropoutKind.Instance,
            EmbeddingKind.Instance,
            RecurrentKind.Lstm,
            RecurrentKind.Gru,
            LayerNormKind.Instance,
            AttentionKind.Instance,
            PositionalEmbeddingKind.Instance,
            SequencePoolKind.Instance,
            TransformerEncoderKind.Instance,
        };

        private static readonly Dictionary<string, LayerKind> ByAttributeName = All.ToDictionary(k => k.Attribute);

        private static readonly Dictionary<string, LayerKind> BySpecKind = All.SelectMany(k => k.SpecKinds.Select(s => (s, k))).ToDictionary(p => p.s, p => p.k);

        /// <summary>The kind declared by <c>[{attribute}]</c>, or null when it is not a layer (e.g. <c>Input</c>).</summary>
        public static LayerKind? ForAttribute(string attribute) => ByAttributeName.TryGetValue(attribute, out LayerKind? kind) ? kind : null;

        /// <summary>The kind a checked layer belongs to.</summary>
        public static LayerKind Of(LayerSpec layer) =>
            BySpecKind.TryGetValue(layer.Kind, out LayerKind? kind) ? kind : throw new InvalidOperationException("No layer kind for " + layer.Kind);

        /// <summary>Every constant suffix any layer kind generates.</summary>
        public static IEnumerable<string> AllConstantSuffixes => All.SelectMany(k => k.ConstantSuffixes).Distinct();
    }
}

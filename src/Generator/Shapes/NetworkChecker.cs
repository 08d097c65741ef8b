using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Shapes
{
    /// <summary>
    /// Walks a declared network once: checks the loss, the input and every layer's arguments, infers
    /// each layer's input and output shape, lays out the parameters, and reports every violation at
    /// the attribute or argument at fault. Returns the spec to emit, or null if any error was found.
    /// </summary>
    internal static class NetworkChecker
    {
        public static NetworkSpec? Check(NetworkDeclaration declaration, List<Diagnostic> diagnostics)
        {
            var context = new CheckContext(diagnostics, new Naming(declaration.Attributes));
            LossKind? loss = context.Enum(declaration.Network, "loss", "Loss", LossKind.MeanSquaredError);

            // [Input] or [TokenInput]: exactly one, before every layer.
            LayerAttribute? input = null;
            var layerAttributes = new List<LayerAttribute>();
            foreach (LayerAttribute attribute in declaration.Attributes)
            {
                if (!InputRules.IsInput(attribute))
                {
                    layerAttributes.Add(attribute);
                }
                else if (input is not null)
                {
                    context.Report(DiagnosticDescriptors.MultipleInputs, attribute.Location, declaration.DisplayName);
                }
                else
                {
                    input = attribute;
                    if (layerAttributes.Count > 0)
                    {
                        context.Report(DiagnosticDescriptors.InputNotFirst, attribute.Location, layerAttributes[layerAttributes.Count - 1].Kind);
                    }
                }
            }
            if (input is null)
            {
                context.Report(DiagnosticDescriptors.NoInput, declaration.ClassLocation, declaration.DisplayName);
            }

            // The layers, in order, each from the shape the previous one produced.
            TensorType? shape = input is null ? null : InputRules.Check(input, context);
            TensorType? inputShape = shape;
            var layers = new List<LayerSpec>();
            for (int i = 0; i < layerAttributes.Count; i++)
            {
                LayerAttribute attribute = layerAttributes[i];
                string name = LayerName(attribute, context);
                string identifier = context.Naming.Identifier(name, i);
                LayerKind? kind = LayerKinds.ForAttribute(attribute.Kind);
                LayerSpec? layer;
                if (shape is { IsTokens: true } && kind is { ReadsTokens: false })
                {
                    context.Report(DiagnosticDescriptors.TokensNeedEmbedding, attribute.Location, attribute.Kind, name, shape);
                    layer = null;
                }
                else
                {
                    layer = kind?.Check(attribute, shape, name, identifier, context);
                }
                if (layer is not null && layer.Output.Size > int.MaxValue / 4)
                {
                    // Sizes per sample become int constants and products of them in the generated code.
                    context.Report(DiagnosticDescriptors.NetworkTooLarge, attribute.Location, $"The output of {attribute.Kind} '{name}' ({layer.Output})",
                        layer.Output.Size, int.MaxValue / 4);
                    layer = null;
                }
                context.Previous = layer;
                shape = layer?.Output;
                if (layer is not null)
                {
                    layers.Add(layer);
                }
            }

            CheckCausalPooling(layers, layerAttributes, context);
            bool allLayersChecked = layers.Count == layerAttributes.Count;
            if (allLayersChecked && !layers.Any(l => l.ParameterCount > 0))
            {
                context.Report(DiagnosticDescriptors.NoLayers, declaration.ClassLocation, declaration.DisplayName);
            }
            else if (loss is not null && allLayersChecked)
            {
                CheckOutput(loss.Value, layers, layerAttributes, context);
            }
            CheckNameClash(declaration, layers, context);
            if (context.HasErrors || loss is null || inputShape is null)
            {
                return null;
            }

            List<ParameterSpec>? parameters = LayOut(layers, declaration, context, buffers: false);
            List<ParameterSpec>? buffers = LayOut(layers, declaration, context, buffers: true);
            if (parameters is null || buffers is null)
            {
                return null;
            }
            return new NetworkSpec(
                declaration.Namespace,
                declaration.ClassName,
                declaration.DisplayName,
                declaration.HintName,
                loss.Value,
                inputShape,
                context.Vocabulary,
                PaddingOf(layers),
                new EquatableArray<LayerSpec>(layers),
                new EquatableArray<ParameterSpec>(parameters),
                parameters.Sum(p => p.Length),
                new EquatableArray<ParameterSpec>(buffers),
                buffers.Sum(p => p.Length));
        }

        /// <summary>NG0039: averaging over time after a causal layer lets every output see the future the mask kept out.</summary>
        private static void CheckCausalPooling(List<LayerSpec> layers, List<LayerAttribute> attributes, CheckContext context)
        {
            if (layers.Count != attributes.Count)
            {
                return;
            }
            LayerSpec? causal = null;
            for (int i = 0; i < layers.Count; i++)
            {
                if (layers[i] is AttentionSpec { Causal: true } or TransformerEncoderSpec { Causal: true })
                {
                    causal = layers[i];
                }
                else if (layers[i] is SequencePoolSpec pool && causal is not null)
                {
                    context.Report(DiagnosticDescriptors.CausalThenPooled, attributes[i].Location, pool.Name, causal.Name);
                }
            }
        }

        /// <summary>The padding id of the network's Embedding, or −1.</summary>
        private static int PaddingOf(List<LayerSpec> layers) => layers.OfType<EmbeddingSpec>().FirstOrDefault() is { PaddingIndex: >= 0 } e ? e.PaddingIndex : -1;

        /// <summary>A member may not share its class's name, so the class may not be named like one NetGen generates.</summary>
        private static void CheckNameClash(NetworkDeclaration declaration, List<LayerSpec> layers, CheckContext context)
        {
            string name = declaration.DisplayName;
            bool clash = GeneratedNames.Members.Contains(name)
                || layers.Any(l => LayerKinds.Of(l).ConstantSuffixes.Any(suffix => l.Identifier + suffix == name));
            if (clash)
            {
                context.Report(DiagnosticDescriptors.NameClash, declaration.ClassLocation, name);
            }
        }

        private static string LayerName(LayerAttribute attribute, CheckContext context)
        {
            string? chosen = attribute.String("Name");
            if (chosen is null)
            {
                return context.Naming.NextDefault(attribute.Kind);
            }
            if (!Naming.IsValid(chosen))
            {
                context.Report(DiagnosticDescriptors.InvalidLayerName, attribute.LocationOf("Name"), chosen);
            }
            else if (!context.Naming.TryClaim(chosen))
            {
                context.Report(DiagnosticDescriptors.DuplicateLayerName, attribute.LocationOf("Name"), chosen);
            }
            return chosen;
        }

        /// <summary>The output layer must suit the loss; Softmax belongs only on the output layer.</summary>
        private static void CheckOutput(LossKind loss, List<LayerSpec> layers, List<LayerAttribute> attributes, CheckContext context)
        {
            LayerSpec last = layers[layers.Count - 1];
            LayerAttribute lastAttribute = attributes[attributes.Count - 1];
            ActivationKind? required = loss switch
            {
                LossKind.CrossEntropy => ActivationKind.Softmax,
                LossKind.BinaryCrossEntropy => ActivationKind.Sigmoid,
                _ => null,
            };
            if (required is not null && !(last is DenseSpec d && d.Activation == required))
            {
                string actual = last is DenseSpec dense
                    ? dense.Activation == ActivationKind.None ? "has no activation" : $"has Activation.{dense.Activation}"
                    : $"is a {last.Kind} layer";
                context.Report(
                    required == ActivationKind.Softmax ? DiagnosticDescriptors.CrossEntropyNeedsSoftmax : DiagnosticDescriptors.BinaryCrossEntropyNeedsSigmoid,
                    lastAttribute.LocationOf("activation"), last.Name, actual);
            }
            for (int i = 0; i < layers.Count - 1; i++)
            {
                if (layers[i] is DenseSpec { Activation: ActivationKind.Softmax })
                {
                    context.Report(DiagnosticDescriptors.SoftmaxOnHiddenLayer, attributes[i].LocationOf("activation"), layers[i].Name);
                }
            }
        }

        /// <summary>
        /// Trainable parameters (<paramref name="buffers"/> false) or non-trainable buffers, layers in
        /// declaration order, named and shaped like PyTorch's state_dict: a dense weight [out, in], a
        /// convolution weight [out, in, k, k], each followed by its bias; batch-norm weight and bias,
        /// and its running_mean, running_var and num_batches_tracked buffers.
        /// </summary>
        private static List<ParameterSpec>? LayOut(List<LayerSpec> layers, NetworkDeclaration declaration, CheckContext context, bool buffers)
        {
            var tensors = new List<ParameterSpec>();
            long offset = 0;
            void Add(LayerSpec layer, string suffix, string constant, int[] shape)
            {
                long length = 1;
                foreach (int d in shape)
                {
                    length *= d;
                }
                tensors.Add(new ParameterSpec(layer.Name + "." + suffix, new EquatableArray<int>(shape),
                    (int)System.Math.Min(offset, int.MaxValue), (int)System.Math.Min(length, int.MaxValue), layer.Identifier + constant));
                offset += length;
            }
            foreach (LayerSpec layer in layers)
            {
                LayerKind kind = LayerKinds.Of(layer);
                foreach (TensorDeclaration tensor in buffers ? kind.Buffers(layer) : kind.Parameters(layer))
                {
                    Add(layer, tensor.Suffix, tensor.Constant, tensor.Shape);
                }
            }
            if (offset > int.MaxValue)
            {
                context.Report(DiagnosticDescriptors.NetworkTooLarge, declaration.ClassLocation,
                    $"The {(buffers ? "buffer" : "parameter")} count of '{declaration.DisplayName}'", offset, int.MaxValue);
                return null;
            }
            return tensors;
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Emit;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Planning
{
    /// <summary>One value flowing between layers, with the layers that read it (the network input is produced by none).</summary>
    /// <param name="Producer">The index of the layer that writes it, or -1 for the network input.</param>
    internal sealed record PlannedTensor(string Description, int Producer, IReadOnlyList<int> Consumers)
    {
        /// <summary>Several consumers' gradients are summed into it; a single consumer overwrites it.</summary>
        public bool GradientAccumulates => Consumers.Count > 1;
    }

    /// <summary>
    /// Everything the writers need, decided before any text is written: each layer's place (input and
    /// gradient spans, layout), the fusions, every workspace buffer with its role, which of them each
    /// pass reads, and the graph of tensors with their consumers (a tensor read by several layers gets
    /// the sum of their gradients). Immutable once built; the writers only read it.
    /// </summary>
    internal sealed class NetworkPlan
    {
        /// <summary>The key-padding mask [B, T] computed from the token ids when the Embedding has a PaddingIndex and a layer reads it.</summary>
        public static readonly WorkspaceBuffer KeyPaddingMask = new("_keyPadding", "keyPadding", "SequenceLength", "[B, T]",
            "1 where the token is the padding id: masked as a key and left out of sequence means", Role: BufferRole.Activation);

        /// <summary>The network input regrouped channel-major, when a spatial layer reads an input of several channels.</summary>
        public static readonly WorkspaceBuffer InputChannelMajor = new("_inputChannelMajor", "xChannels", "InputSize", "[C, B, H, W]",
            "the input regrouped channel-major for the spatial layers", Role: BufferRole.Activation);

        /// <summary>The output regrouped per sample, when the last layer writes an image of several channels channel-major.</summary>
        public static readonly WorkspaceBuffer OutputBatchMajor = new("_outputBatchMajor", "output", "OutputSize", "[B, C, H, W]",
            "the output regrouped per sample, as Forward returns it", Role: BufferRole.Activation);

        /// <summary>The targets regrouped channel-major like the output, so an element-wise loss compares like with like.</summary>
        public static readonly WorkspaceBuffer TargetChannelMajor = new("_targetChannelMajor", "targetChannels", "OutputSize", "[C, B, H, W]",
            "the targets regrouped channel-major, like the last layer's output", Role: BufferRole.Activation);

        private NetworkPlan(NetworkSpec spec, List<LayerContext> layers, List<PlannedTensor> tensors, bool outputChannelMajor)
        {
            Spec = spec;
            Layers = layers;
            Tensors = tensors;
            ConvertsInput = InputFeedsSpatialLayer(spec) && spec.Input.Dims[0] > 1;
            MasksPadding = spec.PaddingIndex >= 0 && layers.Any(l => l.Kind.ReadsKeyPadding);
            RegroupsOutput = outputChannelMajor && spec.Output.IsImage && spec.Output.Dims[0] > 1;
            Buffers = (ConvertsInput ? new[] { InputChannelMajor } : Enumerable.Empty<WorkspaceBuffer>())
                .Concat(MasksPadding ? new[] { KeyPaddingMask } : Enumerable.Empty<WorkspaceBuffer>())
                .Concat(layers.SelectMany(l => l.Emitter.Buffers(l)))
                .Concat(RegroupsOutput ? new[] { OutputBatchMajor, TargetChannelMajor } : Enumerable.Empty<WorkspaceBuffer>()).ToList();
            var byLocal = Buffers.ToDictionary(b => b.Local);

            LayerContext last = layers[layers.Count - 1];
            OutputVar = last.Emitter.OutputVar(last);
            // A trailing Flatten is a view: the output lives in the buffer of the layer before it.
            OutputBuffer = byLocal[OutputVar];
            OutputOwner = layers.Last(l => l.Emitter.Buffers(l).Contains(OutputBuffer));

            var backward = new HashSet<WorkspaceBuffer>();
            foreach (LayerContext layer in layers)
            {
                backward.UnionWith(layer.Emitter.Buffers(layer).Where(b => layer.Emitter.BackwardReads(layer, b)));
                if (layer.Emitter.BackwardReadsInput(layer) && byLocal.TryGetValue(layer.InputVar, out WorkspaceBuffer? input))
                {
                    backward.Add(input);
                }
                if (layer.InputGradientVar is not null && byLocal.TryGetValue(layer.InputGradientVar, out WorkspaceBuffer? inputGradient))
                {
                    backward.Add(inputGradient);
                }
                if (layer.KeyPadding is not null)
                {
                    backward.Add(KeyPaddingMask);
                }
                if (layer.FusedInputDerivative is { } fused)
                {
                    backward.Add(byLocal[fused.OutputVar]);
                }
            }
            BackwardBuffers = Buffers.Where(backward.Contains).ToList();
            BackwardReadsParameters = layers.Any(l => l.Emitter.BackwardReadsParameters(l));
        }

        public NetworkSpec Spec { get; }

        /// <summary>The layers in order, each with its place in the passes and its fusions.</summary>
        public IReadOnlyList<LayerContext> Layers { get; }

        /// <summary>The graph: the input, then each layer's output, with the layers reading each.</summary>
        public IReadOnlyList<PlannedTensor> Tensors { get; }

        /// <summary>Every workspace buffer, the input conversion first, then each layer's in order.</summary>
        public IReadOnlyList<WorkspaceBuffer> Buffers { get; }

        /// <summary>Whether the forward pass computes <see cref="KeyPaddingMask"/> from the tokens first.</summary>
        public bool MasksPadding { get; }

        /// <summary>Whether the input is regrouped channel-major into <see cref="InputChannelMajor"/> before the first layer.</summary>
        public bool ConvertsInput { get; }

        /// <summary>
        /// Whether the last layer leaves an image of several channels channel-major ([C, B, H, W]): Forward then
        /// regroups it per sample into <see cref="OutputBatchMajor"/>, and the loss regroups the targets instead
        /// (an element-wise loss, the only kind an image output can have), so backward starts channel-major.
        /// </summary>
        public bool RegroupsOutput { get; }

        /// <summary>The buffer Forward returns and <c>Outputs</c> shows: batch-major always.</summary>
        public WorkspaceBuffer ResultBuffer => RegroupsOutput ? OutputBatchMajor : OutputBuffer;

        /// <summary>The local span holding the last layer's output (channel-major when <see cref="RegroupsOutput"/>).</summary>
        public string OutputVar { get; }

        /// <summary>The buffer behind <see cref="OutputVar"/>.</summary>
        public WorkspaceBuffer OutputBuffer { get; }

        /// <summary>The layer that owns <see cref="OutputBuffer"/>: the last one, or the one before a trailing view.</summary>
        public LayerContext OutputOwner { get; }

        /// <summary>The buffers the backward pass reads or writes, in declaration order.</summary>
        public IReadOnlyList<WorkspaceBuffer> BackwardBuffers { get; }

        public bool BackwardReadsParameters { get; }

        public bool HasDropout => Spec.Layers.Any(l => l.UsesDropoutStream);

        /// <summary>
        /// Whether the network gets the stateful one-step API for generation: token inputs, and every
        /// layer able to run a step at a time (embedding, recurrent, dense, dropout, LayerNorm, positional
        /// tables, causal attention with its key/value cache).
        /// </summary>
        public bool SupportsStep => Spec.TokenInputs && Layers.All(l => l.Emitter.SupportsStep(l));

        /// <summary>Whether the step path counts positions (positional tables, key/value caches): a stream then holds at most SequenceLength tokens.</summary>
        public bool StepTracksPosition => SupportsStep && Layers.Any(l => l.Emitter.StepReadsPosition(l));

        /// <summary>The buffers of the one-step path, layers in order.</summary>
        public IEnumerable<StepBuffer> StepBuffers => !SupportsStep ? Enumerable.Empty<StepBuffer>()
            : (MasksPadding ? new[] { StepKeyPadding } : Enumerable.Empty<StepBuffer>()).Concat(Layers.SelectMany(l => l.Emitter.StepBuffers(l)));

        /// <summary>Which positions of each stream held the padding id: the attention layers' key mask on the step path.</summary>
        public static readonly StepBuffer StepKeyPadding = new("_stepKeyPadding", "SequenceLength",
            "[B, T] 1 where a stream's token at that position was the padding id: masked as a key", State: true);

        public static NetworkPlan Build(NetworkSpec spec)
        {
            // 1. Wire the chain: each layer reads the span the previous one wrote.
            var layers = new List<LayerContext>();
            string inputVar = "x";
            string? inputGradient = null;
            bool channelMajor = false;
            if (InputFeedsSpatialLayer(spec))
            {
                // Spatial layers work channel-major; with one channel that is already the input's layout.
                channelMajor = true;
                if (spec.Input.Dims[0] > 1)
                {
                    inputVar = InputChannelMajor.Local;
                }
            }
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                var context = new LayerContext(spec.Layers[i], i, inputVar, inputGradient, i == spec.Layers.Count - 1, spec.Loss, channelMajor, spec.HasModes)
                {
                    KeyPadding = spec.PaddingIndex >= 0 && LayerKinds.Of(spec.Layers[i]).ReadsKeyPadding ? KeyPaddingMask.Local : null,
                };
                layers.Add(context);
                inputVar = context.Emitter.OutputVar(context);
                inputGradient = context.Emitter.OutputGradientVar(context);
                channelMajor = context.Emitter.OutputChannelMajor(context);
            }

            // 2. The graph: a chain, so every tensor has one consumer (composite layers keep their residuals inside).
            var tensors = new List<PlannedTensor> { new("the input " + spec.Input, -1, new[] { 0 }) };
            for (int i = 0; i < layers.Count; i++)
            {
                tensors.Add(new PlannedTensor($"the output of '{layers[i].Layer.Name}' {layers[i].Layer.Output}", i,
                    i + 1 < layers.Count ? new[] { i + 1 } : System.Array.Empty<int>()));
            }

            // 3. Fusions, as each consumer's kind states them; then the contexts that carry them.
            var fusions = new Fusion?[layers.Count];
            for (int i = 1; i < layers.Count; i++)
            {
                fusions[i] = layers[i].Kind.FuseWith(layers[i - 1], layers[i]);
            }
            var planned = new List<LayerContext>();
            for (int i = 0; i < layers.Count; i++)
            {
                LayerContext l = layers[i];
                Fusion? own = fusions[i], next = i + 1 < layers.Count ? fusions[i + 1] : null;
                string? nextName = i + 1 < layers.Count ? layers[i + 1].Layer.Name : null;
                planned.Add(new LayerContext(l.Layer, l.Index, l.InputVar, l.InputGradientVar, l.IsOutput, l.Loss, l.InputChannelMajor, l.HasModes)
                {
                    InputGradientAccumulates = tensors[i].GradientAccumulates,
                    KeyPadding = l.KeyPadding,
                    FusedConv = own is ConvIntoPoolFusion ? planned[i - 1] : null,
                    FusedInputDerivative = own is InputDerivativeFusion d ? (d.Activation, d.OutputVar, layers[i - 1].Layer.Name) : null,
                    FusedIntoPool = next is ConvIntoPoolFusion ? nextName : null,
                    DerivativeFusedInto = next is InputDerivativeFusion ? nextName : null,
                });
            }
            return new NetworkPlan(spec, planned, tensors, channelMajor);
        }

        /// <summary>Whether the input [C, H, W] goes (past any dropout) straight into a layer that works channel-major.</summary>
        private static bool InputFeedsSpatialLayer(NetworkSpec spec)
        {
            if (!spec.Input.IsImage)
            {
                return false;
            }
            LayerSpec? first = spec.Layers.FirstOrDefault(l => !LayerKinds.Of(l).KeepsLayout);
            return first is not null && LayerKinds.Of(first).ReadsChannelMajor;
        }
    }
}

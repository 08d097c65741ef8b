using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit
{
    /// <summary>
    /// Writes the generated half of a network class: constants, parameter layout, workspace, the
    /// public API, and the forward, loss and backward passes, delegating each layer to its emitter.
    /// </summary>
    internal sealed class NetworkEmitter
    {
        private const string Span = "global::System.Span<float>";
        private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

        private readonly NetworkSpec _spec;
        private readonly SourceWriter _w = new();
        private readonly List<(LayerContext Context, LayerEmitter Emitter)> _layers = new();
        private readonly string _targetType;
        private readonly string _target;

        private NetworkEmitter(NetworkSpec spec)
        {
            _spec = spec;
            _targetType = LossEmitter.TargetType(spec.Loss);
            _target = LossEmitter.TargetName(spec.Loss);
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
                var context = new LayerContext(spec.Layers[i], i, inputVar, inputGradient, i == spec.Layers.Count - 1, spec.Loss, channelMajor, spec.HasModes);
                LayerEmitter emitter = LayerEmitter.For(spec.Layers[i]);
                _layers.Add((context, emitter));
                inputVar = emitter.OutputVar(context);
                inputGradient = emitter.OutputGradientVar(context);
                channelMajor = emitter.OutputChannelMajor(context);
            }
            FuseDerivatives();
        }

        /// <summary>
        /// A convolution (no activation, ReLU or LeakyReLU) followed by a max pooling becomes one kernel
        /// each way: its output and gradient stay in cache. Where a dense layer feeds a dense layer that
        /// computes its input gradient with the kernels, that product applies the first layer's activation
        /// derivative as it stores (ReLU, LeakyReLU, Sigmoid and Tanh need only the layer's output); where
        /// a ReLU-type batch-norm feeds a max pooling, the pooling's backward does. One pass over the
        /// gradient fewer.
        /// </summary>
        private void FuseDerivatives()
        {
            for (int i = 1; i < _layers.Count; i++)
            {
                LayerContext consumer = _layers[i].Context, producer = _layers[i - 1].Context;
                if (consumer.Layer is Pool2DSpec { Pool: PoolKind.Max }
                    && producer.Layer is Conv2DSpec { Activation: ActivationKind.None or ActivationKind.ReLU or ActivationKind.LeakyReLU })
                {
                    consumer.FusedConv = producer;
                    producer.FusedIntoPool = consumer.Layer.Name;
                    continue;
                }
                // A ReLU-type layer before a max pooling: a window's winner is the pooled value, so the
                // pooling's backward can gate the gradient by its own output's sign.
                if (consumer.Layer is Pool2DSpec { Pool: PoolKind.Max } && consumer.InputGradientVar is not null
                    && ActivationOf(producer.Layer) is ActivationKind.ReLU or ActivationKind.LeakyReLU)
                {
                    consumer.FusedInputDerivative = (ActivationOf(producer.Layer)!.Value, _layers[i].Emitter.OutputVar(consumer), producer.Layer.Name);
                    producer.DerivativeFusedInto = consumer.Layer.Name;
                    continue;
                }
                if (consumer.Layer is DenseSpec && consumer.InputGradientVar is not null && !DenseEmitter.IsUnrolled(consumer)
                    && producer.Layer is DenseSpec { Activation: ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.Sigmoid or ActivationKind.Tanh } dense
                    && !producer.FusedWithLoss)
                {
                    consumer.FusedInputDerivative = (dense.Activation, _layers[i - 1].Emitter.OutputVar(producer), dense.Name);
                    producer.DerivativeFusedInto = consumer.Layer.Name;
                }
            }
        }

        public static string Emit(NetworkSpec spec) => new NetworkEmitter(spec).Write();

        private static ActivationKind? ActivationOf(LayerSpec layer) => layer switch
        {
            Conv2DSpec conv => conv.Activation,
            BatchNormSpec bn => bn.Activation,
            _ => null,
        };

        /// <summary>The network input regrouped channel-major, when a spatial layer reads an input of several channels.</summary>
        private static readonly WorkspaceBuffer InputChannelMajor = new("_inputChannelMajor", "xChannels", "InputSize", "[C, B, H, W]",
            "the input regrouped channel-major for the spatial layers", TrainingOnly: false);

        /// <summary>Whether the input [C, H, W] goes (past any dropout) straight into a convolution, pooling or batch-norm.</summary>
        private static bool InputFeedsSpatialLayer(NetworkSpec spec)
        {
            if (!spec.Input.IsImage)
            {
                return false;
            }
            foreach (LayerSpec layer in spec.Layers)
            {
                if (layer is not DropoutSpec)
                {
                    return layer is Conv2DSpec or Pool2DSpec or GlobalAveragePoolSpec or BatchNormSpec;
                }
            }
            return false;
        }

        private bool ConvertsInput => InputFeedsSpatialLayer(_spec) && _spec.Input.Dims[0] > 1;

        private IEnumerable<WorkspaceBuffer> AllBuffers =>
            (ConvertsInput ? new[] { InputChannelMajor } : Enumerable.Empty<WorkspaceBuffer>())
                .Concat(_layers.SelectMany(l => l.Emitter.Buffers(l.Context)));

        private bool HasDropout => _spec.Layers.Any(l => l is DropoutSpec);

        /// <summary>", bool training" for the passes of networks with mode-dependent layers.</summary>
        private string TrainingParameter => _spec.HasModes ? ", bool training" : "";

        private string TrainingArgument(bool training) => _spec.HasModes ? (training ? ", training: true" : ", training: false") : "";

        /// <summary>The span the last layer's output ends up in (a Flatten at the end aliases the layer before it).</summary>
        private string OutputVar => _layers[_layers.Count - 1].Emitter.OutputVar(_layers[_layers.Count - 1].Context);

        private string Write()
        {
            _w.Line("// <auto-generated/>");
            _w.Line($"// NetGen generated this file from the attributes on {_spec.FullName}. Edit the attributes, not this file.");
            _w.Line("#nullable enable");
            _w.Line();
            if (_spec.Namespace is null)
            {
                WriteClass();
            }
            else
            {
                using (_w.Block("namespace " + _spec.Namespace))
                {
                    WriteClass();
                }
            }
            return _w.ToString();
        }

        private void WriteClass()
        {
            _w.Line($"// {_spec.DisplayName}: {_spec.Input} -> {_spec.Output}, loss {_spec.Loss}, {Format.Count(_spec.ParameterCount)} parameter{(_spec.ParameterCount == 1 ? "" : "s")}.");
            foreach (var (context, emitter) in _layers)
            {
                _w.Line("//   " + emitter.Describe(context));
            }
            using (_w.Block($"partial class {_spec.ClassName} : global::NetGen.INetwork<{_targetType}>"))
            {
                WriteConstants();
                _w.Line();
                WriteFields();
                _w.Line();
                WriteConstructor();
                _w.Line();
                WritePublicApi();
                _w.Line();
                WriteForwardPass();
                _w.Line();
                WriteLossPass();
                _w.Line();
                WriteBackwardPass();
                _w.Line();
                WriteCapacity();
                _w.Line();
                WriteInterface();
            }
        }

        private void WriteConstants()
        {
            _w.Line($"/// <summary>Floats per input sample: {Format.Dims(_spec.Input.Dims)}.</summary>");
            _w.Line($"public const int InputSize = {Format.Int(_spec.Input.Size)};");
            _w.Line($"/// <summary>Floats per output sample: {Format.Dims(_spec.Output.Dims)}.</summary>");
            _w.Line($"public const int OutputSize = {Format.Int(_spec.Output.Size)};");
            _w.Line($"/// <summary>Trainable parameters: the length of <see cref=\"Parameters\"/> and <see cref=\"Gradients\"/>.</summary>");
            _w.Line($"public const int ParameterCount = {Format.Int(_spec.ParameterCount)};");
            _w.Line(_spec.Loss == LossKind.CrossEntropy
                ? "/// <summary>Targets per sample: one class label in [0, OutputSize).</summary>"
                : "/// <summary>Targets per sample: one float per output.</summary>");
            _w.Line($"public const int TargetSize = {(_spec.Loss == LossKind.CrossEntropy ? "1" : "OutputSize")};");
            _w.Line();
            _w.Line("// Layer sizes.");
            foreach (var (context, emitter) in _layers)
            {
                emitter.Constants(_w, context);
            }
            if (_spec.Buffers.Count > 0)
            {
                _w.Line("/// <summary>Non-trainable values (running statistics): the length of <see cref=\"Buffers\"/>.</summary>");
                _w.Line($"public const int BufferCount = {Format.Int(_spec.BufferCount)};");
            }
            if (_spec.Parameters.Count > 0)
            {
                _w.Line();
                _w.Line("// Parameter layout: offsets into Parameters and Gradients, weight then bias per layer, shaped like PyTorch's.");
                int nameWidth = _spec.Parameters.Max(p => p.OffsetConstant.Length);
                int offsetWidth = _spec.Parameters.Max(p => Format.Int(p.Offset).Length);
                foreach (ParameterSpec parameter in _spec.Parameters)
                {
                    string offset = (Format.Int(parameter.Offset) + ";").PadRight(offsetWidth + 1);
                    _w.Line($"private const int {parameter.OffsetConstant.PadRight(nameWidth)} = {offset} // {parameter.Name} {Format.Dims(parameter.Shape)}");
                }
            }
            if (_spec.Buffers.Count > 0)
            {
                _w.Line();
                _w.Line("// Buffer layout: offsets into Buffers (non-trainable, never seen by optimizers).");
                int nameWidth = _spec.Buffers.Max(p => p.OffsetConstant.Length);
                int offsetWidth = _spec.Buffers.Max(p => Format.Int(p.Offset).Length);
                foreach (ParameterSpec buffer in _spec.Buffers)
                {
                    string offset = (Format.Int(buffer.Offset) + ";").PadRight(offsetWidth + 1);
                    _w.Line($"private const int {buffer.OffsetConstant.PadRight(nameWidth)} = {offset} // {buffer.Name} {Format.Dims(buffer.Shape)}");
                }
            }
        }

        private void WriteFields()
        {
            _w.Line($"private readonly global::NetGen.AlignedBuffer _parameters = new(ParameterCount); // [{Format.Int(_spec.ParameterCount)}]");
            _w.Line($"private readonly global::NetGen.AlignedBuffer _gradients = new(ParameterCount);  // [{Format.Int(_spec.ParameterCount)}]");
            if (_spec.Buffers.Count > 0)
            {
                _w.Line($"private readonly global::NetGen.AlignedBuffer _buffers = new(BufferCount);       // [{Format.Int(_spec.BufferCount)}] running statistics");
            }
            if (HasDropout)
            {
                _w.Line("private readonly global::NetGen.Rng _dropoutRng;                                 // dropout masks: stream 1 of the seed");
            }
            _w.Line();
            _w.Line("// Workspace, sized for the largest batch seen and then reused: steady-state steps allocate nothing.");
            _w.Line("private int _capacity;         // samples the forward buffers hold");
            _w.Line("private int _trainingCapacity; // samples the gradient buffers hold");
            _w.Line("private int _lastBatch;        // samples in the most recent forward pass (see Outputs)");
            foreach (WorkspaceBuffer buffer in AllBuffers)
            {
                _w.Line(buffer.Fixed
                    ? $"private readonly global::NetGen.AlignedBuffer {buffer.Field} = new({buffer.PerSample}); // {buffer.Shape} {buffer.Description}"
                    : $"private global::NetGen.AlignedBuffer {buffer.Field} = global::NetGen.AlignedBuffer.Empty; // {buffer.Shape} {buffer.Description}");
            }
        }

        private void WriteConstructor()
        {
            _w.Line("/// <summary>Creates the network with weights drawn from <paramref name=\"seed\"/>: the same seed gives the same bits. Biases start at zero.</summary>");
            using (_w.Block($"public {_spec.ClassName}(int seed = 0)"))
            {
                _w.Line("var rng = new global::NetGen.Rng(seed);");
                _w.Line($"{Span} p = _parameters.Span;");
                foreach (var (context, emitter) in _layers)
                {
                    emitter.Initialize(_w, context);
                }
                if (_spec.Buffers.Count > 0)
                {
                    _w.Line($"{Span} buffers = _buffers.Span;");
                    foreach (var (context, emitter) in _layers)
                    {
                        emitter.InitializeBuffers(_w, context);
                    }
                }
                if (HasDropout)
                {
                    _w.Line("_dropoutRng = new global::NetGen.Rng(seed, stream: 1);");
                }
            }
        }

        private void WritePublicApi()
        {
            _w.Line("/// <summary>Every trainable parameter, layers in declaration order, weight then bias.</summary>");
            _w.Line($"public {Span} Parameters => _parameters.Span;");
            _w.Line();
            _w.Line("/// <summary>∂L/∂parameter from the last ComputeGradients or TrainStep, laid out like <see cref=\"Parameters\"/>.</summary>");
            _w.Line($"public {Span} Gradients => _gradients.Span;");
            _w.Line();
            _w.Line("/// <summary>Name, shape and offset of each parameter tensor, as in a PyTorch state_dict.</summary>");
            WriteLayout("ParameterLayout", _spec.Parameters);
            _w.Line();
            _w.Line(_spec.Buffers.Count > 0
                ? "/// <summary>Non-trainable state saved with the parameters: the batch-norm running statistics. Optimizers never see it.</summary>"
                : "/// <summary>Non-trainable state saved with the parameters (e.g. batch-norm running statistics): none in this network.</summary>");
            _w.Line(_spec.Buffers.Count > 0 ? $"public {Span} Buffers => _buffers.Span;" : $"public {Span} Buffers => {Span}.Empty;");
            _w.Line();
            _w.Line("/// <summary>Name, shape and offset of each tensor in <see cref=\"Buffers\"/>.</summary>");
            WriteLayout("BufferLayout", _spec.Buffers);
            _w.Line();
            _w.Line(HasDropout
                ? "/// <summary>The stream the dropout masks come from (stream 1 of the seed); resumable checkpoints save its state.</summary>"
                : "/// <summary>Training draws no random numbers here (no dropout): null.</summary>");
            _w.Line(HasDropout ? "public global::NetGen.Rng? TrainingRng => _dropoutRng;" : "public global::NetGen.Rng? TrainingRng => null;");
            _w.Line();
            _w.Line($"/// <summary>A new {_spec.DisplayName} with the parameters (and buffers) of the safetensors checkpoint at <paramref name=\"path\"/>.</summary>");
            using (_w.Block($"public static {_spec.ClassName} Load(string path)"))
            {
                _w.Line($"var network = new {_spec.ClassName}();");
                _w.Line("global::NetGen.Checkpoint.Load(network, path);");
                _w.Line("return network;");
            }
            _w.Line();
            _w.Line("/// <summary>The outputs of the most recent forward pass (Forward, ComputeLoss, ComputeGradients or TrainStep), [batch, OutputSize].</summary>");
            _w.Line($"public {ReadOnlySpan} Outputs => {OutputField}.Slice(_lastBatch * OutputSize);");
            _w.Line();
            _w.Line("/// <summary>The shape of one input sample, without the batch dimension.</summary>");
            _w.Line($"public static global::System.Collections.Generic.IReadOnlyList<int> InputShape {{ get; }} = global::System.Array.AsReadOnly(new int[] {{ {string.Join(", ", _spec.Input.Dims.Select(d => Format.Int(d)))} }});");
            _w.Line();
            _w.Line("/// <summary>Layers, output shapes and parameter counts, like Keras' model.summary().</summary>");
            // A verbatim literal, so the table reads as a table here too.
            _w.Line("public static string Summary => @\"" + SummaryEmitter.Table(_spec).Replace("\"", "\"\"") + "\";");
            _w.Line();

            string targets = $"global::System.ReadOnlySpan<{_targetType}> {_target}";
            string what = LastActivation() == ActivationKind.Softmax ? " (class probabilities)" : "";
            _w.Line($"/// <summary>Inference: the outputs{what} for <paramref name=\"batchSize\"/> samples, [batchSize, OutputSize], as a view of this network's buffer that stays valid until its next pass.</summary>");
            using (_w.Block($"public {ReadOnlySpan} Forward({ReadOnlySpan} inputs, int batchSize)"))
            {
                _w.Line("global::NetGen.Guard.BatchSize(batchSize);");
                _w.Line("global::NetGen.Guard.Length(inputs.Length, batchSize, InputSize, nameof(inputs), nameof(InputSize));");
                _w.Line("EnsureCapacity(batchSize);");
                _w.Line($"return ForwardPass(inputs, batchSize{TrainingArgument(false)});");
            }
            _w.Line();
            _w.Line($"/// <summary>Inference: writes OutputSize floats per sample{what} for <paramref name=\"batchSize\"/> samples into <paramref name=\"outputs\"/>.</summary>");
            using (_w.Block($"public void Forward({ReadOnlySpan} inputs, {Span} outputs, int batchSize)"))
            {
                _w.Line("global::NetGen.Guard.BatchSize(batchSize);");
                _w.Line("global::NetGen.Guard.Length(outputs.Length, batchSize, OutputSize, nameof(outputs), nameof(OutputSize));");
                _w.Line("Forward(inputs, batchSize).CopyTo(outputs);");
            }
            _w.Line();
            _w.Line(_spec.HasModes
                ? "/// <summary>Forward in inference mode (no dropout, running statistics) and the mean loss over the batch; parameters, gradients and buffers are left alone.</summary>"
                : "/// <summary>Forward and the mean loss over the batch; parameters and gradients are left alone.</summary>");
            using (_w.Block($"public float ComputeLoss({ReadOnlySpan} inputs, {targets}, int batchSize)"))
            {
                _w.Line($"CheckBatch(inputs, {_target}, batchSize);");
                _w.Line("EnsureCapacity(batchSize);");
                _w.Line($"ForwardPass(inputs, batchSize{TrainingArgument(false)});");
                _w.Line($"return LossPass({_target}, batchSize, withGradient: false);");
            }
            _w.Line();
            _w.Line(_spec.HasModes
                ? "/// <summary>Forward in training mode (dropout active, batch statistics, running statistics updated), mean loss over the batch, backward: overwrites <see cref=\"Gradients\"/> and returns the loss.</summary>"
                : "/// <summary>Forward, mean loss over the batch, backward: overwrites <see cref=\"Gradients\"/> and returns the loss.</summary>");
            using (_w.Block($"public float ComputeGradients({ReadOnlySpan} inputs, {targets}, int batchSize)"))
            {
                _w.Line($"CheckBatch(inputs, {_target}, batchSize);");
                _w.Line("EnsureCapacity(batchSize);");
                _w.Line("EnsureTrainingCapacity(batchSize);");
                _w.Line($"ForwardPass(inputs, batchSize{TrainingArgument(true)});");
                _w.Line($"float loss = LossPass({_target}, batchSize, withGradient: true);");
                _w.Line("BackwardPass(inputs, batchSize);");
                _w.Line("return loss;");
            }
            _w.Line();
            _w.Line("/// <summary>ComputeGradients, then one step of <paramref name=\"optimizer\"/>; returns the loss before the step.</summary>");
            using (_w.Block($"public float TrainStep({ReadOnlySpan} inputs, {targets}, int batchSize, global::NetGen.Optimizer optimizer)"))
            {
                _w.Line("global::NetGen.Guard.Optimizer(optimizer);");
                _w.Line($"float loss = ComputeGradients(inputs, {_target}, batchSize);");
                _w.Line("optimizer.Step(_parameters.Span, _gradients.Span);");
                _w.Line("return loss;");
            }
            _w.Line();
            using (_w.Block($"private static void CheckBatch({ReadOnlySpan} inputs, {targets}, int batchSize)"))
            {
                _w.Line("global::NetGen.Guard.BatchSize(batchSize);");
                _w.Line("global::NetGen.Guard.Length(inputs.Length, batchSize, InputSize, nameof(inputs), nameof(InputSize));");
                _w.Line($"global::NetGen.Guard.Length({_target}.Length, batchSize, TargetSize, nameof({_target}), nameof(TargetSize));");
                if (_spec.Loss == LossKind.CrossEntropy)
                {
                    _w.Line($"global::NetGen.Guard.Labels({_target}, OutputSize, nameof({_target}));");
                }
            }
        }

        private void WriteLayout(string name, EquatableArray<ParameterSpec> tensors)
        {
            string type = "global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterTensor>";
            if (tensors.Count == 0)
            {
                _w.Line($"public static {type} {name} {{ get; }} = global::System.Array.Empty<global::NetGen.ParameterTensor>();");
                return;
            }
            _w.Line($"public static {type} {name} {{ get; }} = global::System.Array.AsReadOnly(new global::NetGen.ParameterTensor[]");
            _w.Line("{");
            _w.Indent();
            foreach (ParameterSpec tensor in tensors)
            {
                string dims = string.Join(", ", tensor.Shape.Select(d => Format.Int(d)));
                string shape = tensor.Shape.Count == 0
                    ? "global::System.Collections.Immutable.ImmutableArray<int>.Empty"
                    : $"global::System.Collections.Immutable.ImmutableArray.Create({dims})";
                _w.Line($"new(\"{tensor.Name}\", {shape}, {tensor.OffsetConstant}),");
            }
            _w.Unindent();
            _w.Line("});");
        }

        private ActivationKind? LastActivation() =>
            _spec.Layers.Count > 0 && _spec.Layers[_spec.Layers.Count - 1] is DenseSpec dense ? dense.Activation : null;

        private void WriteForwardPass()
        {
            if (_spec.HasModes)
            {
                _w.Line("// Forward, layer by layer; returns the output span. training: true is training mode (dropout draws masks,");
                _w.Line("// batch-norm uses and tracks batch statistics); training: false is inference mode (no dropout, running statistics).");
            }
            else
            {
                _w.Line("// Forward, layer by layer; returns the output span. Inference and training share this path:");
                _w.Line("// this network has no layer that behaves differently in training (no dropout, no batch-norm).");
            }
            using (_w.Block($"private {ReadOnlySpan} ForwardPass({ReadOnlySpan} x, int B{TrainingParameter})"))
            {
                _w.Line("_lastBatch = B;");
                _w.Line($"{ReadOnlySpan} p = _parameters.Span;");
                if (_spec.Buffers.Count > 0)
                {
                    _w.Line($"{Span} buffers = _buffers.Span;");
                }
                if (ConvertsInput)
                {
                    _w.Line();
                    _w.Line($"// The input [B, {_spec.Input.Dims[0]}, {_spec.Input.Dims[1]}, {_spec.Input.Dims[2]}] regrouped channel-major for the spatial layers");
                    WriteView(InputChannelMajor);
                    _w.Line($"global::NetGen.Kernels.Layout.ToChannelMajor(x, {InputChannelMajor.Local}, B, {_spec.Input.Dims[0]}, {Format.Int((long)_spec.Input.Dims[1] * _spec.Input.Dims[2])});");
                }
                foreach (var (context, emitter) in _layers)
                {
                    _w.Line();
                    _w.Line("// " + emitter.Describe(context));
                    foreach (WorkspaceBuffer buffer in emitter.Buffers(context).Where(b => !b.TrainingOnly || b.Fixed || IsMask(b)))
                    {
                        WriteView(buffer, IsMask(buffer) ? "training" : null);
                    }
                    emitter.Forward(_w, context);
                }
                _w.Line("return " + OutputVar + ";");
            }
        }

        /// <summary>Training-only buffers the forward pass writes in training mode (dropout masks, saved batch statistics).</summary>
        private static bool IsMask(WorkspaceBuffer buffer) => buffer.Local.EndsWith("Mask", System.StringComparison.Ordinal);

        private void WriteLossPass()
        {
            (LayerContext output, LayerEmitter emitter) = OutputOwner;
            _w.Line("// Loss: " + LossEmitter.Describe(_spec.Loss, _layers[_layers.Count - 1].Context.Layer.Name));
            using (_w.Block($"private float LossPass(global::System.ReadOnlySpan<{_targetType}> {_target}, int B, bool withGradient)"))
            {
                string? gradient = null;
                foreach (WorkspaceBuffer buffer in emitter.Buffers(output))
                {
                    WriteView(buffer, buffer.TrainingOnly && !buffer.Fixed ? "withGradient" : null);
                    if (buffer.TrainingOnly)
                    {
                        gradient = buffer.Local;
                    }
                }
                string? z = _spec.Loss != LossKind.MeanSquaredError ? output.Local("Z") : null;
                LossEmitter.Emit(_w, _spec.Loss, z, OutputVar, gradient);
            }
        }

        /// <summary>The layer whose buffers hold the network's output: the last one, or the one before a trailing Flatten.</summary>
        private (LayerContext Context, LayerEmitter Emitter) OutputOwner
        {
            get
            {
                int owner = _layers.Count - 1;
                while (owner > 0 && !_layers[owner].Emitter.Buffers(_layers[owner].Context).Any(b => b.Local == OutputVar))
                {
                    owner--;
                }
                return _layers[owner];
            }
        }

        /// <summary>The workspace field behind <see cref="OutputVar"/>.</summary>
        private string OutputField => OutputOwner.Emitter.Buffers(OutputOwner.Context).First(b => b.Local == OutputVar).Field;

        private void WriteBackwardPass()
        {
            _w.Line("// Backward: the layers in reverse, each turning ∂L/∂(its output) into its parameter gradients");
            _w.Line("// and, where an earlier layer needs it, ∂L/∂(its input). Every gradient is overwritten, none accumulated.");
            using (_w.Block($"private void BackwardPass({ReadOnlySpan} x, int B)"))
            {
                // Write the layers first, then declare just the views they use.
                var body = new SourceWriter();
                for (int i = _layers.Count - 1; i >= 0; i--)
                {
                    body.Line();
                    _layers[i].Emitter.Backward(body, _layers[i].Context);
                }
                string code = body.ToString();
                if (Uses(code, "p"))
                {
                    _w.Line($"{ReadOnlySpan} p = _parameters.Span;");
                }
                if (_spec.Buffers.Count > 0 && Uses(code, "buffers"))
                {
                    _w.Line($"{Span} buffers = _buffers.Span;");
                }
                _w.Line($"{Span} g = _gradients.Span;");
                foreach (WorkspaceBuffer buffer in AllBuffers.Where(b => Uses(code, b.Local)))
                {
                    WriteView(buffer);
                }
                foreach (string line in code.TrimEnd('\n').Split('\n'))
                {
                    _w.Line(line);
                }
            }
        }

        /// <summary>Whether <paramref name="code"/> mentions the local <paramref name="name"/> as a whole word.</summary>
        private static bool Uses(string code, string name) =>
            System.Text.RegularExpressions.Regex.IsMatch(
                System.Text.RegularExpressions.Regex.Replace(code, "//[^\n]*", ""), // comments do not count
                @"\b" + name + @"\b");

        /// <summary>A local span over a workspace buffer; with a <paramref name="condition"/>, empty unless it holds (the buffer may not exist yet).</summary>
        private void WriteView(WorkspaceBuffer buffer, string? condition = null)
        {
            string slice = buffer.Fixed ? $"{buffer.Field}.Span" : $"{buffer.Field}.Slice(B * {buffer.PerSample})";
            _w.Line(condition is not null
                ? $"{Span} {buffer.Local} = {condition} ? {slice} : default; // {buffer.Shape}"
                : $"{Span} {buffer.Local} = {slice}; // {buffer.Shape}");
        }

        private void WriteCapacity()
        {
            WriteGrow("EnsureCapacity", "_capacity", AllBuffers.Where(b => !b.TrainingOnly && !b.Fixed).ToList());
            _w.Line();
            WriteGrow("EnsureTrainingCapacity", "_trainingCapacity", AllBuffers.Where(b => b.TrainingOnly && !b.Fixed).ToList());
        }

        private void WriteGrow(string method, string capacity, List<WorkspaceBuffer> buffers)
        {
            using (_w.Block($"private void {method}(int batchSize)"))
            {
                using (_w.Block($"if (batchSize <= {capacity})"))
                {
                    _w.Line("return;");
                }
                foreach (WorkspaceBuffer buffer in buffers)
                {
                    _w.Line($"{buffer.Field} = new global::NetGen.AlignedBuffer(global::NetGen.Guard.WorkspaceLength(batchSize, {buffer.PerSample}));");
                }
                _w.Line($"{capacity} = batchSize;");
            }
        }

        private void WriteInterface()
        {
            _w.Line("int global::NetGen.INetwork.InputSize => InputSize;");
            _w.Line("int global::NetGen.INetwork.OutputSize => OutputSize;");
            _w.Line("int global::NetGen.INetwork.ParameterCount => ParameterCount;");
            _w.Line($"int global::NetGen.INetwork<{_targetType}>.TargetSize => TargetSize;");
            _w.Line($"global::NetGen.Loss global::NetGen.INetwork.Loss => global::NetGen.Loss.{_spec.Loss};");
            _w.Line("global::System.Collections.Generic.IReadOnlyList<int> global::NetGen.INetwork.InputShape => InputShape;");
            _w.Line("global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterTensor> global::NetGen.INetwork.ParameterLayout => ParameterLayout;");
            _w.Line("global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterTensor> global::NetGen.INetwork.BufferLayout => BufferLayout;");
            _w.Line("string global::NetGen.INetwork.Summary => Summary;");
        }
    }
}

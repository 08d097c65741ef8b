using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Emit
{
    /// <summary>The public members of a network: parameters, layouts, Forward, ComputeLoss, ComputeGradients, TrainStep, and the one-step generation API.</summary>
    internal sealed partial class NetworkEmitter
    {
        /// <summary>The checked layers as a runtime value, one line per layer, for exporters (ONNX, PyTorch).</summary>
        private void WriteArchitecture()
        {
            string Ints(IEnumerable<int> dims) => "new int[] { " + string.Join(", ", dims.Select(d => Format.Int(d))) + " }";
            string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            _w.Line("/// <summary>The layers as checked (kind, name, shapes, settings), for tools that rebuild the network elsewhere: ONNX, PyTorch.</summary>");
            _w.Line("public static global::NetGen.NetworkArchitecture Architecture { get; } = new global::NetGen.NetworkArchitecture(");
            _w.Indent();
            string layers = _spec.Layers.Count == 0 ? ");" : ",";
            _w.Line($"{Quote(_spec.FullName)}, global::NetGen.Loss.{_spec.Loss}, {Ints(_spec.Input.Dims)}, tokenInputs: {(_spec.TokenInputs ? "true" : "false")}, "
                + $"vocabularySize: {Format.Int(_spec.Vocabulary)}, paddingIndex: {Format.Int(_spec.PaddingIndex)}{layers}");
            for (int i = 0; i < _spec.Layers.Count; i++)
            {
                LayerSpec layer = _spec.Layers[i];
                string end = i == _spec.Layers.Count - 1 ? ");" : ",";
                string head = $"new global::NetGen.LayerArchitecture({Quote(layer.Kind)}, {Quote(layer.Name)}, {Ints(layer.Input.Dims)}, {Ints(layer.Output.Dims)}";
                List<string> settings = LayerKinds.Of(layer).Settings(layer).Select(s => $"({Quote(s.Key)}, {Quote(s.Value)})").ToList();
                if (settings.Count == 0)
                {
                    _w.Line(head + ")" + end);
                    continue;
                }
                // The settings follow on lines of their own, a few to a line (literals keep the writer from wrapping them).
                _w.Line(head + ",");
                _w.Indent();
                var line = new System.Text.StringBuilder();
                for (int k = 0; k < settings.Count; k++)
                {
                    line.Append(line.Length == 0 ? "" : " ").Append(settings[k]).Append(k == settings.Count - 1 ? ")" + end : ",");
                    if (k == settings.Count - 1 || line.Length + settings[k + 1].Length > 100)
                    {
                        _w.Line(line.ToString());
                        line.Clear();
                    }
                }
                _w.Unindent();
            }
            _w.Unindent();
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
            _w.Line($"public {ReadOnlySpan} Outputs => {_plan.ResultBuffer.Field}.Slice(_lastBatch * OutputSize);");
            _w.Line();
            _w.Line("/// <summary>The shape of one input sample, without the batch dimension.</summary>");
            _w.Line($"public static global::System.Collections.Generic.IReadOnlyList<int> InputShape {{ get; }} = global::System.Array.AsReadOnly(new int[] {{ {string.Join(", ", _spec.Input.Dims.Select(d => Format.Int(d)))} }});");
            _w.Line();
            _w.Line("/// <summary>Layers, output shapes and parameter counts, like Keras' model.summary().</summary>");
            // A verbatim literal, so the table reads as a table here too.
            _w.Line("public static string Summary => @\"" + SummaryEmitter.Table(_spec).Replace("\"", "\"\"") + "\";");
            _w.Line();
            WriteArchitecture();
            _w.Line();

            string targets = $"global::System.ReadOnlySpan<{_targetType}> {_target}";
            string what = LastActivation() == ActivationKind.Softmax ? " (class probabilities)" : "";
            _w.Line($"/// <summary>Inference: the outputs{what} for <paramref name=\"batchSize\"/> samples, [batchSize, OutputSize], as a view of this network's buffer that stays valid until its next pass.</summary>");
            using (_w.Block($"public {ReadOnlySpan} Forward({InputSpan} inputs, int batchSize)"))
            {
                _w.Line("global::NetGen.Guard.BatchSize(batchSize);");
                _w.Line("global::NetGen.Guard.Length(inputs.Length, batchSize, InputSize, nameof(inputs), nameof(InputSize));");
                if (_spec.TokenInputs)
                {
                    _w.Line("global::NetGen.Guard.Tokens(inputs, VocabularySize, SequenceLength, nameof(inputs));");
                }
                _w.Line("EnsureCapacity(batchSize);");
                Guarded("Forward", () => _w.Line($"return ForwardPass(inputs, batchSize{TrainingArgument(false)});"));
            }
            _w.Line();
            _w.Line($"/// <summary>Inference: writes OutputSize floats per sample{what} for <paramref name=\"batchSize\"/> samples into <paramref name=\"outputs\"/>.</summary>");
            using (_w.Block($"public void Forward({InputSpan} inputs, {Span} outputs, int batchSize)"))
            {
                _w.Line("global::NetGen.Guard.BatchSize(batchSize);");
                _w.Line("global::NetGen.Guard.Length(outputs.Length, batchSize, OutputSize, nameof(outputs), nameof(OutputSize));");
                _w.Line("Forward(inputs, batchSize).CopyTo(outputs);");
            }
            _w.Line();
            _w.Line(_spec.HasModes
                ? "/// <summary>Forward in inference mode (no dropout, running statistics) and the mean loss over the batch; parameters, gradients and buffers are left alone.</summary>"
                : "/// <summary>Forward and the mean loss over the batch; parameters and gradients are left alone.</summary>");
            using (_w.Block($"public float ComputeLoss({InputSpan} inputs, {targets}, int batchSize)"))
            {
                _w.Line($"CheckBatch(inputs, {_target}, batchSize);");
                Guarded("ComputeLoss", () =>
                {
                    _w.Line("EnsureCapacity(batchSize);");
                    _w.Line($"ForwardPass(inputs, batchSize{TrainingArgument(false)});");
                    _w.Line($"return LossPass({_target}, batchSize, withGradient: false);");
                });
            }
            _w.Line();
            _w.Line(_spec.HasModes
                ? "/// <summary>Forward in training mode (dropout active, batch statistics, running statistics updated), mean loss over the batch, backward: overwrites <see cref=\"Gradients\"/> and returns the loss.</summary>"
                : "/// <summary>Forward, mean loss over the batch, backward: overwrites <see cref=\"Gradients\"/> and returns the loss.</summary>");
            using (_w.Block($"public float ComputeGradients({InputSpan} inputs, {targets}, int batchSize)"))
            {
                _w.Line($"CheckBatch(inputs, {_target}, batchSize);");
                Guarded("ComputeGradients", () =>
                {
                    RefuseIfShared("ComputeGradients");
                    _w.Line($"return GradientsPass(inputs, {_target}, batchSize);");
                });
            }
            _w.Line();
            _w.Line("/// <summary>ComputeGradients, then one step of <paramref name=\"optimizer\"/>; returns the loss before the step.</summary>");
            using (_w.Block($"public float TrainStep({InputSpan} inputs, {targets}, int batchSize, global::NetGen.Optimizer optimizer)"))
            {
                _w.Line("global::NetGen.Guard.Optimizer(optimizer);");
                _w.Line($"CheckBatch(inputs, {_target}, batchSize);");
                Guarded("TrainStep", () =>
                {
                    RefuseIfShared("TrainStep");
                    _w.Line($"float loss = GradientsPass(inputs, {_target}, batchSize);");
                    _w.Line("optimizer.Step(_parameters.Span, _gradients.Span);");
                    _w.Line("return loss;");
                });
            }
            _w.Line();
            WriteInferenceCopy();
            _w.Line();
            _w.Line("/// <summary>Forward in training mode, the loss and backward, for arguments already checked and the instance entered.</summary>");
            using (_w.Block($"private float GradientsPass({InputSpan} inputs, {targets}, int batchSize)"))
            {
                _w.Line("EnsureCapacity(batchSize);");
                _w.Line("EnsureTrainingCapacity(batchSize);");
                _w.Line($"ForwardPass(inputs, batchSize{TrainingArgument(true)});");
                _w.Line($"float loss = LossPass({_target}, batchSize, withGradient: true);");
                _w.Line("BackwardPass(inputs, batchSize);");
                _w.Line("return loss;");
            }
            _w.Line();
            _w.Line("/// <summary>Claims this instance for one call; a second call while one runs (another thread, or a callback inside it) is refused.</summary>");
            using (_w.Block("private void Enter(string member)"))
            {
                using (_w.Block("if (global::System.Threading.Interlocked.CompareExchange(ref _entered, 1, 0) != 0)"))
                {
                    _w.Line($"throw global::NetGen.InstanceGuard.ConcurrentUse(\"{_spec.DisplayName}\", member);");
                }
            }
            _w.Line();
            using (_w.Block($"private static void CheckBatch({InputSpan} inputs, {targets}, int batchSize)"))
            {
                _w.Line("global::NetGen.Guard.BatchSize(batchSize);");
                _w.Line("global::NetGen.Guard.Length(inputs.Length, batchSize, InputSize, nameof(inputs), nameof(InputSize));");
                if (_spec.TokenInputs)
                {
                    _w.Line("global::NetGen.Guard.Tokens(inputs, VocabularySize, SequenceLength, nameof(inputs));");
                }
                _w.Line($"global::NetGen.Guard.Length({_target}.Length, batchSize, TargetSize, nameof({_target}), nameof(TargetSize));");
                if (_spec.Loss == LossKind.CrossEntropy)
                {
                    _w.Line($"global::NetGen.Guard.Labels({_target}, {(_spec.PerStepTargets ? "Classes" : "OutputSize")}, nameof({_target}));");
                }
            }
        }

        /// <summary>CreateInferenceCopy and SharesParameters: concurrent inference over one read-only copy of the parameters.</summary>
        private void WriteInferenceCopy()
        {
            string name = _spec.DisplayName;
            _w.Line("/// <summary>");
            _w.Line($"/// A new {name} for concurrent inference that shares this instance's <see cref=\"Parameters\"/> and <see cref=\"Buffers\"/> (no copy)");
            _w.Line("/// and has a workspace of its own: give each thread its own copy and call Forward, ComputeLoss or Step on it. Sharing makes the");
            _w.Line("/// parameters read-only: from now on this instance and every copy refuse ComputeGradients and TrainStep (and so Fit), and");
            _w.Line("/// Checkpoint.Load refuses them. Step state is per copy. <c>NetGen.InferencePool</c> keeps a bounded pool of copies.");
            _w.Line("/// </summary>");
            using (_w.Block($"public {_spec.ClassName} CreateInferenceCopy()"))
            {
                Guarded("CreateInferenceCopy", () =>
                {
                    _w.Line("_sharesParameters = true;");
                    _w.Line($"return new {_spec.ClassName}(this, inferenceCopy: true);");
                });
            }
            _w.Line();
            _w.Line("/// <summary>True when this instance shares its parameters with inference copies (it is one, or copies were made from it): they are then read-only.</summary>");
            _w.Line("public bool SharesParameters => global::System.Threading.Volatile.Read(ref _sharesParameters);");
        }

        /// <summary>Writes the refusal to train parameters that inference copies share.</summary>
        private void RefuseIfShared(string member)
        {
            using (_w.Block("if (_sharesParameters)"))
            {
                _w.Line($"throw global::NetGen.InstanceGuard.SharedParameters(\"{_spec.DisplayName}\", nameof({member}));");
            }
        }

        /// <summary>Writes <paramref name="body"/> inside Enter(member) … finally release: one call on an instance at a time.</summary>
        private void Guarded(string member, System.Action body)
        {
            _w.Line($"Enter(nameof({member}));");
            using (_w.Block("try"))
            {
                body();
            }
            using (_w.Block("finally"))
            {
                _w.Line("global::System.Threading.Volatile.Write(ref _entered, 0);");
            }
        }

        /// <summary>Generation: one time step at a time for a batch of independent streams, carrying the recurrent state.</summary>
        private void WriteStepApi()
        {
            string features = Format.Int(_spec.Output.Features);
            _w.Line("/// <summary>");
            _w.Line($"/// Generation: feeds one token to each of <paramref name=\"batchSize\"/> independent streams and returns this step's outputs,");
            _w.Line($"/// [batchSize, {features}]{(LastActivation() == ActivationKind.Softmax ? " (next-token probabilities)" : "")}. The recurrent state carries over to the next call, so each new token");
            _w.Line("/// costs one time step, not a re-run of the window. A different batchSize, or <see cref=\"ResetState\"/>, starts every stream afresh.");
            _w.Line("/// Runs in inference mode. The returned view stays valid until the next call.");
            _w.Line("/// </summary>");
            using (_w.Block($"public {ReadOnlySpan} Step(global::System.ReadOnlySpan<int> tokens, int batchSize)"))
            {
                _w.Line("global::NetGen.Guard.BatchSize(batchSize);");
                _w.Line("global::NetGen.Guard.Length(tokens.Length, batchSize, 1, nameof(tokens), \"1\");");
                _w.Line("global::NetGen.Guard.Tokens(tokens, VocabularySize, 1, nameof(tokens));");
                Guarded("Step", () =>
                {
                    using (_w.Block("if (batchSize != _streams)"))
                    {
                        _w.Line("StartStreams(batchSize);");
                    }
                    if (_plan.StepTracksPosition)
                    {
                        using (_w.Block("if (_position == SequenceLength)"))
                        {
                            _w.Line($"throw new global::System.InvalidOperationException(\"{_spec.DisplayName}.Step has fed \" + SequenceLength + \" tokens to each stream since it started; \" +");
                            _w.Line("    \"its positions and key/value cache hold no more. Call ResetState and feed the most recent tokens again (a sliding window).\");");
                        }
                        _w.Line("int position = _position; // of this token in its stream");
                    }
                    if (_plan.SupportsStep && _plan.MasksPadding)
                    {
                        _w.Line($"global::System.Span<float> stepKeyPadding = {NetworkPlan.StepKeyPadding.Field}.Slice(batchSize * SequenceLength); // [B, T]");
                        using (_w.Block("for (int b = 0; b < batchSize; b++)"))
                        {
                            _w.Line($"stepKeyPadding[b * SequenceLength + position] = tokens[b] == {Format.Int(_spec.PaddingIndex)} ? 1f : 0f;");
                        }
                    }
                    _w.Line("int B = batchSize;");
                    _w.Line($"{ReadOnlySpan} p = _parameters.Span;");
                    string x = "tokens";
                    foreach (LayerContext layer in Layers)
                    {
                        _w.Line();
                        x = layer.Emitter.Step(_w, layer, x);
                    }
                    if (_plan.StepTracksPosition)
                    {
                        _w.Line("_position++;");
                    }
                    _w.Line("return " + x + ";");
                });
            }
            _w.Line();
            _w.Line("/// <summary>Forgets the carried state: the next <see cref=\"Step\"/> starts every stream from zero state, as at the start of a sequence.</summary>");
            using (_w.Block("public void ResetState()"))
            {
                foreach (StepBuffer buffer in _plan.StepBuffers.Where(b => b.State))
                {
                    _w.Line($"{buffer.Field}.Span.Clear();");
                }
                if (_plan.StepTracksPosition)
                {
                    _w.Line("_position = 0;");
                }
            }
            _w.Line();
            using (_w.Block("private void StartStreams(int streams)"))
            {
                foreach (StepBuffer buffer in _plan.StepBuffers)
                {
                    _w.Line($"{buffer.Field} = new global::NetGen.AlignedBuffer(global::NetGen.Guard.WorkspaceLength(streams, {buffer.PerSample}));");
                }
                _w.Line("_streams = streams;");
                if (_plan.StepTracksPosition)
                {
                    _w.Line("_position = 0;");
                }
            }
        }

        private void WriteLayout(string name, EquatableArray<ParameterSpec> tensors)
        {
            string type = "global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterTensor>";
            if (tensors.Count == 0)
            {
                _w.Line($"public static {type} {name} {{ get; }} =");
                _w.Line("    global::System.Array.Empty<global::NetGen.ParameterTensor>();");
                return;
            }
            _w.Line($"public static {type} {name} {{ get; }} =");
            _w.Line("    global::System.Array.AsReadOnly(new global::NetGen.ParameterTensor[]");
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
    }
}

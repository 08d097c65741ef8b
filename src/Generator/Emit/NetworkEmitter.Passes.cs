using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Emit
{
    /// <summary>The passes: forward layer by layer, the loss, and backward in reverse, each declaring just the views the plan says it reads.</summary>
    internal sealed partial class NetworkEmitter
    {
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
            using (_w.Block($"private {ReadOnlySpan} ForwardPass({InputSpan} x, int B{TrainingParameter})"))
            {
                _w.Line("_lastBatch = B;");
                _w.Line($"{ReadOnlySpan} p = _parameters.Span;");
                if (_spec.Buffers.Count > 0)
                {
                    _w.Line($"{Span} buffers = _buffers.Span;");
                }
                if (_plan.MasksPadding)
                {
                    _w.Line();
                    _w.Line($"// Padding: positions holding token {_spec.PaddingIndex} are masked as keys and left out of sequence means");
                    WriteView(NetworkPlan.KeyPaddingMask);
                    _w.Line($"global::NetGen.Kernels.Masks.Padding(x, {Format.Int(_spec.PaddingIndex)}, {NetworkPlan.KeyPaddingMask.Local}, B, SequenceLength);");
                }
                if (_plan.ConvertsInput)
                {
                    _w.Line();
                    _w.Line($"// The input [B, {_spec.Input.Dims[0]}, {_spec.Input.Dims[1]}, {_spec.Input.Dims[2]}] regrouped channel-major for the spatial layers");
                    WriteView(NetworkPlan.InputChannelMajor);
                    _w.Line($"global::NetGen.Kernels.Layout.ToChannelMajor(x, {NetworkPlan.InputChannelMajor.Local}, B, {_spec.Input.Dims[0]}, {Format.Int((long)_spec.Input.Dims[1] * _spec.Input.Dims[2])});");
                }
                foreach (LayerContext context in Layers)
                {
                    _w.Line();
                    _w.Line("// " + context.Emitter.Describe(context));
                    foreach (WorkspaceBuffer buffer in context.Emitter.Buffers(context).Where(b => b.Role != BufferRole.Gradient))
                    {
                        WriteView(buffer, buffer.Role == BufferRole.Saved && !buffer.Fixed ? "training" : null);
                    }
                    context.Emitter.Forward(_w, context);
                }
                if (_plan.RegroupsOutput)
                {
                    _w.Line();
                    _w.Line($"// The output {_spec.Output} regrouped per sample: Forward returns [B, C, H, W]");
                    WriteView(NetworkPlan.OutputBatchMajor);
                    _w.Line($"global::NetGen.Kernels.Layout.ToBatchMajor({OutputVar}, {NetworkPlan.OutputBatchMajor.Local}, B, {OutputChannels});");
                    _w.Line("return " + NetworkPlan.OutputBatchMajor.Local + ";");
                }
                else
                {
                    _w.Line("return " + OutputVar + ";");
                }
            }
        }

        /// <summary>Channels and plane size of an image output, as the layout kernels take them.</summary>
        private string OutputChannels => $"{_spec.Output.Dims[0]}, {Format.Int((long)_spec.Output.Dims[1] * _spec.Output.Dims[2])}";

        private void WriteLossPass()
        {
            LayerContext output = _plan.OutputOwner;
            _w.Line("// Loss: " + LossEmitter.Describe(_spec.Loss, Layers[Layers.Count - 1].Layer.Name, _spec.PerStepTargets));
            using (_w.Block($"private float LossPass(global::System.ReadOnlySpan<{_targetType}> {_target}, int B, bool withGradient)"))
            {
                string? gradient = null;
                foreach (WorkspaceBuffer buffer in output.Emitter.Buffers(output))
                {
                    WriteView(buffer, buffer.TrainingOnly && !buffer.Fixed ? "withGradient" : null);
                    if (buffer.Role == BufferRole.Gradient)
                    {
                        gradient = buffer.Local;
                    }
                }
                string? z = _spec.Loss != LossKind.MeanSquaredError ? output.Local("Z") : null;
                string? targets = null;
                if (_plan.RegroupsOutput)
                {
                    _w.Line("// The output is channel-major [C, B, H, W]: the targets are regrouped to match, and backward starts from there");
                    WriteView(NetworkPlan.TargetChannelMajor);
                    _w.Line($"global::NetGen.Kernels.Layout.ToChannelMajor({_target}, {NetworkPlan.TargetChannelMajor.Local}, B, {OutputChannels});");
                    targets = NetworkPlan.TargetChannelMajor.Local;
                }
                LossEmitter.Emit(_w, _spec.Loss, z, OutputVar, gradient, _spec.PerStepTargets, targets);
            }
        }

        private void WriteBackwardPass()
        {
            _w.Line("// Backward: the layers in reverse, each turning ∂L/∂(its output) into its parameter gradients");
            _w.Line(_plan.Layers.Any(l => l.Layer is TransformerEncoderSpec)
                ? "// and, where an earlier layer needs it, ∂L/∂(its input). Parameter gradients are overwritten; inside an encoder block a tensor\n// that feeds two branches gets the sum of their gradients."
                : "// and, where an earlier layer needs it, ∂L/∂(its input). Every gradient is overwritten, none accumulated.");
            using (_w.Block($"private void BackwardPass({InputSpan} x, int B)"))
            {
                // The views the plan says backward reads or writes, then the layers in reverse.
                if (_plan.BackwardReadsParameters)
                {
                    _w.Line($"{ReadOnlySpan} p = _parameters.Span;");
                }
                _w.Line($"{Span} g = _gradients.Span;");
                foreach (WorkspaceBuffer buffer in _plan.BackwardBuffers)
                {
                    WriteView(buffer);
                }
                for (int i = Layers.Count - 1; i >= 0; i--)
                {
                    _w.Line();
                    Layers[i].Emitter.Backward(_w, Layers[i]);
                }
            }
        }

        /// <summary>A local span over a workspace buffer; with a <paramref name="condition"/>, empty unless it holds (the buffer may not exist yet).</summary>
        private void WriteView(WorkspaceBuffer buffer, string? condition = null)
        {
            string slice = buffer.Fixed ? $"{buffer.Field}.Span" : $"{buffer.Field}.Slice(B * {buffer.PerSample})";
            _w.Line(condition is not null
                ? $"{Span} {buffer.Local} = {condition} ? {slice} : default; // {buffer.Shape}"
                : $"{Span} {buffer.Local} = {slice}; // {buffer.Shape}");
        }
    }
}

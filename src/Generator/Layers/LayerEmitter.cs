using System;
using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers
{
    /// <summary>What a workspace buffer is for, which decides when it exists and which passes see it.</summary>
    internal enum BufferRole
    {
        /// <summary>Written by the forward pass in both modes (outputs, pre-activations, pooling winners).</summary>
        Activation,

        /// <summary>Written by the forward pass in training mode only, for backward (dropout masks, batch statistics).</summary>
        Saved,

        /// <summary>∂L/∂(a layer's output), written by the loss or by the next layer's backward.</summary>
        Gradient,
    }

    /// <summary>
    /// A workspace buffer a layer needs: <c>_hiddenY</c>, <c>HiddenOut</c> floats per sample, what it
    /// holds and its role. A <paramref name="Fixed"/> buffer has <c>PerSample</c> floats in all, allocated once.
    /// </summary>
    internal sealed record WorkspaceBuffer(string Field, string Local, string PerSample, string Shape, string Description, BufferRole Role,
        bool Fixed = false)
    {
        /// <summary>Exists only once training has started (saved values and gradients).</summary>
        public bool TrainingOnly => Role != BufferRole.Activation;
    }

    /// <summary>
    /// A buffer of the stateful one-step path (generation): <c>PerSample</c> floats per stream. A
    /// <paramref name="State"/> buffer carries values from one step to the next (h, c) and is zeroed by
    /// ResetState; the others are per-step working space.
    /// </summary>
    internal sealed record StepBuffer(string Field, string PerSample, string Description, bool State);

    /// <summary>
    /// Writes one kind of layer into the generated class. Forward and backward are a pair with the
    /// same spans in the same order; backward turns ∂L/∂output into parameter gradients and, when
    /// someone upstream wants it, ∂L/∂input.
    /// </summary>
    internal abstract class LayerEmitter
    {
        /// <summary>The local span holding this layer's output.</summary>
        public abstract string OutputVar(LayerContext context);

        /// <summary>The local span that receives ∂L/∂output, or null if this layer needs none.</summary>
        public abstract string? OutputGradientVar(LayerContext context);

        /// <summary>Whether the output is channel-major ([C, B, H, W]); layers that keep the layout pass their input's on.</summary>
        public virtual bool OutputChannelMajor(LayerContext context) => context.InputChannelMajor;

        /// <summary>Constructor code for this layer's non-trainable buffers, in <c>buffers</c> (running variance starts at 1).</summary>
        public virtual void InitializeBuffers(SourceWriter writer, LayerContext context)
        {
        }

        /// <summary>Size constants: <c>private const int HiddenIn = 784, HiddenOut = 128;</c>.</summary>
        public virtual void Constants(SourceWriter writer, LayerContext context)
        {
        }

        /// <summary>Whether backward reads this layer's input (Dense and convolutions do, for the weight gradient).</summary>
        public virtual bool BackwardReadsInput(LayerContext context) => true;

        /// <summary>Whether backward reads <paramref name="buffer"/>, one of this layer's own; by default its saved values and gradients.</summary>
        public virtual bool BackwardReads(LayerContext context, WorkspaceBuffer buffer) => buffer.Role != BufferRole.Activation;

        /// <summary>Whether backward reads the parameters (<c>p</c>): to carry the gradient through weights, or to scale by γ.</summary>
        public virtual bool BackwardReadsParameters(LayerContext context) => false;

        /// <summary>Whether this layer's backward applies its own activation's derivative (not fused into the loss or the next layer).</summary>
        protected static bool AppliesOwnDerivative(LayerContext context, ActivationKind activation) =>
            activation != ActivationKind.None && context.DerivativeFusedInto is null && !context.FusedWithLoss;

        /// <summary>The workspace buffers this layer owns.</summary>
        public virtual IEnumerable<WorkspaceBuffer> Buffers(LayerContext context) => Array.Empty<WorkspaceBuffer>();

        /// <summary>Constructor code: initialize this layer's parameters from <c>rng</c> into <c>p</c>.</summary>
        public virtual void Initialize(SourceWriter writer, LayerContext context)
        {
        }

        /// <summary>One line describing the layer for the comment above its forward code.</summary>
        public abstract string Describe(LayerContext context);

        /// <summary>Whether the layer can run one time step at a time, carrying its state (the generation path).</summary>
        public virtual bool SupportsStep(LayerContext context) => false;

        /// <summary>Whether its step reads the position of the token in its stream (<c>position</c>, counted since the last reset).</summary>
        public virtual bool StepReadsPosition(LayerContext context) => false;

        /// <summary>Writes one time step for B streams reading <paramref name="input"/> ([B, features]); returns the span of its output.</summary>
        public virtual string Step(SourceWriter writer, LayerContext context, string input) => input;

        /// <summary>The buffers <see cref="Step"/> uses.</summary>
        public virtual IEnumerable<StepBuffer> StepBuffers(LayerContext context) => Array.Empty<StepBuffer>();

        public abstract void Forward(SourceWriter writer, LayerContext context);

        public abstract void Backward(SourceWriter writer, LayerContext context);
    }
}

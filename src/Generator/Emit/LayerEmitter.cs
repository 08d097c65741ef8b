using System;
using System.Collections.Generic;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit
{
    /// <summary>
    /// A workspace buffer a layer needs: <c>_hiddenY</c>, <c>HiddenOut</c> floats per sample, and what it
    /// holds. A <paramref name="Fixed"/> buffer has <c>PerSample</c> floats in all, allocated once.
    /// </summary>
    internal sealed record WorkspaceBuffer(string Field, string Local, string PerSample, string Shape, string Description, bool TrainingOnly,
        bool Fixed = false);

    /// <summary>
    /// Writes one kind of layer into the generated class. Forward and backward are a pair with the
    /// same spans in the same order; backward turns ∂L/∂output into parameter gradients and, when
    /// someone upstream wants it, ∂L/∂input.
    /// </summary>
    internal abstract class LayerEmitter
    {
        public static LayerEmitter For(LayerSpec layer) => layer switch
        {
            DenseSpec => DenseEmitter.Instance,
            FlattenSpec => FlattenEmitter.Instance,
            Conv2DSpec => Conv2DEmitter.Instance,
            Pool2DSpec => PoolEmitter.Instance,
            GlobalAveragePoolSpec => GlobalAveragePoolEmitter.Instance,
            BatchNormSpec => BatchNormEmitter.Instance,
            DropoutSpec => DropoutEmitter.Instance,
            _ => throw new InvalidOperationException("No emitter for layer kind " + layer.Kind),
        };

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

        /// <summary>The workspace buffers this layer owns.</summary>
        public virtual IEnumerable<WorkspaceBuffer> Buffers(LayerContext context) => Array.Empty<WorkspaceBuffer>();

        /// <summary>Constructor code: initialize this layer's parameters from <c>rng</c> into <c>p</c>.</summary>
        public virtual void Initialize(SourceWriter writer, LayerContext context)
        {
        }

        /// <summary>One line describing the layer for the comment above its forward code.</summary>
        public abstract string Describe(LayerContext context);

        public abstract void Forward(SourceWriter writer, LayerContext context);

        public abstract void Backward(SourceWriter writer, LayerContext context);
    }
}

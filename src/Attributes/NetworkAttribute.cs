using System;

namespace NetGen
{
    /// <summary>
    /// Declares a network. Put it on a <c>partial</c> class, followed in source order by one
    /// <see cref="InputAttribute"/> and the layers. The generator checks every shape at compile
    /// time and emits the forward and backward code.
    /// </summary>
    /// <example>
    /// <code>
    /// [Network(Loss.CrossEntropy)]
    /// [Input(784)]
    /// [Dense(128, Activation.ReLU)]
    /// [Dense(10, Activation.Softmax)]
    /// public partial class Classifier;
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class NetworkAttribute : Attribute
    {
        /// <summary>Declares a network trained with <paramref name="loss"/>.</summary>
        public NetworkAttribute(Loss loss) => Loss = loss;

        /// <summary>The loss the generated <c>ComputeGradients</c> and <c>TrainStep</c> minimize.</summary>
        public Loss Loss { get; }
    }

    /// <summary>The shape of one input sample, without the batch dimension: <c>[Input(784)]</c>, <c>[Input(28, 28)]</c>.</summary>
    // AllowMultiple so that a second [Input] reaches the generator, which explains it (NG0007).
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class InputAttribute : Attribute
    {
        /// <summary>Declares the per-sample input shape.</summary>
        public InputAttribute(params int[] shape) => Shape = shape;

        /// <summary>The dimensions of one sample.</summary>
        public int[] Shape { get; }
    }

    /// <summary>
    /// A fully connected layer: <c>y = activation(x·Wᵀ + b)</c>, with <c>W</c> stored <c>[units, in]</c>
    /// like <c>torch.nn.Linear</c>. Its input must be flat (put <see cref="FlattenAttribute"/> before it).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DenseAttribute : Attribute
    {
        /// <summary>Declares a dense layer of <paramref name="units"/> outputs.</summary>
        public DenseAttribute(int units, Activation activation = Activation.None)
        {
            Units = units;
            Activation = activation;
        }

        /// <summary>Number of outputs.</summary>
        public int Units { get; }

        /// <summary>The function applied to the outputs.</summary>
        public Activation Activation { get; }

        /// <summary>The layer's name: its parameters are <c>{Name}.weight</c> and <c>{Name}.bias</c>. Defaults to <c>dense</c>, <c>dense_1</c>, … like Keras.</summary>
        public string? Name { get; set; }

        /// <summary>How the weights are initialized; N(0, 1/fan_in) unless set.</summary>
        public Initializer Init { get; set; }
    }

    /// <summary>Flattens each sample to one dimension (a view: no data moves).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class FlattenAttribute : Attribute
    {
        /// <summary>The layer's name in the summary. Defaults to <c>flatten</c>, <c>flatten_1</c>, ….</summary>
        public string? Name { get; set; }
    }
}

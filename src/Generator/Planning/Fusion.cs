using NetGen.Generator.Model;

namespace NetGen.Generator.Planning
{
    /// <summary>A fusion between two neighbouring layers, stated by the consumer's kind and applied by the planner.</summary>
    internal abstract record Fusion;

    /// <summary>
    /// The consumer's input-gradient computation also applies the producer's <paramref name="Activation"/>
    /// derivative, read from <paramref name="OutputVar"/>: the producer then receives ∂L/∂z directly.
    /// </summary>
    internal sealed record InputDerivativeFusion(ActivationKind Activation, string OutputVar) : Fusion;

    /// <summary>A convolution and the max pooling after it run as one kernel each way; the convolution stores nothing.</summary>
    internal sealed record ConvIntoPoolFusion : Fusion;
}

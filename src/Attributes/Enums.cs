namespace NetGen
{
    /// <summary>The loss a network is trained with.</summary>
    public enum Loss
    {
        /// <summary>Mean of the squared differences over every output of every sample (PyTorch <c>MSELoss</c>). Targets are floats.</summary>
        MeanSquaredError = 0,

        /// <summary>Categorical cross-entropy over a Softmax output (PyTorch <c>CrossEntropyLoss</c> on the logits). Targets are class labels.</summary>
        CrossEntropy = 1,

        /// <summary>Binary cross-entropy over a Sigmoid output (PyTorch <c>BCEWithLogitsLoss</c> on the logits). Targets are floats in [0, 1].</summary>
        BinaryCrossEntropy = 2,
    }

    /// <summary>The function a layer applies to its output.</summary>
    public enum Activation
    {
        /// <summary>Identity: the layer is linear.</summary>
        None = 0,

        /// <summary>max(0, x).</summary>
        ReLU = 1,

        /// <summary>x for x &gt; 0, 0.01·x otherwise (PyTorch's default slope).</summary>
        LeakyReLU = 2,

        /// <summary>1 / (1 + e^−x).</summary>
        Sigmoid = 3,

        /// <summary>Hyperbolic tangent.</summary>
        Tanh = 4,

        /// <summary>e^xᵢ / Σⱼ e^xⱼ over the features of each sample.</summary>
        Softmax = 5,

        /// <summary>x·Φ(x) with the exact normal CDF (PyTorch <c>nn.GELU()</c>).</summary>
        Gelu = 6,
    }

    /// <summary>How a layer's weights are initialized. Biases always start at zero.</summary>
    public enum Initializer
    {
        /// <summary>N(0, 1/fan_in): LeCun normal.</summary>
        Default = 0,

        /// <summary>N(0, 1/fan_in).</summary>
        LeCunNormal = 1,

        /// <summary>U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))).</summary>
        GlorotUniform = 2,

        /// <summary>N(0, 2/(fan_in+fan_out)).</summary>
        GlorotNormal = 3,

        /// <summary>U(−√(6/fan_in), +√(6/fan_in)).</summary>
        HeUniform = 4,

        /// <summary>N(0, 2/fan_in).</summary>
        HeNormal = 5,

        /// <summary>U(−1/√fan_in, +1/√fan_in): the bound PyTorch's <c>nn.Linear</c> uses for its weights.</summary>
        TorchUniform = 6,

        /// <summary>All zeros.</summary>
        Zeros = 7,
    }
}

namespace NetGen
{
    /// <summary>How a convolution treats the borders of its input.</summary>
    public enum Padding
    {
        /// <summary>No padding: the output shrinks by (kernel − 1)·dilation.</summary>
        Valid = 0,

        /// <summary>Zero padding that keeps the size with stride 1 (extra on the bottom/right when the total is odd, as PyTorch).</summary>
        Same = 1,
    }
}

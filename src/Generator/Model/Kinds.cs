namespace NetGen.Generator.Model
{
    // Mirrors of the enums in NetGen.Attributes. The generator reads them from attribute arguments
    // as integers; a test keeps names and values in step with the public enums.

    internal enum LossKind
    {
        MeanSquaredError = 0,
        CrossEntropy = 1,
        BinaryCrossEntropy = 2,
    }

    internal enum ActivationKind
    {
        None = 0,
        ReLU = 1,
        LeakyReLU = 2,
        Sigmoid = 3,
        Tanh = 4,
        Softmax = 5,
        Gelu = 6,
    }

    internal enum InitializerKind
    {
        Default = 0,
        LeCunNormal = 1,
        GlorotUniform = 2,
        GlorotNormal = 3,
        HeUniform = 4,
        HeNormal = 5,
        TorchUniform = 6,
        Zeros = 7,
    }
}

namespace NetGen.Generator.Model
{
    internal enum PaddingKind
    {
        Valid = 0,
        Same = 1,
    }

    internal enum PoolKind
    {
        Max,
        Average,
    }
}

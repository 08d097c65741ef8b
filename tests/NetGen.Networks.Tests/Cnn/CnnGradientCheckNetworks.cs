using NetGen;

// Small convolutional networks for the finite-difference checks (CnnGradientCheckTests), each
// mirrored by a CnnReference description there. Together they cover every new layer and option:
// Conv2D with stride, explicit and Same padding (odd and even total), dilation, no bias, every
// activation a convolution allows; max and average pooling with padding and a stride other than the
// window; global average pooling; batch-norm over channels and over features, with and without an
// activation and with non-default momentum/epsilon; dropout after Flatten and after Dense; an RGB
// input (three channels regrouped channel-major inside the network); all three losses.
//
// NetGen bug (found here): in a network with a BatchNorm, a Dense layer small enough to be unrolled
// (units × inputs ≤ DenseEmitter.UnrollLimit = 16) does not compile: the unrolled loops are
// `for (int s = 0; s < B; s++)` while ForwardPass (and BackwardPass, whose regex check then sees the
// loop's own `s`) declares `Span<float> s = _buffers.Span` → CS0136. Minimal repro:
// [Input(4)] [Dense(4)] [BatchNorm] [Dense(8)]. Every Dense below that shares a network with a
// BatchNorm therefore has more than 16 weights.
namespace NetGen.Networks.Tests.Cnn
{
    /// <summary>Stride 2 with explicit padding 1, Tanh; two input channels; cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(2, 7, 7)]
    [Conv2D(3, 3, Stride = 2, Pad = 1, Activation = Activation.Tanh)]
    [Flatten]
    [Dense(4, Activation.Softmax)]
    public partial class FdConvStridePad;

    /// <summary>Dilation 2 with Same padding (Gelu), then an even kernel with Same (pad 0 before, 1 after), no bias (LeakyReLU); global pooling; MSE.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(1, 6, 6)]
    [Conv2D(2, 3, Dilation = 2, Padding = Padding.Same, Activation = Activation.Gelu)]
    [Conv2D(3, 2, Padding = Padding.Same, Bias = false, Activation = Activation.LeakyReLU)]
    [GlobalAveragePool2D]
    [Dense(3)]
    public partial class FdConvDilatedSame;

    /// <summary>
    /// RGB input; linear conv with padding (its biases lowered by the test, so that many padded
    /// windows hold only negative values); max pooling 3×3, stride 2, pad 1; no-bias ReLU conv; cross-entropy.
    /// </summary>
    [Network(Loss.CrossEntropy)]
    [Input(3, 6, 6)]
    [Conv2D(4, 3, Pad = 1)]
    [MaxPool2D(3, Stride = 2, Pad = 1)]
    [Conv2D(3, 2, Bias = false, Activation = Activation.ReLU)]
    [Flatten]
    [Dense(3, Activation.Softmax)]
    public partial class FdConvRgbMaxPool;

    /// <summary>Sigmoid conv; average pooling 3×3, stride 2, pad 1; max pooling 2×2 stride 1 (overlapping windows); BCE.</summary>
    [Network(Loss.BinaryCrossEntropy)]
    [Input(2, 7, 7)]
    [Conv2D(3, 2, Activation = Activation.Sigmoid)]
    [AvgPool2D(3, Stride = 2, Pad = 1)]
    [MaxPool2D(2, Stride = 1)]
    [Flatten]
    [Dense(2, Activation.Sigmoid)]
    public partial class FdConvPools;

    /// <summary>Batch-norm over channels with ReLU, then a strided conv, batch-norm over channels without activation, global pooling, batch-norm over features; cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(2, 5, 5)]
    [Conv2D(3, 3, Pad = 1, Bias = false)]
    [BatchNorm(Activation = Activation.ReLU)]
    [Conv2D(6, 3, Stride = 2)]
    [BatchNorm(Momentum = 0.3f, Epsilon = 1e-3f)]
    [GlobalAveragePool2D]
    [BatchNorm]
    [Dense(3, Activation.Softmax)]
    public partial class FdConvBatchNorm;

    /// <summary>Batch-norm over features after Dense, without and with an activation, and dropout after Dense; MSE.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(6)]
    [Dense(5, Activation.Tanh)]
    [BatchNorm]
    [Dense(4)]
    [BatchNorm(Activation = Activation.Gelu, Momentum = 0.25f)]
    [Dense(5, Activation.ReLU)]
    [Dropout(0.5f)]
    [Dense(4)]
    public partial class FdDenseBatchNormDropout;

    /// <summary>Conv, max pooling, Flatten then dropout (batch-major [B, F] buffer), softmax; cross-entropy.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(1, 6, 6)]
    [Conv2D(2, 3, Activation = Activation.LeakyReLU)]
    [MaxPool2D(2)]
    [Flatten]
    [Dropout(0.25f)]
    [Dense(3, Activation.Softmax)]
    public partial class FdConvFlattenDropout;
}

namespace NetGen.Networks.Tests.Cnn
{
    /// <summary>An image output of several channels (conv, max pooling): Forward returns [B, C, H, W] and MSE compares per sample.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(2, 6, 6)]
    [Conv2D(3, 3, Pad = 1, Activation = Activation.Tanh)]
    [MaxPool2D(2)]
    public partial class FdImageOutput;

    /// <summary>An image output straight from a spatial batch-norm with ReLU: MSE.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(3, 5, 5)]
    [Conv2D(4, 3, Padding = Padding.Same)]
    [BatchNorm(Activation = Activation.ReLU)]
    public partial class FdImageOutputBatchNorm;
}

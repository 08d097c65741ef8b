using System;
using System.Collections.Generic;
using System.Linq;
using NetGen;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Cnn
{
    /// <summary>
    /// The generated backward pass of every convolutional layer against central finite differences
    /// of an independent double-precision interpreter (<see cref="CnnReference"/>), for several random
    /// parameters and inputs. Before the gradients, the interpreter must reproduce the network: its
    /// inference outputs (fresh running statistics), its training-mode loss and outputs, the running
    /// statistics after that one training pass, and the inference outputs with them.
    /// </summary>
    /// <remarks>
    /// ComputeGradients runs in training mode, so the loss that is differentiated is the training
    /// loss: batch-norm with the batch's statistics (a smooth function of every parameter) and dropout
    /// with the mask the network draws first, which the test draws itself from the same stream.
    /// Max pooling and ReLU have kinks, but with random data the top two values of a window (and any
    /// pre-activation) are never within h = 1e-6 of each other; a flaky case would mean such a tie,
    /// and the fix would be another seed, not a looser tolerance.
    /// </remarks>
    public class CnnGradientCheckTests(ITestOutputHelper output)
    {
        private const int Batch = 4;

        public static TheoryData<string, int> Cases()
        {
            var data = new TheoryData<string, int>();
            foreach (int seed in new[] { 1, 2, 3 })
            {
                foreach (string name in References.Keys)
                {
                    data.Add(name, seed);
                }
            }
            return data;
        }

        /// <summary>Network name → (a fresh generated network for a seed, its reference description).</summary>
        private static readonly Dictionary<string, (Func<int, INetwork> Create, Func<CnnReference> Reference)> References = new(StringComparer.Ordinal)
        {
            [nameof(FdConvStridePad)] = (s => new FdConvStridePad(s), () => new CnnReference(Loss.CrossEntropy, 2, 7, 7)
                .Conv2D(3, 3, stride: 2, pad: 1, activation: Activation.Tanh)
                .Flatten()
                .Dense(4, Activation.Softmax)),
            [nameof(FdConvDilatedSame)] = (s => new FdConvDilatedSame(s), () => new CnnReference(Loss.MeanSquaredError, 1, 6, 6)
                .Conv2D(2, 3, dilation: 2, same: true, activation: Activation.Gelu)
                .Conv2D(3, 2, same: true, bias: false, activation: Activation.LeakyReLU)
                .GlobalAveragePool2D()
                .Dense(3)),
            [nameof(FdConvRgbMaxPool)] = (s => new FdConvRgbMaxPool(s), () => new CnnReference(Loss.CrossEntropy, 3, 6, 6)
                .Conv2D(4, 3, pad: 1)
                .MaxPool2D(3, stride: 2, pad: 1)
                .Conv2D(3, 2, bias: false, activation: Activation.ReLU)
                .Flatten()
                .Dense(3, Activation.Softmax)),
            [nameof(FdConvPools)] = (s => new FdConvPools(s), () => new CnnReference(Loss.BinaryCrossEntropy, 2, 7, 7)
                .Conv2D(3, 2, activation: Activation.Sigmoid)
                .AvgPool2D(3, stride: 2, pad: 1)
                .MaxPool2D(2, stride: 1)
                .Flatten()
                .Dense(2, Activation.Sigmoid)),
            [nameof(FdConvBatchNorm)] = (s => new FdConvBatchNorm(s), () => new CnnReference(Loss.CrossEntropy, 2, 5, 5)
                .Conv2D(3, 3, pad: 1, bias: false)
                .BatchNorm(activation: Activation.ReLU)
                .Conv2D(6, 3, stride: 2)
                .BatchNorm(momentum: 0.3f, epsilon: 1e-3f)
                .GlobalAveragePool2D()
                .BatchNorm()
                .Dense(3, Activation.Softmax)),
            [nameof(FdDenseBatchNormDropout)] = (s => new FdDenseBatchNormDropout(s), () => new CnnReference(Loss.MeanSquaredError, 6)
                .Dense(5, Activation.Tanh)
                .BatchNorm()
                .Dense(4)
                .BatchNorm(activation: Activation.Gelu, momentum: 0.25f)
                .Dense(5, Activation.ReLU)
                .Dropout(0.5f)
                .Dense(4)),
            [nameof(FdConvFlattenDropout)] = (s => new FdConvFlattenDropout(s), () => new CnnReference(Loss.CrossEntropy, 1, 6, 6)
                .Conv2D(2, 3, activation: Activation.LeakyReLU)
                .MaxPool2D(2)
                .Flatten()
                .Dropout(0.25f)
                .Dense(3, Activation.Softmax)),
            [nameof(FdImageOutput)] = (s => new FdImageOutput(s), () => new CnnReference(Loss.MeanSquaredError, 2, 6, 6)
                .Conv2D(3, 3, pad: 1, activation: Activation.Tanh)
                .MaxPool2D(2)),
            [nameof(FdImageOutputBatchNorm)] = (s => new FdImageOutputBatchNorm(s), () => new CnnReference(Loss.MeanSquaredError, 3, 5, 5)
                .Conv2D(4, 3, same: true)
                .BatchNorm(activation: Activation.ReLU)),
        };

        /// <summary>
        /// Biases lowered by 1.5 before the check: the convolution feeding a padded max pooling then
        /// produces mostly negative values, so that many windows hold only negatives and padding with 0
        /// instead of −∞ would change their maximum (and their gradient's destination).
        /// </summary>
        private static readonly Dictionary<string, string> LoweredBiases = new(StringComparer.Ordinal)
        {
            [nameof(FdConvRgbMaxPool)] = "conv2d.bias",
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Gradients_match_central_finite_differences(string network, int seed)
        {
            (Func<int, INetwork> create, Func<CnnReference> reference) = References[network];
            switch (create(seed))
            {
                case INetwork<int> net:
                    Check(net, seed, reference());
                    break;
                case INetwork<float> net:
                    Check(net, seed, reference());
                    break;
                default:
                    throw new InvalidOperationException(network);
            }
        }

        private void Check<TTarget>(INetwork<TTarget> net, int seed, CnnReference reference) where TTarget : unmanaged
        {
            var rng = new Rng(1000 + seed);
            Assert.Equal(reference.ParameterCount, net.ParameterCount);
            Assert.Equal(reference.InputSize, net.InputSize);
            Assert.Equal(reference.OutputSize, net.OutputSize);
            Assert.Equal(
                reference.ParameterShapes().Select(s => string.Join("×", s)),
                net.ParameterLayout.Select(t => string.Join("×", t.Shape)));

            // Random inputs, targets and parameters (biases and batch-norm shifts start at zero,
            // batch-norm scales at one: perturb them all).
            float[] inputs = new float[Batch * net.InputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = 2 * rng.NextFloat() - 1;
            }
            for (int i = 0; i < net.ParameterCount; i++)
            {
                net.Parameters[i] += 0.1f * rng.NextNormal();
            }
            if (LoweredBiases.TryGetValue(net.GetType().Name, out string? lowered))
            {
                foreach (ParameterTensor t in net.ParameterLayout.Where(t => t.Name == lowered))
                {
                    foreach (ref float b in t.Of(net.Parameters))
                    {
                        b -= 1.5f;
                    }
                }
            }
            TTarget[] targets = new TTarget[Batch * net.TargetSize];
            double[] targetValues = new double[targets.Length];
            for (int i = 0; i < targets.Length; i++)
            {
                if (typeof(TTarget) == typeof(int))
                {
                    int label = rng.NextInt(net.OutputSize);
                    targets[i] = (TTarget)(object)label;
                    targetValues[i] = label;
                }
                else
                {
                    float value = net.Loss == Loss.BinaryCrossEntropy ? rng.NextFloat() : 2 * rng.NextFloat() - 1;
                    targets[i] = (TTarget)(object)value;
                    targetValues[i] = value;
                }
            }
            reference.DrawDropoutMasks(seed, Batch);
            foreach (float[] mask in reference.DropoutMasks)
            {
                // A degenerate mask (nothing dropped, or everything) would leave the dropout untested.
                Assert.Contains(0f, mask);
                Assert.Contains(mask, m => m > 1);
            }

            double[] parameters = new double[net.ParameterCount];
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = net.Parameters[i];
            }
            double[] x = Array.ConvertAll(inputs, v => (double)v);

            // Inference on the fresh network: running mean 0, running variance 1, no dropout.
            AssertClose("initial buffers", net.Buffers.ToArray(), reference.Buffers(), 0);
            float[] outputs = new float[Batch * net.OutputSize];
            net.Forward(inputs, outputs, Batch);
            AssertClose("inference outputs (fresh)", outputs, reference.Forward(parameters, x, Batch, training: false), 1e-5);

            // One training pass: batch statistics, the dropout mask, the training loss.
            float loss = net.ComputeGradients(inputs, targets, Batch);
            double expectedLoss = reference.Loss(parameters, x, targetValues, Batch, training: true);
            Assert.True(Math.Abs(loss - expectedLoss) < 1e-5 * Math.Max(1, Math.Abs(expectedLoss)), $"training loss {loss} vs reference {expectedLoss}");
            AssertClose("training outputs", net.Outputs.ToArray(), reference.Forward(parameters, x, Batch, training: true), 1e-5);
            if (!reference.HasBatchNorm && !reference.HasDropout)
            {
                // Without batch-norm or dropout the two modes are the same function.
                Assert.Equal(loss, net.ComputeLoss(inputs, targets, Batch));
            }

            // The running statistics moved once, and inference now uses them.
            reference.Track(parameters, x, Batch);
            AssertClose("buffers after one training pass", net.Buffers.ToArray(), reference.Buffers(), 1e-5);
            net.Forward(inputs, outputs, Batch);
            AssertClose("inference outputs (tracked statistics)", outputs, reference.Forward(parameters, x, Batch, training: false), 1e-5);
            double inferenceLoss = reference.Loss(parameters, x, targetValues, Batch, training: false);
            float computedInferenceLoss = net.ComputeLoss(inputs, targets, Batch);
            Assert.True(Math.Abs(computedInferenceLoss - inferenceLoss) < 1e-5 * Math.Max(1, Math.Abs(inferenceLoss)),
                $"inference loss {computedInferenceLoss} vs reference {inferenceLoss}");

            // Central differences in double on the reference's training loss, parameter by parameter.
            const double H = 1e-6;
            double worst = 0;
            string worstAt = "";
            for (int i = 0; i < parameters.Length; i++)
            {
                double saved = parameters[i];
                parameters[i] = saved + H;
                double plus = reference.Loss(parameters, x, targetValues, Batch, training: true);
                parameters[i] = saved - H;
                double minus = reference.Loss(parameters, x, targetValues, Batch, training: true);
                parameters[i] = saved;
                double numeric = (plus - minus) / (2 * H);
                double error = Math.Abs(net.Gradients[i] - numeric) / Math.Max(1e-2, Math.Abs(numeric));
                if (error > worst || double.IsNaN(error))
                {
                    worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                    worstAt = $"{Describe(net, i)}: analytic {net.Gradients[i]:G9}, numeric {numeric:G9}";
                }
            }
            output.WriteLine($"{parameters.Length} parameters; largest relative gradient error {worst:G3} at {worstAt}");
            Assert.True(worst < 1e-3, $"largest relative gradient error {worst:G3} at {worstAt}");
        }

        /// <summary>|actual − expected| ≤ tolerance·max(1, |expected|) everywhere, or a message naming the worst element.</summary>
        private static void AssertClose(string what, float[] actual, double[] expected, double tolerance)
        {
            Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} values, reference {expected.Length}");
            int worst = -1;
            double worstRatio = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                double diff = Math.Abs(actual[i] - expected[i]);
                double ratio = tolerance == 0 ? (diff == 0 ? 0 : double.PositiveInfinity) : diff / (tolerance * Math.Max(1, Math.Abs(expected[i])));
                if (double.IsNaN(ratio) || ratio > Math.Max(1, worstRatio))
                {
                    worst = i;
                    worstRatio = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                }
            }
            Assert.True(worst < 0, worst < 0 ? "" : $"{what}[{worst}]: {actual[worst]:G9} vs reference {expected[worst]:G9}");
        }

        private static string Describe(INetwork net, int index)
        {
            foreach (ParameterTensor tensor in net.ParameterLayout)
            {
                if (index >= tensor.Offset && index < tensor.Offset + tensor.Length)
                {
                    return $"{tensor.Name}[{index - tensor.Offset}]";
                }
            }
            return $"parameter {index}";
        }
    }
}

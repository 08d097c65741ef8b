using System;
using System.Collections.Generic;
using NetGen;

namespace NetGen.Networks.Tests
{
    /// <summary>
    /// Every generated backward pass against central finite differences of an independent
    /// double-precision reference network, for several random initializations and inputs.
    /// </summary>
    public class GradientCheckTests
    {
        public static IEnumerable<object[]> Cases()
        {
            foreach (int seed in new[] { 1, 2, 3 })
            {
                yield return new object[] { nameof(FdLinear), seed };
                yield return new object[] { nameof(FdGeluTanh), seed };
                yield return new object[] { nameof(FdLeakySigmoidSoftmax), seed };
                yield return new object[] { nameof(FdRelu), seed };
                yield return new object[] { nameof(FdSoftmaxRegression), seed };
                yield return new object[] { nameof(FdClassifier), seed };
                yield return new object[] { nameof(FdBinary), seed };
                yield return new object[] { nameof(FdFlatten), seed };
                yield return new object[] { nameof(FdSoftmaxHidden), seed };
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Gradients_match_central_finite_differences(string network, int seed)
        {
            switch (network)
            {
                case nameof(FdLinear):
                    Check(new FdLinear(seed), seed, new ReferenceNetwork(Loss.MeanSquaredError, (5, 3, Activation.None)));
                    break;
                case nameof(FdGeluTanh):
                    Check(new FdGeluTanh(seed), seed, new ReferenceNetwork(Loss.MeanSquaredError, (4, 6, Activation.Gelu), (6, 3, Activation.Tanh)));
                    break;
                case nameof(FdLeakySigmoidSoftmax):
                    Check(new FdLeakySigmoidSoftmax(seed), seed, new ReferenceNetwork(Loss.MeanSquaredError,
                        (3, 5, Activation.LeakyReLU), (5, 4, Activation.Sigmoid), (4, 3, Activation.Softmax)));
                    break;
                case nameof(FdRelu):
                    Check(new FdRelu(seed), seed, new ReferenceNetwork(Loss.MeanSquaredError, (3, 6, Activation.ReLU), (6, 2, Activation.None)));
                    break;
                case nameof(FdSoftmaxRegression):
                    Check(new FdSoftmaxRegression(seed), seed, new ReferenceNetwork(Loss.CrossEntropy, (6, 4, Activation.Softmax)));
                    break;
                case nameof(FdClassifier):
                    Check(new FdClassifier(seed), seed, new ReferenceNetwork(Loss.CrossEntropy,
                        (5, 7, Activation.ReLU), (7, 6, Activation.Tanh), (6, 4, Activation.Softmax)));
                    break;
                case nameof(FdBinary):
                    Check(new FdBinary(seed), seed, new ReferenceNetwork(Loss.BinaryCrossEntropy, (4, 5, Activation.Gelu), (5, 2, Activation.Sigmoid)));
                    break;
                case nameof(FdFlatten):
                    Check(new FdFlatten(seed), seed, new ReferenceNetwork(Loss.CrossEntropy, (6, 4, Activation.Sigmoid), (4, 3, Activation.Softmax)));
                    break;
                case nameof(FdSoftmaxHidden):
                    Check(new FdSoftmaxHidden(seed), seed, new ReferenceNetwork(Loss.MeanSquaredError,
                        (2, 3, Activation.Tanh), (3, 2, Activation.Softmax), (2, 2, Activation.LeakyReLU)));
                    break;
                default:
                    throw new ArgumentException(network);
            }
        }

        private static void Check<TTarget>(INetwork<TTarget> net, int seed, ReferenceNetwork reference) where TTarget : unmanaged
        {
            const int Batch = 3;
            var rng = new Rng(1000 + seed);
            Assert.Equal(reference.ParameterCount, net.ParameterCount);

            // Random inputs, targets, and biases (the initializer leaves them at zero).
            float[] inputs = new float[Batch * net.InputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = 2 * rng.NextFloat() - 1;
            }
            for (int i = 0; i < net.ParameterCount; i++)
            {
                net.Parameters[i] += 0.1f * rng.NextNormal();
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

            double[] parameters = new double[net.ParameterCount];
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = net.Parameters[i];
            }
            double[] x = Array.ConvertAll(inputs, v => (double)v);

            // The reference computes the same function as the generated forward pass and loss.
            float[] outputs = new float[Batch * net.OutputSize];
            net.Forward(inputs, outputs, Batch);
            double[] expectedOutputs = reference.Forward(parameters, x, Batch);
            for (int i = 0; i < outputs.Length; i++)
            {
                Assert.True(Math.Abs(outputs[i] - expectedOutputs[i]) < 1e-5, $"output {i}: {outputs[i]} vs reference {expectedOutputs[i]}");
            }
            float loss = net.ComputeGradients(inputs, targets, Batch);
            double expectedLoss = reference.Loss(parameters, x, targetValues, Batch);
            Assert.True(Math.Abs(loss - expectedLoss) < 1e-5 * Math.Max(1, Math.Abs(expectedLoss)), $"loss {loss} vs reference {expectedLoss}");
            Assert.Equal(loss, net.ComputeLoss(inputs, targets, Batch));

            // Central differences in double on the reference, parameter by parameter.
            const double H = 1e-6;
            double worst = 0;
            string worstAt = "";
            for (int i = 0; i < parameters.Length; i++)
            {
                double saved = parameters[i];
                parameters[i] = saved + H;
                double plus = reference.Loss(parameters, x, targetValues, Batch);
                parameters[i] = saved - H;
                double minus = reference.Loss(parameters, x, targetValues, Batch);
                parameters[i] = saved;
                double numeric = (plus - minus) / (2 * H);
                double error = Math.Abs(net.Gradients[i] - numeric) / Math.Max(1e-2, Math.Abs(numeric));
                if (error > worst)
                {
                    worst = error;
                    worstAt = $"{Describe(net, i)}: analytic {net.Gradients[i]:G9}, numeric {numeric:G9}";
                }
            }
            Assert.True(worst < 1e-3, $"largest relative gradient error {worst:G3} at {worstAt}");
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

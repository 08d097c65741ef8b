using System;
using NetGen;

namespace NetGen.Networks.Tests
{
    /// <summary>2 → 4 tanh → 1 sigmoid: the smallest network that must learn a non-linear function.</summary>
    [Network(Loss.BinaryCrossEntropy)]
    [Input(2)]
    [Dense(4, Activation.Tanh)]
    [Dense(1, Activation.Sigmoid)]
    public partial class XorNet;

    /// <summary>y = w·x + b.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(1)]
    [Dense(1)]
    public partial class LinearRegression;

    public class ConvergenceTests
    {
        [Fact]
        public void Xor_is_learned()
        {
            float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
            float[] targets = [0, 1, 1, 0];
            var net = new XorNet(seed: 1);
            var optimizer = new Adam(0.05f);
            for (int step = 0; step < 1000; step++)
            {
                net.TrainStep(inputs, targets, 4, optimizer);
            }
            float[] outputs = new float[4];
            net.Forward(inputs, outputs, 4);
            for (int i = 0; i < 4; i++)
            {
                Assert.True(Math.Abs(outputs[i] - targets[i]) < 0.1f, $"XOR({inputs[2 * i]}, {inputs[2 * i + 1]}) = {outputs[i]}, expected {targets[i]}");
            }
        }

        [Fact]
        public void Linear_regression_recovers_weight_and_bias()
        {
            const int N = 100;
            var rng = new Rng(3);
            float[] x = new float[N], y = new float[N];
            for (int i = 0; i < N; i++)
            {
                x[i] = 4 * rng.NextFloat() - 2;
                y[i] = 3.5f * x[i] - 1.25f + 0.01f * rng.NextNormal();
            }
            var net = new LinearRegression(seed: 0);
            var optimizer = new Sgd(0.1f);
            for (int step = 0; step < 500; step++)
            {
                net.TrainStep(x, y, N, optimizer);
            }
            Assert.Equal(3.5f, net.Parameters[0], 0.01f);
            Assert.Equal(-1.25f, net.Parameters[1], 0.01f);
        }
    }
}

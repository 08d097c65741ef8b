using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary>The dense kernels' fused epilogues against the unfused operations they replace.</summary>
    [Collection("Simd")]
    public class DenseKernelTests
    {
        private static readonly (int Batch, int In, int Out)[] Shapes = [(1, 3, 5), (7, 17, 15), (64, 784, 500), (65, 63, 33), (3, 1000, 9), (40, 200, 96)];

        // (40, 200, 96): with AVX2 the forward product (k = 200) runs in pieces of 128 with its fused ReLU; (64, 784, 500) sends
        // the fused derivatives backward through pieces (k = 500).

        public static IEnumerable<object[]> Cases()
        {
            foreach (object[] level in SimdLevels.All())
            {
                foreach (Activation activation in Enum.GetValues<Activation>())
                {
                    yield return new[] { level[0], activation };
                }
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_with_an_activation_equals_product_then_activation(SimdLevel level, Activation activation)
        {
            SimdLevels.With(level, () =>
            {
                foreach (var (batch, inFeatures, outFeatures) in Shapes)
                {
                    var rng = new Rng(batch + inFeatures + outFeatures);
                    float[] x = GemmTests.Random(batch * inFeatures, rng), w = GemmTests.Random(outFeatures * inFeatures, rng), b = GemmTests.Random(outFeatures, rng);
                    int count = batch * outFeatures;

                    float[] expectedZ = new float[count], expectedY = new float[count];
                    Gemm.MultiplyNT(batch, outFeatures, inFeatures, x, w, expectedZ, false, b);
                    Apply(activation, expectedZ, expectedY, batch, outFeatures);

                    float[] inPlace = new float[count];
                    Dense.Forward(x, w, b, inPlace, inPlace, batch, inFeatures, outFeatures, activation);
                    float[] z = new float[count], y = new float[count];
                    Dense.Forward(x, w, b, z, y, batch, inFeatures, outFeatures, activation);

                    Assert.Equal(expectedZ, z);
                    Assert.Equal(expectedY, y);
                    Assert.Equal(expectedY, inPlace);
                }
            });
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Backward_input_with_a_fused_derivative_equals_product_then_derivative(SimdLevel level, Activation activation)
        {
            if (!Dense.CanFuseDerivative(activation))
            {
                Assert.Throws<ArgumentException>(() => Dense.BackwardInput(new float[4], new float[4], new float[4], 2, 2, 1, activation, new float[4]));
                return;
            }
            SimdLevels.With(level, () =>
            {
                foreach (var (batch, inFeatures, outFeatures) in Shapes)
                {
                    var rng = new Rng(batch * 3 + inFeatures + outFeatures);
                    float[] dz = GemmTests.Random(batch * outFeatures, rng), w = GemmTests.Random(outFeatures * inFeatures, rng);
                    float[] inputZ = GemmTests.Random(batch * inFeatures, rng), inputY = new float[inputZ.Length];
                    Apply(activation, inputZ, inputY, batch, inFeatures);

                    float[] expected = new float[batch * inFeatures];
                    Dense.BackwardInput(dz, w, expected, batch, inFeatures, outFeatures);
                    switch (activation)
                    {
                        case Activation.ReLU: Activations.ReLUBackward(inputY, expected); break;
                        case Activation.LeakyReLU: Activations.LeakyReLUBackward(inputY, expected); break;
                        case Activation.Sigmoid: Activations.SigmoidBackward(inputY, expected); break;
                        case Activation.Tanh: Activations.TanhBackward(inputY, expected); break;
                    }

                    float[] actual = new float[expected.Length];
                    Dense.BackwardInput(dz, w, actual, batch, inFeatures, outFeatures, activation, inputY);
                    for (int i = 0; i < actual.Length; i++)
                    {
                        // The fused form multiplies in registers; the unfused one may round the product first.
                        Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6f * Math.Max(1, Math.Abs(expected[i])),
                            $"{activation} {batch}x{inFeatures}x{outFeatures} [{i}]: {actual[i]} vs {expected[i]}");
                    }
                }
            });
        }

        [Fact]
        public void Column_sums_add_every_row()
        {
            foreach (int columns in new[] { 1, 5, 31, 32, 100 })
            {
                var rng = new Rng(columns);
                float[] m = GemmTests.Random(9 * columns, rng);
                float[] sums = new float[columns];
                Dense.ColumnSums(m, 9, columns, sums);
                for (int j = 0; j < columns; j++)
                {
                    double expected = 0;
                    for (int r = 0; r < 9; r++)
                    {
                        expected += m[r * columns + j];
                    }
                    Assert.Equal(expected, sums[j], 5);
                }
            }
        }

        private static void Apply(Activation activation, float[] z, float[] y, int rows, int columns)
        {
            switch (activation)
            {
                case Activation.None: z.CopyTo(y, 0); break;
                case Activation.ReLU: Activations.ReLU(z, y); break;
                case Activation.LeakyReLU: Activations.LeakyReLU(z, y); break;
                case Activation.Sigmoid: Activations.Sigmoid(z, y); break;
                case Activation.Tanh: Activations.Tanh(z, y); break;
                case Activation.Softmax: Activations.Softmax(z, y, rows, columns); break;
                case Activation.Gelu: Activations.Gelu(z, y); break;
            }
        }
    }
}

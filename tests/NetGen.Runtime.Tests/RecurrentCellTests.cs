using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary>
    /// The fused LSTM and GRU cells, with their own sigmoid, tanh and exp (<see cref="FloatMath"/>), against double-precision math, at every vector width and in the scalar
    /// tail: pre-activations across the range and at the edges that break such formulas (0, tiny, either side of the tanh
    /// series' switch at 1/16, beyond exp's clamp, ±∞, NaN — which must come out NaN, not clamped to a number).
    /// </summary>
    [Collection("Simd")]
    public class RecurrentCellTests
    {
        public static IEnumerable<object[]> Levels() => SimdLevels.All();

        [Theory]
        [MemberData(nameof(Levels))]
        public unsafe void Gates_cell_and_hidden_state_match_double_precision(SimdLevel level)
        {
            const int Hidden = 37; // whole vectors at every width, then a scalar tail
            float[] edges = [0f, 1e-8f, -1e-8f, 0.0624f, -0.0626f, 0.0625f, 0.5f, -3f, 15f, -15f, 87f, -87f, 88.5f, 90f, -90f, 200f, -200f,
                float.PositiveInfinity, float.NegativeInfinity, float.NaN];
            var rng = new Rng(11);
            foreach (bool zeroState in new[] { false, true })
            {
                float[] gates = new float[4 * Hidden], recurrent = new float[4 * Hidden], cPrev = new float[Hidden];
                for (int i = 0; i < gates.Length; i++)
                {
                    gates[i] = i < edges.Length * 2 ? edges[i / 2] : 24 * rng.NextFloat() - 12;
                    recurrent[i] = i < edges.Length * 2 ? 0 : 2 * rng.NextFloat() - 1;
                }
                for (int i = 0; i < Hidden; i++)
                {
                    cPrev[i] = i < edges.Length ? edges[i] / 4 : 6 * rng.NextFloat() - 3;
                }
                float[] expectedGates = new float[gates.Length];
                double[] expectedC = new double[Hidden], expectedH = new double[Hidden];
                for (int j = 0; j < Hidden; j++)
                {
                    double i = Sigmoid((double)gates[j] + recurrent[j]), f = Sigmoid((double)gates[Hidden + j] + recurrent[Hidden + j]);
                    double g = Math.Tanh((double)gates[2 * Hidden + j] + recurrent[2 * Hidden + j]);
                    double o = Sigmoid((double)gates[3 * Hidden + j] + recurrent[3 * Hidden + j]);
                    (expectedGates[j], expectedGates[Hidden + j], expectedGates[2 * Hidden + j], expectedGates[3 * Hidden + j]) = ((float)i, (float)f, (float)g, (float)o);
                    expectedC[j] = (zeroState ? 0 : f * cPrev[j]) + i * g;
                    expectedH[j] = o * Math.Tanh(expectedC[j]);
                }
                float[] c = new float[Hidden], h = new float[Hidden];
                SimdLevels.With(level, () =>
                {
                    fixed (float* pg = gates, pr = recurrent, pcp = cPrev, pc = c, ph = h)
                    {
                        LstmCell.Forward(pg, pr, zeroState ? null : pcp, pc, ph, Hidden);
                    }
                });
                for (int k = 0; k < gates.Length; k++)
                {
                    Close(gates[k], expectedGates[k], $"{level}: gate value {k}");
                }
                for (int j = 0; j < Hidden; j++)
                {
                    Close(c[j], expectedC[j], $"{level}: c[{j}]");
                    Close(h[j], expectedH[j], $"{level}: h[{j}]");
                }
            }
        }

        [Theory]
        [MemberData(nameof(Levels))]
        public unsafe void Gru_gates_and_output_match_double_precision(SimdLevel level)
        {
            const int Hidden = 37;
            float[] edges = [0f, 1e-8f, -1e-8f, 0.0624f, -0.0626f, 0.0625f, 0.5f, -3f, 15f, -15f, 87f, -87f, 88.5f, 90f, -90f, 200f, -200f,
                float.PositiveInfinity, float.NegativeInfinity, float.NaN];
            var rng = new Rng(12);
            foreach (bool zeroState in new[] { false, true })
            {
                float[] gates = new float[3 * Hidden], recurrent = new float[3 * Hidden], hPrev = new float[Hidden];
                for (int i = 0; i < gates.Length; i++)
                {
                    gates[i] = i < edges.Length * 2 ? edges[i / 2] : 24 * rng.NextFloat() - 12;
                    recurrent[i] = i < edges.Length * 2 ? 0.5f : 2 * rng.NextFloat() - 1;
                }
                for (int i = 0; i < Hidden; i++)
                {
                    hPrev[i] = 2 * rng.NextFloat() - 1;
                }
                float[] expectedGates = new float[gates.Length], expectedNew = new float[Hidden];
                double[] expectedH = new double[Hidden];
                for (int j = 0; j < Hidden; j++)
                {
                    double r = Sigmoid((double)gates[j] + recurrent[j]), z = Sigmoid((double)gates[Hidden + j] + recurrent[Hidden + j]);
                    double n = Math.Tanh(gates[2 * Hidden + j] + r * recurrent[2 * Hidden + j]);
                    (expectedGates[j], expectedGates[Hidden + j], expectedGates[2 * Hidden + j]) = ((float)r, (float)z, (float)n);
                    expectedNew[j] = recurrent[2 * Hidden + j];
                    expectedH[j] = n + z * ((zeroState ? 0 : hPrev[j]) - n);
                }
                float[] h = new float[Hidden], newGate = new float[Hidden];
                SimdLevels.With(level, () =>
                {
                    fixed (float* pg = gates, pr = recurrent, php = hPrev, ph = h, pn = newGate)
                    {
                        GruCell.Forward(pg, pr, zeroState ? null : php, ph, pn, Hidden);
                    }
                });
                for (int k = 0; k < gates.Length; k++)
                {
                    Close(gates[k], expectedGates[k], $"{level}: gate value {k}");
                }
                for (int j = 0; j < Hidden; j++)
                {
                    Assert.Equal(expectedNew[j], newGate[j]);
                    Close(h[j], expectedH[j], $"{level}: h[{j}]");
                }
            }
        }

        private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        private static void Close(float actual, double expected, string what)
        {
            if (double.IsNaN(expected) || double.IsInfinity(expected))
            {
                Assert.True(actual.Equals((float)expected), $"{what} = {actual:R}, expected {expected:R}");
                return;
            }
            double tolerance = 1e-6 * Math.Abs(expected) + 1e-7;
            Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what} = {actual:R}, expected {expected:R} (tolerance {tolerance:G3})");
        }
    }
}

using System;
using NetGen.Data;

namespace NetGen.Networks.Tests.Training
{
    /// <summary>4 features → 16 tanh → 3 classes.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(4)]
    [Dense(16, Activation.Tanh, Name = "hidden")]
    [Dense(3, Activation.Softmax, Name = "output")]
    public partial class BlobClassifier;

    /// <summary>2 features → 1 value, linear.</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(2)]
    [Dense(1, Name = "linear")]
    public partial class PlaneRegressor;

    /// <summary>The network of tests/fixtures/training_checkpoint.json (torch: hidden = Linear(6, 5), output = Linear(5, 3)).</summary>
    [Network(Loss.CrossEntropy)]
    [Input(6)]
    [Dense(5, Activation.ReLU, Name = "hidden")]
    [Dense(3, Activation.Softmax, Name = "output")]
    public partial class TorchMlp;

    internal static class TrainingData
    {
        /// <summary>Three Gaussian blobs in 4 dimensions, labels 0..2, from <paramref name="seed"/>.</summary>
        public static Dataset<int> Blobs(int count, int seed, float spread = 0.6f, bool shuffleLabels = false)
        {
            var rng = new Rng(seed);
            float[] centres = [1, 0, 0, 1, -1, 1, 0, 0, 0, -1, 1, -1];
            float[] x = new float[count * 4];
            int[] y = new int[count];
            for (int i = 0; i < count; i++)
            {
                int c = rng.NextInt(3);
                y[i] = shuffleLabels ? rng.NextInt(3) : c;
                for (int f = 0; f < 4; f++)
                {
                    x[i * 4 + f] = centres[c * 4 + f] + spread * rng.NextNormal();
                }
            }
            return Dataset.FromLabels(x, y, 4);
        }

        /// <summary>y = 2a − 3b + 0.5 plus a little noise.</summary>
        public static Dataset<float> Plane(int count, int seed)
        {
            var rng = new Rng(seed);
            float[] x = new float[count * 2];
            float[] y = new float[count];
            for (int i = 0; i < count; i++)
            {
                float a = rng.NextNormal(), b = rng.NextNormal();
                x[2 * i] = a;
                x[2 * i + 1] = b;
                y[i] = 2 * a - 3 * b + 0.5f + 0.01f * rng.NextNormal();
            }
            return Dataset.FromValues(x, y, 2);
        }

        public static int[] Bits(ReadOnlySpan<float> values)
        {
            int[] bits = new int[values.Length];
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] = BitConverter.SingleToInt32Bits(values[i]);
            }
            return bits;
        }
    }
}

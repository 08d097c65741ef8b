using System;

namespace NetGen
{
    /// <summary>Weight initializers. Each draws from a seeded <see cref="Rng"/>, so a seed fixes every weight.</summary>
    public static class Init
    {
        /// <summary>Fills <paramref name="values"/> with N(0, <paramref name="std"/>²).</summary>
        public static void Normal(Span<float> values, float std, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(rng);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = std * rng.NextNormal();
            }
        }

        /// <summary>Fills <paramref name="values"/> with U(−<paramref name="bound"/>, +<paramref name="bound"/>).</summary>
        public static void Uniform(Span<float> values, float bound, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(rng);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((2.0 * rng.NextDouble() - 1.0) * bound);
            }
        }

        /// <summary>
        /// Initializes a weight tensor with <paramref name="fanIn"/> inputs and <paramref name="fanOut"/>
        /// outputs per unit according to <paramref name="kind"/>.
        /// </summary>
        public static void Weights(Initializer kind, Span<float> weights, int fanIn, int fanOut, Rng rng)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanOut);
            switch (kind)
            {
                case Initializer.Default:
                case Initializer.LeCunNormal:
                    Normal(weights, (float)Math.Sqrt(1.0 / fanIn), rng);
                    break;
                case Initializer.GlorotUniform:
                    Uniform(weights, (float)Math.Sqrt(6.0 / (fanIn + fanOut)), rng);
                    break;
                case Initializer.GlorotNormal:
                    Normal(weights, (float)Math.Sqrt(2.0 / (fanIn + fanOut)), rng);
                    break;
                case Initializer.HeUniform:
                    Uniform(weights, (float)Math.Sqrt(6.0 / fanIn), rng);
                    break;
                case Initializer.HeNormal:
                    Normal(weights, (float)Math.Sqrt(2.0 / fanIn), rng);
                    break;
                case Initializer.TorchUniform:
                    Uniform(weights, (float)(1.0 / Math.Sqrt(fanIn)), rng);
                    break;
                case Initializer.Zeros:
                    weights.Clear();
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown initializer.");
            }
        }
    }
}

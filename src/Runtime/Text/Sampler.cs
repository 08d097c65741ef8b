using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace NetGen.Text
{
    /// <summary>
    /// Draws the next token from a model's output row, with a temperature and an optional top-k cut. Seeded:
    /// the same seed and the same rows give the same tokens. Allocates nothing per draw once its buffers
    /// have grown to the row length.
    /// </summary>
    /// <remarks>
    /// <para>Temperature <c>T</c> reshapes the distribution to <c>p^(1/T)</c>, renormalized: 1 leaves it as
    /// it is, below 1 sharpens it (towards the most likely token as <c>T → 0</c>), above 1 flattens it.
    /// <c>T = 0</c> exactly means greedy: the most likely token (the first of equals), drawing no random number.
    /// On logits <c>z</c> the same thing is <c>softmax(z / T)</c>.</para>
    /// <para>Top-k keeps the <c>k</c> most likely tokens (at equal probability, the lower ids) and draws among
    /// them in proportion to their reshaped probabilities; 0 keeps all, and a k at least the row length is
    /// the same as 0.</para>
    /// <para>Each non-greedy draw takes exactly one number from the generator, so the sequence of draws does
    /// not depend on the rows' contents.</para>
    /// </remarks>
    public sealed class Sampler
    {
        private readonly Rng _rng;
        private double[] _weights = [];
        private float[] _sorted = [];

        /// <summary>A sampler whose draws are determined by <paramref name="seed"/>.</summary>
        public Sampler(long seed) => _rng = new Rng(seed);

        /// <summary>
        /// A token drawn from <paramref name="probabilities"/> (non-negative, finite, not all zero; they need not
        /// sum to 1). See the class remarks for <paramref name="temperature"/> and <paramref name="topK"/>.
        /// </summary>
        /// <exception cref="ArgumentException">the row is empty, has a negative, NaN or infinite value, or is all zero.</exception>
        /// <exception cref="ArgumentOutOfRangeException">temperature is negative, NaN or infinite, or topK is negative.</exception>
        public int Sample(ReadOnlySpan<float> probabilities, float temperature = 1f, int topK = 0)
        {
            CheckProbabilities(probabilities);
            CheckSettings(temperature, topK);
            if (temperature == 0f)
            {
                return TensorPrimitives.IndexOfMax(probabilities);
            }
            Span<double> weights = Weights(probabilities.Length);
            double inverseT = 1.0 / temperature;
            double max = TensorPrimitives.Max(probabilities);
            for (int i = 0; i < probabilities.Length; i++)
            {
                // (p / max)^(1/T): the largest weight is 1, so a small T cannot underflow every weight to 0.
                weights[i] = probabilities[i] == 0f ? 0.0 : Math.Pow(probabilities[i] / max, inverseT);
            }
            return Draw(weights, probabilities, topK);
        }

        /// <summary>
        /// A token drawn from <c>softmax(logits / temperature)</c>; the logits must be finite. Same settings
        /// and draws as <see cref="Sample"/> on <c>softmax(logits)</c>.
        /// </summary>
        /// <exception cref="ArgumentException">the row is empty or has a NaN or infinite value.</exception>
        /// <exception cref="ArgumentOutOfRangeException">temperature is negative, NaN or infinite, or topK is negative.</exception>
        public int SampleLogits(ReadOnlySpan<float> logits, float temperature = 1f, int topK = 0)
        {
            CheckLogits(logits);
            CheckSettings(temperature, topK);
            if (temperature == 0f)
            {
                return TensorPrimitives.IndexOfMax(logits);
            }
            Span<double> weights = Weights(logits.Length);
            double inverseT = 1.0 / temperature;
            double max = TensorPrimitives.Max(logits);
            for (int i = 0; i < logits.Length; i++)
            {
                weights[i] = Math.Exp(((double)logits[i] - max) * inverseT);
            }
            return Draw(weights, logits, topK);
        }

        /// <summary>
        /// Zeroes the weights outside the top <paramref name="topK"/> of <paramref name="ranking"/>, then draws
        /// an index with probability proportional to its weight (sums in index order, in double precision).
        /// </summary>
        private int Draw(Span<double> weights, ReadOnlySpan<float> ranking, int topK)
        {
            if (topK > 0 && topK < ranking.Length)
            {
                KeepTopK(weights, ranking, topK);
            }
            double total = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                total += weights[i];
            }
            double u = _rng.NextDouble() * total;
            double cumulative = 0;
            int last = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                if (weights[i] > 0)
                {
                    cumulative += weights[i];
                    last = i;
                    if (u < cumulative)
                    {
                        return i;
                    }
                }
            }
            return last; // only when rounding left u at the very top of the total
        }

        /// <summary>
        /// Zeroes every weight but the <paramref name="k"/> largest of <paramref name="ranking"/>: all values above
        /// the k-th largest, then those equal to it in index order until k are kept.
        /// </summary>
        private void KeepTopK(Span<double> weights, ReadOnlySpan<float> ranking, int k)
        {
            if (_sorted.Length < ranking.Length)
            {
                _sorted = new float[ranking.Length];
            }
            Span<float> sorted = _sorted.AsSpan(0, ranking.Length);
            ranking.CopyTo(sorted);
            sorted.Sort();
            float threshold = sorted[ranking.Length - k];
            int equalsLeft = k;
            for (int i = 0; i < ranking.Length; i++)
            {
                if (ranking[i] > threshold)
                {
                    equalsLeft--;
                }
            }
            for (int i = 0; i < ranking.Length; i++)
            {
                if (ranking[i] < threshold || (ranking[i] == threshold && equalsLeft-- <= 0))
                {
                    weights[i] = 0;
                }
            }
        }

        private Span<double> Weights(int length)
        {
            if (_weights.Length < length)
            {
                _weights = new double[length];
            }
            return _weights.AsSpan(0, length);
        }

        private static void CheckSettings(float temperature, int topK)
        {
            if (!(temperature >= 0f) || float.IsPositiveInfinity(temperature))
            {
                throw new ArgumentOutOfRangeException(nameof(temperature), temperature,
                    $"temperature must be positive and finite, or 0 for greedy (argmax) sampling; got {temperature.ToString(CultureInfo.InvariantCulture)}.");
            }
            if (topK < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(topK), topK,
                    $"topK must be at least 1, or 0 to keep every token; got {topK}.");
            }
        }

        private static void CheckProbabilities(ReadOnlySpan<float> probabilities)
        {
            if (probabilities.IsEmpty)
            {
                throw new ArgumentException("probabilities is empty; there is no token to draw.", nameof(probabilities));
            }
            bool anyPositive = false;
            for (int i = 0; i < probabilities.Length; i++)
            {
                float p = probabilities[i];
                if (!float.IsFinite(p) || p < 0f)
                {
                    throw new ArgumentException(
                        $"probabilities[{i}] is {p.ToString(CultureInfo.InvariantCulture)}; a probability must be finite and non-negative.",
                        nameof(probabilities));
                }
                anyPositive |= p > 0f;
            }
            if (!anyPositive)
            {
                throw new ArgumentException(
                    $"All {probabilities.Length} probabilities are zero; there is no token to draw.", nameof(probabilities));
            }
        }

        private static void CheckLogits(ReadOnlySpan<float> logits)
        {
            if (logits.IsEmpty)
            {
                throw new ArgumentException("logits is empty; there is no token to draw.", nameof(logits));
            }
            for (int i = 0; i < logits.Length; i++)
            {
                if (!float.IsFinite(logits[i]))
                {
                    throw new ArgumentException(
                        $"logits[{i}] is {logits[i].ToString(CultureInfo.InvariantCulture)}; a logit must be finite.", nameof(logits));
                }
            }
        }
    }
}

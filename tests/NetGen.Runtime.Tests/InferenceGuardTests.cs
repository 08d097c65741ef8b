using System;
using System.Linq;
using NetGen.Runtime.Tests.Training;

namespace NetGen.Runtime.Tests
{
    /// <summary>
    /// The runtime half of concurrent inference: the finiteness check the pool runs on float inputs (a vector body and
    /// a scalar tail, so every position is tried), and a pool refused for a network that cannot share its parameters.
    /// </summary>
    public class InferenceGuardTests
    {
        [Fact]
        public void Finite_accepts_every_finite_float_including_the_extremes()
        {
            float[] values = { float.MaxValue, -float.MaxValue, float.Epsilon, -0f, 0f, 1e-40f, float.MinValue, 3.5f, -2f };
            Guard.Finite(values, perSample: 3, "inputs");
            Guard.Finite(ReadOnlySpan<float>.Empty, perSample: 3, "inputs");
        }

        [Theory]
        [InlineData(float.NaN, "NaN")]
        [InlineData(float.PositiveInfinity, "Infinity")]
        [InlineData(float.NegativeInfinity, "-Infinity")]
        public void Finite_refuses_a_non_finite_value_at_any_position_and_names_sample_and_index(float bad, string shown)
        {
            const int PerSample = 7, Length = 37; // vectors of 4, 8 or 16 and a tail
            for (int position = 0; position < Length; position++)
            {
                float[] values = Enumerable.Range(0, Length).Select(i => float.MaxValue / (i + 1)).ToArray();
                values[position] = bad;
                var error = Assert.Throws<ArgumentException>(() => Guard.Finite(values, PerSample, "inputs"));
                Assert.Equal($"inputs: sample {position / PerSample}, value {position % PerSample} is {shown}; every input must be a finite number. (Parameter 'inputs')", error.Message);
            }
        }

        [Fact]
        public void A_pool_of_a_network_that_cannot_share_its_parameters_is_refused_when_made()
        {
            var error = Assert.Throws<NotSupportedException>(() => new InferencePool<float>(new SoftmaxRegression(4, 3), size: 2));
            Assert.Contains("SoftmaxRegression cannot share its parameters with an inference copy", error.Message);
            Assert.False(((INetwork)new SoftmaxRegression(4, 3)).SharesParameters);
        }
    }
}

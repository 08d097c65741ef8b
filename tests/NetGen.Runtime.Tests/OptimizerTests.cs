using System;

namespace NetGen.Runtime.Tests
{
    public class OptimizerTests
    {
        [Fact]
        public void State_is_kept_per_parameter_buffer()
        {
            var a = new AlignedBuffer(5);
            var b = new AlignedBuffer(7);
            float[] ga = [1, 1, 1, 1, 1], gb = [2, 2, 2, 2, 2, 2, 2];
            var adam = new Adam(0.1f);
            adam.Step(a.Span, ga);
            adam.Step(b.Span, gb);
            adam.Step(a.Span, ga);
            Assert.Equal(2, adam.States.Count);
            Assert.Equal(2, adam.States[0].StepCount);
            Assert.Equal(1, adam.States[1].StepCount);
            Assert.Equal(5, adam.States[0].Length);
        }

        [Fact]
        public void Gradients_of_another_length_are_refused()
        {
            var e = Assert.Throws<ArgumentException>(() => new Sgd(0.1f).Step(new float[3], new float[4]));
            Assert.Contains("gradients has 4 values; expected 3", e.Message);
        }

        [Fact]
        public void Nonsensical_hyperparameters_are_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-1f));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.NaN));
            Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -0.1f));
            Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(alpha: 1.5f));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Adam().LearningRate = float.PositiveInfinity);
        }

        [Fact]
        public void Reset_forgets_the_state()
        {
            var adam = new Adam();
            var p = new AlignedBuffer(3);
            adam.Step(p.Span, new float[3]);
            adam.Reset();
            Assert.Empty(adam.States);
        }
    }
}

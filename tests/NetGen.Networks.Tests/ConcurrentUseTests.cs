using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace NetGen.Networks.Tests
{
    /// <summary>
    /// A network instance serves one call at a time: a second call while one runs is refused with an
    /// exception naming the member and the one-instance-per-thread path, never answered with numbers
    /// computed in a workspace another call is overwriting.
    /// </summary>
    public class ConcurrentUseTests
    {
        /// <summary>An optimizer whose step calls back into the network it is training: a re-entry on the same thread.</summary>
        private sealed class ReenteringOptimizer(Action reenter) : Optimizer(0.1f)
        {
            protected override int SlotsPerParameter => 0;

            protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, OptimizerState state) => reenter();
        }

        [Fact]
        public void A_call_from_inside_a_running_call_is_refused_with_the_member_and_the_way_out()
        {
            var net = new MnistMlp(seed: 1);
            float[] inputs = new float[2 * MnistMlp.InputSize];
            int[] labels = { 3, 7 };
            var optimizer = new ReenteringOptimizer(() => net.Forward(inputs, 2));

            var error = Assert.Throws<InvalidOperationException>(() => net.TrainStep(inputs, labels, 2, optimizer));
            Assert.Contains("MnistMlp.Forward was called while another call on the same MnistMlp instance was running", error.Message);
            Assert.Contains("one instance per thread", error.Message);

            // The refused call released nothing it did not hold: the instance works again afterwards.
            Assert.True(float.IsFinite(net.ComputeLoss(inputs, labels, 2)));
        }

        [Fact]
        public void Calls_from_many_threads_are_either_right_or_refused_never_wrong()
        {
            var net = new MnistMlp(seed: 2);
            var rng = new Random(3);
            const int Batch = 16;
            float[][] inputs = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, Batch * MnistMlp.InputSize).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
            float[][] expected = inputs.Select(x => net.Forward(x, Batch).ToArray()).ToArray();

            int right = 0, refused = 0, wrong = 0;
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
            {
                float[] outputs = new float[Batch * MnistMlp.OutputSize];
                for (int i = 0; i < 300; i++)
                {
                    int which = (worker + i) % inputs.Length;
                    try
                    {
                        net.Forward(inputs[which], outputs, Batch);
                        if (outputs.AsSpan().SequenceEqual(expected[which]))
                        {
                            Interlocked.Increment(ref right);
                        }
                        else
                        {
                            Interlocked.Increment(ref wrong);
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            });
            Assert.Equal(0, wrong);
            Assert.Equal(8 * 300, right + refused);
            Assert.True(right > 0, "No call got through.");
        }
    }
}

using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary>
    /// The checks <see cref="LstmKernelTests"/> and <see cref="GruKernelTests"/> share: the double
    /// reference against central finite differences, the float kernels against the reference (every
    /// output and gradient, at every vector width), <c>Step</c> against <c>Forward</c>, and thread counts.
    /// </summary>
    internal static class RecurrentChecks
    {
        /// <summary>Tiny shapes for finite differences: one and several steps, batch 1 and 3, input ≠ hidden.</summary>
        public static readonly (int Batch, int Steps, int Input, int Hidden)[] TinyShapes = [(1, 1, 3, 2), (1, 4, 2, 3), (3, 1, 3, 2), (3, 4, 3, 2)];

        /// <summary>
        /// The tiny shapes, plus shapes whose products leave the tiny-product path and use the tiles (and
        /// ragged tile edges), batches of several blocks of rows, the last one short, and a sequence of enough
        /// rows (B·T ≥ 256) for the LSTM's input projection over W_ihᵀ, and one sequence whose recurrent product is a tiled row.
        /// </summary>
        public static readonly (int Batch, int Steps, int Input, int Hidden)[] KernelShapes =
            [.. TinyShapes, (2, 6, 20, 24), (5, 3, 33, 17), (4, 3, 64, 128), (7, 2, 9, 40), (11, 3, 5, 6), (2 * Recurrent.RowsPerBlock + 3, 4, 24, 40),
             (9, 30, 7, 6), (1, 5, 16, 24)];

        /// <summary>A random loss <c>L = Σ w⊙y</c>: its <c>dy</c> is <c>w</c>.</summary>
        public static double[] LossWeights(RecurrentCase c, long seed) =>
            Array.ConvertAll(RecurrentCase.Uniform(c.Batch * c.Steps * c.Hidden, 1, new Rng(seed)), v => (double)(float)v);

        private static double Loss(RecurrentCase c, double[] w)
        {
            double[] y = RecurrentReference.Forward(c);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += w[i] * y[i];
            }
            return sum;
        }

        /// <summary>Every gradient of the reference against a central difference of its forward pass, element by element.</summary>
        public static void ReferenceMatchesFiniteDifferences(RecurrentKind kind)
        {
            const double Step = 1e-6;
            foreach (var (batch, steps, input, hidden) in TinyShapes)
            {
                var c = new RecurrentCase(kind, batch, steps, input, hidden, seed: 100 * batch + 10 * steps + hidden);
                double[] w = LossWeights(c, seed: 7);
                RecurrentGradients analytic = RecurrentReference.Backward(c, w);
                double[][] tensors = c.Tensors, gradients = analytic.All;
                for (int p = 0; p < tensors.Length; p++)
                {
                    double[] values = tensors[p];
                    for (int i = 0; i < values.Length; i++)
                    {
                        double saved = values[i];
                        values[i] = saved + Step;
                        double plus = Loss(c, w);
                        values[i] = saved - Step;
                        double minus = Loss(c, w);
                        values[i] = saved;
                        double numeric = (plus - minus) / (2 * Step);
                        double error = Math.Abs(numeric - gradients[p][i]);
                        Assert.True(error <= 1e-7 * (1 + Math.Abs(numeric)),
                            $"{c}: {RecurrentGradients.Names[p]}[{i}] = {gradients[p][i]:R}, finite difference {numeric:R}");
                    }
                }
            }
        }

        /// <summary><c>y</c> and every gradient of the float kernel against the double reference.</summary>
        public static void KernelMatchesReference(RecurrentKind kind, SimdLevel level)
        {
            SimdLevels.With(level, () =>
            {
                foreach (var (batch, steps, input, hidden) in KernelShapes)
                {
                    var c = new RecurrentCase(kind, batch, steps, input, hidden, seed: 1000 + 100 * batch + 10 * steps + hidden);
                    double[] w = LossWeights(c, seed: 11);
                    RecurrentKernel.Result actual = RecurrentKernel.Run(c, RecurrentCase.ToFloat(w));
                    AssertClose(RecurrentReference.Forward(c), actual.Y, $"{c}: y");
                    RecurrentGradients expected = RecurrentReference.Backward(c, w);
                    for (int p = 0; p < expected.All.Length; p++)
                    {
                        AssertClose(expected.All[p], actual.Gradients[p], $"{c}: {RecurrentGradients.Names[p]}");
                    }

                    // Without dx, the parameter gradients are the same bits.
                    RecurrentKernel.Result withoutDx = RecurrentKernel.Run(c, RecurrentCase.ToFloat(w), inputGradient: false);
                    Assert.Empty(withoutDx.Dx);
                    for (int p = 1; p < expected.All.Length; p++)
                    {
                        Assert.Equal(actual.Gradients[p], withoutDx.Gradients[p]);
                    }
                }
            });
        }

        /// <summary>Carrying the state through <c>Step</c> gives the outputs of <c>Forward</c>.</summary>
        public static void StepAgreesWithForward(RecurrentKind kind, SimdLevel level)
        {
            SimdLevels.With(level, () =>
            {
                foreach (var (batch, steps, input, hidden) in KernelShapes)
                {
                    var c = new RecurrentCase(kind, batch, steps, input, hidden, seed: 2000 + 100 * batch + 10 * steps + hidden);
                    float[] forward = RecurrentKernel.Run(c, new float[batch * steps * hidden]).Y;
                    float[] stepped = RecurrentKernel.RunSteps(c);
                    for (int i = 0; i < forward.Length; i++)
                    {
                        Assert.True(Math.Abs(forward[i] - stepped[i]) <= 1e-6f, $"{c}: y[{i}] = {forward[i]:R} by Forward, {stepped[i]:R} by Step");
                    }
                }
            });
        }

        /// <summary>Outputs and gradients are the same bits on 1, 2 and 3 threads.</summary>
        public static void ThreadCountDoesNotMatter(RecurrentKind kind)
        {
            // Big enough for every product and the recurrence to use several threads; three blocks of rows, the last short.
            var c = new RecurrentCase(kind, batch: 19, steps: 5, input: 64, hidden: 128, seed: 3);
            float[] dy = RecurrentCase.ToFloat(LossWeights(c, seed: 5));
            (RecurrentKernel.Result Run, float[] Stepped) Run(int threads)
            {
                int saved = Parallelism.MaxThreads;
                Parallelism.MaxThreads = threads;
                try
                {
                    return (RecurrentKernel.Run(c, dy), RecurrentKernel.RunSteps(c));
                }
                finally
                {
                    Parallelism.MaxThreads = saved;
                }
            }
            var one = Run(1);
            foreach (int threads in new[] { 2, 3 })
            {
                var other = Run(threads);
                Assert.Equal(one.Run.Y, other.Run.Y);
                Assert.Equal(one.Stepped, other.Stepped);
                for (int p = 0; p < one.Run.Gradients.Length; p++)
                {
                    Assert.Equal(one.Run.Gradients[p], other.Run.Gradients[p]);
                }
            }
        }

        /// <summary>Once warm, a forward, a backward and a step allocate nothing.</summary>
        public static void CallsDoNotAllocate(RecurrentKind kind)
        {
            var c = new RecurrentCase(kind, batch: 16, steps: 4, input: 32, hidden: 128, seed: 4);
            int batch = c.Batch, steps = c.Steps, input = c.Input, hidden = c.Hidden;
            bool lstm = kind == RecurrentKind.Lstm;
            float[] x = RecurrentCase.ToFloat(c.X), wIh = RecurrentCase.ToFloat(c.WIh), wHh = RecurrentCase.ToFloat(c.WHh);
            float[] bIh = RecurrentCase.ToFloat(c.BIh), bHh = RecurrentCase.ToFloat(c.BHh);
            float[] y = new float[batch * steps * hidden], dy = RecurrentCase.ToFloat(LossWeights(c, seed: 6)), dx = new float[x.Length];
            float[] saved = new float[batch * (lstm ? Lstm.SavedSize(steps, hidden) : Gru.SavedSize(steps, hidden))];
            float[] scratch = new float[batch * (lstm ? Lstm.ScratchSize(steps, input, hidden) : Gru.ScratchSize(steps, input, hidden))];
            float[] stepScratch = new float[batch * (lstm ? Lstm.StepScratchSize(hidden) : Gru.StepScratchSize(hidden))];
            float[] dWIh = new float[wIh.Length], dWHh = new float[wHh.Length], dBIh = new float[bIh.Length], dBHh = new float[bHh.Length];
            float[] h = new float[batch * hidden], cell = new float[batch * hidden];
            void Call()
            {
                if (lstm)
                {
                    Lstm.Forward(x, wIh, wHh, bIh, bHh, y, saved, batch, steps, input, hidden);
                    Lstm.Backward(x, wIh, wHh, y, saved, dy, dx, dWIh, dWHh, dBIh, dBHh, scratch, batch, steps, input, hidden);
                    Lstm.Step(x, wIh, wHh, bIh, bHh, h, cell, stepScratch, batch, input, hidden);
                }
                else
                {
                    Gru.Forward(x, wIh, wHh, bIh, bHh, y, saved, batch, steps, input, hidden);
                    Gru.Backward(x, wIh, wHh, y, saved, dy, dx, dWIh, dWHh, dBIh, dBHh, scratch, batch, steps, input, hidden);
                    Gru.Step(x, wIh, wHh, bIh, bHh, h, stepScratch, batch, input, hidden);
                }
            }
            Assert.Equal(0, Allocations.PerWarmCall(Call));
        }

        /// <summary>Too-short buffers are refused with the name of the culprit.</summary>
        public static void ShortBuffersAreRefused(RecurrentKind kind)
        {
            var c = new RecurrentCase(kind, batch: 2, steps: 3, input: 4, hidden: 5, seed: 9);
            int savedSize = kind == RecurrentKind.Lstm ? Lstm.SavedSize(3, 5) : Gru.SavedSize(3, 5);
            float[] x = RecurrentCase.ToFloat(c.X), wIh = RecurrentCase.ToFloat(c.WIh), wHh = RecurrentCase.ToFloat(c.WHh);
            float[] bIh = RecurrentCase.ToFloat(c.BIh), bHh = RecurrentCase.ToFloat(c.BHh), y = new float[2 * 3 * 5];
            float[] shortSaved = new float[2 * savedSize - 1];
            ArgumentException e = kind == RecurrentKind.Lstm
                ? Assert.Throws<ArgumentException>(() => Lstm.Forward(x, wIh, wHh, bIh, bHh, y, shortSaved, 2, 3, 4, 5))
                : Assert.Throws<ArgumentException>(() => Gru.Forward(x, wIh, wHh, bIh, bHh, y, shortSaved, 2, 3, 4, 5));
            Assert.Equal("saved", e.ParamName);
            e = kind == RecurrentKind.Lstm
                ? Assert.Throws<ArgumentException>(() => Lstm.Forward(x, wIh, wHh.AsSpan(1), bIh, bHh, y, new float[2 * savedSize], 2, 3, 4, 5))
                : Assert.Throws<ArgumentException>(() => Gru.Forward(x, wIh, wHh.AsSpan(1), bIh, bHh, y, new float[2 * savedSize], 2, 3, 4, 5));
            Assert.Equal("wHh", e.ParamName);
        }

        /// <summary>Each element within <c>1e-5 + 1e-4·max|expected|</c> of the double reference.</summary>
        private static void AssertClose(double[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            double scale = 0;
            foreach (double v in expected)
            {
                scale = Math.Max(scale, Math.Abs(v));
            }
            double tolerance = 1e-5 + 1e-4 * scale;
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} (±{tolerance:G3})");
            }
        }
    }

    /// <summary><see cref="Lstm"/> against a naive double-precision nn.LSTM.</summary>
    [Collection("Simd")]
    public class LstmKernelTests
    {
        public static IEnumerable<object[]> Levels() => SimdLevels.All();

        [Fact]
        public void Reference_gradients_match_finite_differences() => RecurrentChecks.ReferenceMatchesFiniteDifferences(RecurrentKind.Lstm);

        [Theory]
        [MemberData(nameof(Levels))]
        public void Forward_and_every_gradient_match_the_reference(SimdLevel level) => RecurrentChecks.KernelMatchesReference(RecurrentKind.Lstm, level);

        [Theory]
        [MemberData(nameof(Levels))]
        public void Step_agrees_with_forward(SimdLevel level) => RecurrentChecks.StepAgreesWithForward(RecurrentKind.Lstm, level);

        [Fact]
        public void Results_do_not_depend_on_the_thread_count() => RecurrentChecks.ThreadCountDoesNotMatter(RecurrentKind.Lstm);

        [Fact]
        public void Short_buffers_are_refused() => RecurrentChecks.ShortBuffersAreRefused(RecurrentKind.Lstm);

        [Fact]
        public void Calls_do_not_allocate() => RecurrentChecks.CallsDoNotAllocate(RecurrentKind.Lstm);
    }

    /// <summary><see cref="Gru"/> against a naive double-precision nn.GRU.</summary>
    [Collection("Simd")]
    public class GruKernelTests
    {
        public static IEnumerable<object[]> Levels() => SimdLevels.All();

        [Fact]
        public void Reference_gradients_match_finite_differences() => RecurrentChecks.ReferenceMatchesFiniteDifferences(RecurrentKind.Gru);

        [Theory]
        [MemberData(nameof(Levels))]
        public void Forward_and_every_gradient_match_the_reference(SimdLevel level) => RecurrentChecks.KernelMatchesReference(RecurrentKind.Gru, level);

        [Theory]
        [MemberData(nameof(Levels))]
        public void Step_agrees_with_forward(SimdLevel level) => RecurrentChecks.StepAgreesWithForward(RecurrentKind.Gru, level);

        [Fact]
        public void Results_do_not_depend_on_the_thread_count() => RecurrentChecks.ThreadCountDoesNotMatter(RecurrentKind.Gru);

        [Fact]
        public void Short_buffers_are_refused() => RecurrentChecks.ShortBuffersAreRefused(RecurrentKind.Gru);

        [Fact]
        public void Calls_do_not_allocate() => RecurrentChecks.CallsDoNotAllocate(RecurrentKind.Gru);
    }
}

using System;
using System.Collections.Generic;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary><see cref="Attention"/> against a naive double-precision multi-head attention.</summary>
    [Collection("Simd")]
    public class AttentionKernelTests
    {
        public static IEnumerable<object[]> Levels() => SimdLevels.All();

        /// <summary>(B, T, heads, dh): one step, odd sizes, T across query groups (24) and beyond a vector, the benchmark's head shape.</summary>
        private static readonly (int Batch, int Steps, int Heads, int HeadDim)[] Shapes =
            [(1, 1, 1, 1), (2, 1, 3, 4), (2, 3, 2, 3), (3, 7, 3, 5), (2, 24, 1, 8), (2, 30, 2, 16), (1, 49, 4, 7), (3, 64, 4, 16), (1, 17, 1, 33)];

        /// <summary>Every combination of key padding, causal mask and dropout.</summary>
        private static IEnumerable<(bool Padding, bool Causal, bool Dropout)> Variants()
        {
            foreach (bool padding in new[] { false, true })
            {
                foreach (bool causal in new[] { false, true })
                {
                    foreach (bool dropout in new[] { false, true })
                    {
                        yield return (padding, causal, dropout);
                    }
                }
            }
        }

        [Fact]
        public void Reference_gradient_matches_finite_differences()
        {
            const double Step = 1e-6;
            foreach (var (batch, steps, heads, headDim) in new[] { (1, 1, 1, 2), (2, 3, 2, 2), (2, 4, 1, 3) })
            {
                foreach (var (padding, causal, dropout) in Variants())
                {
                    var c = new AttentionCase(batch, steps, heads, headDim, padding, causal, dropout, seed: 10 * steps + heads);
                    double[] analytic = AttentionReference.Backward(c);
                    for (int i = 0; i < c.Qkv.Length; i++)
                    {
                        double saved = c.Qkv[i];
                        c.Qkv[i] = saved + Step;
                        double plus = AttentionReference.Loss(c);
                        c.Qkv[i] = saved - Step;
                        double minus = AttentionReference.Loss(c);
                        c.Qkv[i] = saved;
                        double numeric = (plus - minus) / (2 * Step);
                        Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-7 * (1 + Math.Abs(numeric)),
                            $"{c}: dQkv[{i}] = {analytic[i]:R}, finite difference {numeric:R}");
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Levels))]
        public void Forward_saved_probabilities_and_backward_match_the_reference(SimdLevel level)
        {
            SimdLevels.With(level, () =>
            {
                foreach (var (batch, steps, heads, headDim) in Shapes)
                {
                    foreach (var (padding, causal, dropout) in Variants())
                    {
                        var c = new AttentionCase(batch, steps, heads, headDim, padding, causal, dropout, seed: 1000 * batch + 10 * steps + headDim);
                        var run = Run(c);
                        AssertClose(AttentionReference.Forward(c), run.Output, $"{c}: output");
                        AssertClose(AttentionReference.Probabilities(c), run.Saved, $"{c}: P");
                        AssertClose(AttentionReference.Backward(c), run.DQkv, $"{c}: dQkv");
                    }
                }
            });
        }

        [Fact]
        public void Left_padding_with_a_causal_mask_gives_zero_rows_not_NaN()
        {
            var c = new AttentionCase(1, 4, 2, 3, padding: false, causal: true, dropout: false, seed: 5);
            var run = Run(c, keyPadding: [1, 1, 0, 0]);
            for (int i = 0; i < 2 * c.Width; i++)
            {
                Assert.Equal(0f, run.Output[i]); // queries 0 and 1 see no key
            }
            Assert.All(run.Output, v => Assert.True(float.IsFinite(v)));
            Assert.All(run.DQkv, v => Assert.True(float.IsFinite(v)));
        }

        [Theory]
        [MemberData(nameof(Levels))]
        public void Step_with_the_cache_reproduces_the_causal_forward_row_by_row(SimdLevel level)
        {
            SimdLevels.With(level, () =>
            {
                foreach (var (batch, steps, heads, headDim) in Shapes)
                {
                    var c = new AttentionCase(batch, steps, heads, headDim, padding: false, causal: true, dropout: false, seed: 77 + steps);
                    float[] forward = Run(c).Output;
                    int width = c.Width, maxSteps = steps + 2;
                    float[] qkv = AttentionCase.ToFloat(c.Qkv);
                    float[] keys = new float[batch * maxSteps * width], values = new float[keys.Length];
                    Array.Fill(keys, float.NaN); // positions not yet written must never be read
                    Array.Fill(values, float.NaN);
                    float[] step = new float[batch * 3 * width], output = new float[batch * width];
                    float[] scratch = new float[batch * Attention.StepScratchSize(maxSteps, heads)];
                    for (int t = 0; t < steps; t++)
                    {
                        for (int b = 0; b < batch; b++)
                        {
                            Array.Copy(qkv, (b * steps + t) * 3 * width, step, b * 3 * width, 3 * width);
                        }
                        Attention.Step(step, keys, values, output, scratch, t, batch, maxSteps, heads, headDim);
                        for (int b = 0; b < batch; b++)
                        {
                            for (int d = 0; d < width; d++)
                            {
                                float expected = forward[(b * steps + t) * width + d], actual = output[b * width + d];
                                Assert.True(Math.Abs(expected - actual) <= 2e-6f * (1 + Math.Abs(expected)),
                                    $"{c}: position {t}, sample {b}, [{d}] = {actual:R} by Step, {expected:R} by Forward");
                            }
                        }
                    }
                }
            });
        }

        [Fact]
        public void Results_do_not_depend_on_the_thread_count()
        {
            foreach (var (padding, causal, dropout) in Variants())
            {
                // Enough pairs for two threads; the pairs split unevenly.
                var c = new AttentionCase(7, 64, 4, 16, padding, causal, dropout, seed: 3);
                int saved = Parallelism.MaxThreads;
                try
                {
                    Parallelism.MaxThreads = 1;
                    var one = Run(c);
                    Parallelism.MaxThreads = 2;
                    var two = Run(c);
                    Assert.Equal(one.Output, two.Output);
                    Assert.Equal(one.Saved, two.Saved);
                    Assert.Equal(one.DQkv, two.DQkv);
                }
                finally
                {
                    Parallelism.MaxThreads = saved;
                }
            }
        }

        [Fact]
        public void Calls_do_not_allocate_once_warm()
        {
            var c = new AttentionCase(8, 64, 4, 16, padding: true, causal: true, dropout: true, seed: 4);
            int B = c.Batch, T = c.Steps, H = c.Heads, dh = c.HeadDim, D = c.Width;
            float[] qkv = AttentionCase.ToFloat(c.Qkv), padding = AttentionCase.ToFloat(c.KeyPadding), dropout = AttentionCase.ToFloat(c.Dropout);
            float[] output = new float[B * T * D], saved = new float[B * Attention.SavedSize(T, H)], dQkv = new float[qkv.Length];
            float[] dOutput = AttentionCase.ToFloat(c.Weights);
            float[] keys = new float[B * T * D], values = new float[B * T * D], step = new float[B * 3 * D], stepOutput = new float[B * D];
            float[] scratch = new float[B * Attention.StepScratchSize(T, H)];
            void Call()
            {
                Attention.Forward(qkv, output, saved, padding, true, dropout, B, T, H, dh);
                Attention.Backward(qkv, saved, dOutput, dQkv, padding, true, dropout, B, T, H, dh);
                Attention.Step(step, keys, values, stepOutput, scratch, 5, B, T, H, dh);
            }
            Assert.Equal(0, Allocations.PerWarmCall(Call));
        }

        [Fact]
        public void Short_buffers_are_refused_with_their_name()
        {
            int B = 2, T = 3, H = 2, dh = 2, D = H * dh;
            float[] qkv = new float[B * T * 3 * D], output = new float[B * T * D], saved = new float[B * Attention.SavedSize(T, H)];
            Assert.Equal("saved", Assert.Throws<ArgumentException>(() =>
                Attention.Forward(qkv, output, saved.AsSpan(1), default, false, default, B, T, H, dh)).ParamName);
            Assert.Equal("keyPadding", Assert.Throws<ArgumentException>(() =>
                Attention.Forward(qkv, output, saved, new float[B * T - 1], false, default, B, T, H, dh)).ParamName);
            Assert.Equal("dropoutMask", Assert.Throws<ArgumentException>(() =>
                Attention.Forward(qkv, output, saved, default, false, new float[3], B, T, H, dh)).ParamName);
            Assert.Equal("dQkv", Assert.Throws<ArgumentException>(() =>
                Attention.Backward(qkv, saved, output, new float[5], default, false, default, B, T, H, dh)).ParamName);
            Assert.Throws<ArgumentOutOfRangeException>(() =>
                Attention.Step(new float[B * 3 * D], new float[B * T * D], new float[B * T * D], new float[B * D], new float[B * H * T], T, B, T, H, dh));
        }

        internal readonly record struct Result(float[] Output, float[] Saved, float[] DQkv);

        internal static Result Run(AttentionCase c, float[]? keyPadding = null)
        {
            int B = c.Batch, T = c.Steps, H = c.Heads, dh = c.HeadDim;
            float[] qkv = AttentionCase.ToFloat(c.Qkv), padding = keyPadding ?? AttentionCase.ToFloat(c.KeyPadding), dropout = AttentionCase.ToFloat(c.Dropout);
            float[] output = new float[B * T * c.Width], saved = new float[B * Attention.SavedSize(T, H)];
            Array.Fill(saved, float.NaN); // every value of P must be written
            Attention.Forward(qkv, output, saved, padding, c.Causal, dropout, B, T, H, dh);
            float[] dQkv = new float[qkv.Length];
            Array.Fill(dQkv, float.NaN); // overwritten, never accumulated
            Attention.Backward(qkv, saved, AttentionCase.ToFloat(c.Weights), dQkv, padding, c.Causal, dropout, B, T, H, dh);
            return new Result(output, saved, dQkv);
        }

        /// <summary>Each element within <c>1e-5 + 1e-4·max|expected|</c> of the double reference.</summary>
        internal static void AssertClose(double[] expected, float[] actual, string what)
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
}

using System;
using System.Linq;
using NetGen.Text;

namespace NetGen.Runtime.Tests.Text
{
    public class TextWindowsTests
    {
        [Fact]
        public void Windows_hold_the_next_token_as_target()
        {
            var (inputs, targets, count) = TextWindows.Make([10, 11, 12, 13, 14, 15], sequenceLength: 2, stride: 2);
            Assert.Equal(2, count); // starts 0 and 2; start 4 would need token 6 as its last target
            Assert.Equal(new[] { 10, 11, 12, 13 }, inputs);
            Assert.Equal(new[] { 11, 12, 13, 14 }, targets);

            (inputs, targets, count) = TextWindows.Make([10, 11, 12, 13, 14, 15], sequenceLength: 3, stride: 1);
            Assert.Equal(3, count);
            Assert.Equal(new[] { 10, 11, 12, 11, 12, 13, 12, 13, 14 }, inputs);
            Assert.Equal(new[] { 11, 12, 13, 12, 13, 14, 13, 14, 15 }, targets);
        }

        [Fact]
        public void Every_full_window_is_cut_for_any_length_and_stride()
        {
            for (int n = 2; n <= 30; n++)
            {
                int[] tokens = Enumerable.Range(0, n).ToArray(); // a token's value is its position
                for (int t = 1; t < n; t++)
                {
                    for (int stride = 1; stride <= 7; stride++)
                    {
                        int expected = 0;
                        for (int s = 0; s + t + 1 <= n; s += stride)
                        {
                            expected++;
                        }
                        Assert.Equal(expected, TextWindows.CountWindows(n, t, stride));
                        var (inputs, targets, count) = TextWindows.Make(tokens, t, stride);
                        Assert.Equal(expected, count);
                        Assert.Equal(count * t, inputs.Length);
                        for (int i = 0; i < count; i++)
                        {
                            for (int j = 0; j < t; j++)
                            {
                                Assert.Equal(i * stride + j, inputs[i * t + j]);
                                Assert.Equal(i * stride + j + 1, targets[i * t + j]);
                            }
                        }
                    }
                }
            }
        }

        [Fact]
        public void Too_few_tokens_or_bad_settings_throw_with_the_values()
        {
            var e = Assert.Throws<ArgumentException>(() => TextWindows.Make([1, 2, 3], sequenceLength: 3, stride: 1));
            Assert.Contains("tokens has 3 tokens", e.Message);
            Assert.Contains("needs 4", e.Message);
            Assert.Equal(0, TextWindows.CountWindows(3, 3, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => TextWindows.Make([1, 2, 3], sequenceLength: 0, stride: 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => TextWindows.Make([1, 2, 3], sequenceLength: 1, stride: 0));
        }

        [Fact]
        public void Split_keeps_order_and_windows_never_straddle_it()
        {
            int[] tokens = Enumerable.Range(0, 1000).ToArray();
            var (train, heldOut) = TextWindows.Split(tokens, 0.1);
            Assert.Equal(Enumerable.Range(0, 900), train);
            Assert.Equal(Enumerable.Range(900, 100), heldOut);

            var (trainInputs, trainTargets, _) = TextWindows.Make(train, 50, 7);
            var (heldInputs, heldTargets, _) = TextWindows.Make(heldOut, 50, 7);
            Assert.True(trainInputs.Concat(trainTargets).Max() < 900);
            Assert.True(heldInputs.Concat(heldTargets).Min() >= 900);
        }

        [Theory]
        [InlineData(10, 0.1, 9, 1)]
        [InlineData(100, 0.29, 71, 29)] // 100 × 0.29 is 28.999… in floating point
        [InlineData(15, 0.1, 13, 2)]    // 1.5 rounds away from zero
        public void Split_rounds_the_held_out_count_to_nearest(int n, double fraction, int trainCount, int heldOutCount)
        {
            var (train, heldOut) = TextWindows.Split(new int[n], fraction);
            Assert.Equal(trainCount, train.Length);
            Assert.Equal(heldOutCount, heldOut.Length);
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(1.0)]
        [InlineData(-0.5)]
        [InlineData(double.NaN)]
        public void Split_refuses_a_fraction_outside_zero_to_one(double fraction)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => TextWindows.Split(new int[10], fraction));
            Assert.Contains(fraction.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        }

        [Fact]
        public void Split_refuses_to_leave_a_part_empty()
        {
            var e = Assert.Throws<ArgumentException>(() => TextWindows.Split(new int[3], 0.1));
            Assert.Contains("0 held out", e.Message);
            Assert.Throws<ArgumentException>(() => TextWindows.Split(new int[3], 0.9));
        }
    }
}

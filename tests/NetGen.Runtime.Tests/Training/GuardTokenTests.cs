using System;

namespace NetGen.Runtime.Tests.Training
{
    public class GuardTokenTests
    {
        [Fact]
        public void Valid_tokens_pass()
        {
            Guard.Tokens([], 5, 3, "inputs");
            Guard.Tokens([0, 4, 4, 0, 1, 2], 5, 3, "inputs");
            int[] many = new int[1000];
            for (int i = 0; i < many.Length; i++)
            {
                many[i] = i % 37;
            }
            Guard.Tokens(many, 37, 10, "inputs");
        }

        [Theory]
        [InlineData(37)]    // one past the end
        [InlineData(-1)]    // negative ids are out of range too
        [InlineData(int.MinValue)]
        [InlineData(int.MaxValue)]
        public void The_first_bad_token_is_named_by_sample_position_value_and_range(int bad)
        {
            // Every length up to 3 vectors of 16 ints and every position: the vector body and the scalar tail.
            for (int length = 1; length <= 50; length++)
            {
                for (int at = 0; at < length; at++)
                {
                    int[] tokens = new int[length];
                    for (int i = 0; i < length; i++)
                    {
                        tokens[i] = 36 - i % 37;
                    }
                    tokens[at] = bad;
                    if (at + 1 < length)
                    {
                        tokens[length - 1] = 40; // a later bad token is not the one reported
                    }
                    var e = Assert.Throws<ArgumentException>(() => Guard.Tokens(tokens, 37, sequenceLength: 4, "inputs"));
                    Assert.Equal("inputs", e.ParamName);
                    Assert.StartsWith($"inputs: sample {at / 4}, position {at % 4} holds token {bad}; a token id must be in [0, 37).", e.Message);
                }
            }
        }

        [Fact]
        public void Sizes_must_be_positive()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Tokens([0], 0, 1, "inputs"));
            Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Tokens([0], 1, 0, "inputs"));
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using NetGen.Text;

namespace NetGen.Runtime.Tests.Text
{
    public class ByteEncodingTests
    {
        /// <summary>UTF-8 by the bit layout of RFC 3629, written out independently of System.Text.</summary>
        private static int[] NaiveUtf8(string text)
        {
            var bytes = new List<int>();
            foreach (Rune rune in text.EnumerateRunes())
            {
                int c = rune.Value;
                if (c < 0x80)
                {
                    bytes.Add(c);
                }
                else if (c < 0x800)
                {
                    bytes.AddRange([0xC0 | (c >> 6), 0x80 | (c & 0x3F)]);
                }
                else if (c < 0x10000)
                {
                    bytes.AddRange([0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F)]);
                }
                else
                {
                    bytes.AddRange([0xF0 | (c >> 18), 0x80 | ((c >> 12) & 0x3F), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F)]);
                }
            }
            return [.. bytes];
        }

        [Fact]
        public void Ascii_is_one_token_per_character_and_round_trips()
        {
            string text = "It is a truth universally acknowledged,\n\"My dear Mr. Bennet\"\t~";
            int[] tokens = ByteEncoding.Encode(text);
            Assert.Equal(text.Length, tokens.Length);
            for (int i = 0; i < text.Length; i++)
            {
                Assert.Equal(text[i], tokens[i]);
            }
            Assert.Equal(text, ByteEncoding.Decode(tokens));
        }

        [Theory]
        [InlineData("é", new[] { 195, 169 })]
        [InlineData("€", new[] { 226, 130, 172 })]
        [InlineData("😀", new[] { 240, 159, 152, 128 })]
        [InlineData("a\u00A0b", new[] { 97, 194, 160, 98 })]
        public void Other_characters_are_their_utf8_bytes(string text, int[] expected)
        {
            Assert.Equal(expected, ByteEncoding.Encode(text));
            Assert.Equal(expected, ByteEncoding.Encode(Encoding.UTF8.GetBytes(text)));
            Assert.Equal(text, ByteEncoding.Decode(expected));
        }

        [Fact]
        public void Random_text_of_every_width_matches_a_naive_encoder_and_round_trips()
        {
            var rng = new Rng(11);
            var builder = new StringBuilder();
            for (int trial = 0; trial < 200; trial++)
            {
                builder.Clear();
                int length = rng.NextInt(40);
                for (int i = 0; i < length; i++)
                {
                    // Code points from every UTF-8 length, surrogates excluded.
                    int limit = new[] { 0x80, 0x800, 0x10000, 0x110000 }[rng.NextInt(4)];
                    int c;
                    do
                    {
                        c = rng.NextInt(limit);
                    }
                    while (c is >= 0xD800 and <= 0xDFFF);
                    builder.Append(char.ConvertFromUtf32(c));
                }
                string text = builder.ToString();
                int[] tokens = ByteEncoding.Encode(text);
                Assert.Equal(NaiveUtf8(text), tokens);
                Assert.All(tokens, t => Assert.InRange(t, 0, ByteEncoding.VocabularySize - 1));
                Assert.Equal(text, ByteEncoding.Decode(tokens));
            }
        }

        // Invalid UTF-8 becomes U+FFFD per maximal invalid subpart (Unicode §3.9, "U+FFFD substitution of maximal subparts").
        public static TheoryData<int[], string> InvalidSequences => new()
        {
            { [0x41, 0x80, 0x42], "A\uFFFDB" },                 // stray continuation byte
            { [0xC3], "\uFFFD" },                                // truncated at the end
            { [0xE2, 0x82, 0x41], "\uFFFDA" },                   // truncated 3-byte sequence, then ASCII
            { [0xF0, 0x9F, 0x98], "\uFFFD" },                    // truncated 4-byte sequence
            { [0xED, 0xA0, 0x80], "\uFFFD\uFFFD\uFFFD" },        // an encoded surrogate
            { [0xC0, 0xAF], "\uFFFD\uFFFD" },                    // overlong '/'
            { [0xFF, 0x61], "\uFFFDa" },                         // a byte UTF-8 never uses
            { [0xC3, 0xC3, 0xA9], "\uFFFDé" },                   // abandoned lead byte, then a valid é
        };

        [Theory]
        [MemberData(nameof(InvalidSequences))]
        public void Invalid_bytes_decode_to_replacement_characters(int[] tokens, string expected)
        {
            Assert.Equal(expected, ByteEncoding.Decode(tokens));
            Assert.Equal(expected, Stream(tokens));
        }

        [Fact]
        public void A_lone_surrogate_encodes_as_the_replacement_character()
        {
            Assert.Equal(new[] { 0x61, 0xEF, 0xBF, 0xBD }, ByteEncoding.Encode("a\uD800"));
        }

        [Theory]
        [InlineData(256)]
        [InlineData(-1)]
        public void Decoding_a_token_outside_the_vocabulary_throws_with_its_position_and_value(int token)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ByteEncoding.Decode([65, token]));
            Assert.Contains($"tokens[1] is {token}", e.Message);
            var decoder = new ByteDecoder();
            e = Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Append(token));
            Assert.Contains($"token is {token}", e.Message);
        }

        private static string Stream(ReadOnlySpan<int> tokens)
        {
            var decoder = new ByteDecoder();
            var text = new StringBuilder();
            foreach (int token in tokens)
            {
                text.Append(decoder.Append(token));
            }
            return text.Append(decoder.Flush()).ToString();
        }

        [Fact]
        public void Streaming_yields_each_character_when_its_last_byte_arrives()
        {
            var decoder = new ByteDecoder();
            Assert.Equal("A", decoder.Append(0x41));
            Assert.Equal("", decoder.Append(0xF0));
            Assert.Equal("", decoder.Append(0x9F));
            Assert.Equal("", decoder.Append(0x98));
            Assert.Equal("😀", decoder.Append(0x80));
            Assert.Equal("", decoder.Append(0xC3));
            Assert.Equal("\uFFFD", decoder.Flush());
            Assert.Equal("", decoder.Flush());
            Assert.Equal("", decoder.Append(0xE2));
            decoder.Reset();
            Assert.Equal("b", decoder.Append(0x62));
        }

        [Fact]
        public void Streaming_random_bytes_equals_decoding_them_at_once()
        {
            var rng = new Rng(5);
            Span<char> chars = stackalloc char[ByteDecoder.MaxCharsPerToken];
            for (int trial = 0; trial < 300; trial++)
            {
                int[] tokens = new int[rng.NextInt(30)];
                for (int i = 0; i < tokens.Length; i++)
                {
                    // Mostly bytes that make or break multi-byte sequences.
                    tokens[i] = rng.NextInt(4) == 0 ? rng.NextInt(128) : 128 + rng.NextInt(128);
                }
                var decoder = new ByteDecoder();
                var text = new StringBuilder();
                foreach (int token in tokens)
                {
                    int count = decoder.Append(token, chars);
                    Assert.InRange(count, 0, ByteDecoder.MaxCharsPerToken);
                    text.Append(chars[..count]);
                }
                text.Append(decoder.Flush());
                Assert.Equal(ByteEncoding.Decode(tokens), text.ToString());
            }
        }

        [Fact]
        public void Streaming_ascii_allocates_nothing()
        {
            var decoder = new ByteDecoder();
            decoder.Append('x');
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                decoder.Append(32 + i % 95);
            }
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }
}

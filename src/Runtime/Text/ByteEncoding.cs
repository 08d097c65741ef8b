using System;
using System.Text;

namespace NetGen.Text
{
    /// <summary>
    /// A fixed vocabulary of 256 symbols, one per byte of UTF-8: token <c>b</c> is the byte <c>b</c>. Every
    /// text encodes, whatever its alphabet, and a model trained on one text can read any other.
    /// </summary>
    /// <remarks>
    /// ASCII characters (U+0000–U+007F) are one token each. Any other character takes the 2 to 4 tokens of
    /// its UTF-8 form (é = <c>[195, 169]</c>, € = <c>[226, 130, 172]</c>, 😀 = 4 tokens), so a rare
    /// character costs a few steps of context rather than an unknown-token id. A model may generate a
    /// byte sequence that is not valid UTF-8 (a stray continuation byte, a truncated sequence, an
    /// encoded surrogate); <see cref="Decode"/> and <see cref="ByteDecoder"/> turn each maximal invalid
    /// part into U+FFFD (the Unicode replacement character) and never throw for it. In the other
    /// direction, a lone UTF-16 surrogate in a <see cref="string"/> encodes as U+FFFD (<c>[239, 191, 189]</c>).
    /// </remarks>
    public static class ByteEncoding
    {
        /// <summary>The number of distinct tokens: one per byte value, 0–255.</summary>
        public const int VocabularySize = 256;

        /// <summary>The tokens of <paramref name="text"/>: its UTF-8 bytes, one token each.</summary>
        public static int[] Encode(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            return Encode(Encoding.UTF8.GetBytes(text));
        }

        /// <summary>The tokens of UTF-8 bytes <paramref name="utf8"/>, one per byte (no validation: any byte is a token).</summary>
        public static int[] Encode(ReadOnlySpan<byte> utf8)
        {
            int[] tokens = new int[utf8.Length];
            for (int i = 0; i < utf8.Length; i++)
            {
                tokens[i] = utf8[i];
            }
            return tokens;
        }

        /// <summary>
        /// The text of <paramref name="tokens"/> read as UTF-8 bytes; invalid or incomplete sequences become
        /// U+FFFD. Throws <see cref="ArgumentOutOfRangeException"/> for a token outside [0, 256).
        /// </summary>
        public static string Decode(ReadOnlySpan<int> tokens)
        {
            byte[] bytes = new byte[tokens.Length];
            for (int i = 0; i < tokens.Length; i++)
            {
                bytes[i] = ToByte(tokens[i], "tokens", i);
            }
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>
        /// Token <paramref name="token"/> as its byte, or an exception naming <paramref name="paramName"/>
        /// (and <paramref name="position"/> in it, unless negative).
        /// </summary>
        internal static byte ToByte(int token, string paramName, int position = -1)
        {
            if ((uint)token >= VocabularySize)
            {
                string what = position < 0 ? paramName : $"{paramName}[{position}]";
                throw new ArgumentOutOfRangeException(paramName, token,
                    $"{what} is {token}; a byte token must be in [0, {VocabularySize}).");
            }
            return (byte)token;
        }
    }
}

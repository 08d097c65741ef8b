using System;
using System.Text;

namespace NetGen.Text
{
    /// <summary>
    /// Decodes <see cref="ByteEncoding"/> tokens one at a time, as a generator produces them: each token
    /// yields the characters it completes (none while a multi-byte character is still incomplete). The
    /// characters of a whole stream equal <see cref="ByteEncoding.Decode"/> of it, once <see cref="Flush()"/>
    /// has closed the stream; invalid sequences become U+FFFD, as there.
    /// </summary>
    public sealed class ByteDecoder
    {
        /// <summary>
        /// The most characters one token can complete: 2, either a surrogate pair (the last byte of a
        /// 4-byte character) or U+FFFD for an abandoned sequence followed by the new byte's own character.
        /// </summary>
        public const int MaxCharsPerToken = 2;

        // One-character strings of ASCII, so the common case allocates nothing.
        private static readonly string[] s_ascii = CreateAsciiStrings();

        private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
        private readonly char[] _chars = new char[4];
        private readonly byte[] _byte = new byte[1];

        /// <summary>
        /// Takes <paramref name="token"/> and writes the characters it completes to <paramref name="destination"/>
        /// (at least <see cref="MaxCharsPerToken"/> long); returns how many (0, 1 or 2).
        /// </summary>
        public int Append(int token, Span<char> destination)
        {
            int count = Push(token);
            if (destination.Length < count)
            {
                throw new ArgumentException(
                    $"destination has room for {destination.Length} characters; this token completes {count} (allow {MaxCharsPerToken}).",
                    nameof(destination));
            }
            _chars.AsSpan(0, count).CopyTo(destination);
            return count;
        }

        /// <summary>Takes <paramref name="token"/> and returns the characters it completes, or "" while a character is incomplete.</summary>
        public string Append(int token)
        {
            int count = Push(token);
            return count switch
            {
                0 => string.Empty,
                1 when _chars[0] < 128 => s_ascii[_chars[0]],
                _ => new string(_chars, 0, count),
            };
        }

        /// <summary>
        /// Ends the stream: returns U+FFFD if an incomplete sequence was pending (else ""), and starts afresh.
        /// </summary>
        public string Flush()
        {
            int count = _decoder.GetChars(ReadOnlySpan<byte>.Empty, _chars, flush: true);
            return count == 0 ? string.Empty : new string(_chars, 0, count);
        }

        /// <summary>Forgets any pending incomplete sequence without emitting it.</summary>
        public void Reset() => _decoder.Reset();

        private int Push(int token)
        {
            _byte[0] = ByteEncoding.ToByte(token, nameof(token));
            return _decoder.GetChars(_byte, _chars, flush: false);
        }

        private static string[] CreateAsciiStrings()
        {
            var strings = new string[128];
            for (int c = 0; c < strings.Length; c++)
            {
                strings[c] = ((char)c).ToString();
            }
            return strings;
        }
    }
}

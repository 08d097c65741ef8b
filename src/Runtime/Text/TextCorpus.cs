using System;
using System.IO;

namespace NetGen.Text
{
    /// <summary>
    /// Reads a text for a language model as <see cref="ByteEncoding"/> tokens (one per UTF-8 byte). A leading
    /// UTF-8 byte-order mark (EF BB BF) is dropped; nothing else is changed, line endings included.
    /// </summary>
    public static class TextCorpus
    {
        private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

        /// <summary>The tokens of the UTF-8 text file at <paramref name="path"/>.</summary>
        /// <exception cref="FileNotFoundException">there is no file at <paramref name="path"/>.</exception>
        /// <exception cref="InvalidDataException">the file is empty (or holds only a byte-order mark).</exception>
        public static int[] Load(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Text corpus not found: {Path.GetFullPath(path)}", path);
            }
            byte[] bytes = File.ReadAllBytes(path);
            ReadOnlySpan<byte> text = WithoutByteOrderMark(bytes);
            if (text.IsEmpty)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} is empty: a text corpus needs at least one character.");
            }
            return ByteEncoding.Encode(text);
        }

        /// <summary>
        /// The tokens of UTF-8 text <paramref name="utf8"/>, e.g. an embedded resource's bytes.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="utf8"/> is empty (or only a byte-order mark).</exception>
        public static int[] FromBytes(byte[] utf8)
        {
            ArgumentNullException.ThrowIfNull(utf8);
            ReadOnlySpan<byte> text = WithoutByteOrderMark(utf8);
            if (text.IsEmpty)
            {
                throw new ArgumentException("The text is empty: a text corpus needs at least one character.", nameof(utf8));
            }
            return ByteEncoding.Encode(text);
        }

        private static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> bytes) =>
            bytes.StartsWith(ByteOrderMark) ? bytes[ByteOrderMark.Length..] : bytes;
    }
}

using System;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO;
using System.IO.Compression;

namespace NetGen.Data
{
    /// <summary>An array read from an IDX file (the MNIST format): its shape and its unsigned bytes.</summary>
    public sealed class IdxArray
    {
        internal IdxArray(ImmutableArray<int> shape, byte[] data)
        {
            Shape = shape;
            Data = data;
        }

        /// <summary>Dimensions, outermost first: <c>[count, rows, columns]</c> for images, <c>[count]</c> for labels.</summary>
        public ImmutableArray<int> Shape { get; }

        /// <summary>The elements in row-major order.</summary>
        public byte[] Data { get; }
    }

    /// <summary>
    /// Reads IDX files of unsigned bytes, raw or gzip-compressed (detected from the first bytes).
    /// Malformed input raises <see cref="InvalidDataException"/> naming what is wrong; nothing is
    /// allocated from a length the file has not yet backed with data.
    /// </summary>
    public static class Idx
    {
        /// <summary>The largest element count accepted (the array must fit one .NET array).</summary>
        public const long MaxElements = 1L << 30;

        /// <summary>Reads the file at <paramref name="path"/>.</summary>
        public static IdxArray Read(string path)
        {
            using FileStream stream = File.OpenRead(path);
            try
            {
                return Read(stream);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
        }

        /// <summary>Reads an IDX array from <paramref name="stream"/>, decompressing it if it is gzip.</summary>
        public static IdxArray Read(Stream stream)
        {
            ArgumentNullException.ThrowIfNull(stream);
            var buffered = new BufferedStream(stream);
            Span<byte> head = stackalloc byte[4];
            int got = ReadUpTo(buffered, head);
            Stream body = buffered;
            if (got >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                // gzip: replay the two bytes already read, then read the magic from the decompressed data.
                body = new GZipStream(new PrefixedStream(head.Slice(0, got).ToArray(), buffered), CompressionMode.Decompress);
                got = ReadUpTo(body, head);
            }
            try
            {
                return ReadBody(body, head.Slice(0, got));
            }
            finally
            {
                if (!ReferenceEquals(body, buffered))
                {
                    body.Dispose();
                }
            }
        }

        private static IdxArray ReadBody(Stream body, ReadOnlySpan<byte> magic)
        {
            if (magic.Length < 4)
            {
                throw new InvalidDataException($"File too short for the IDX magic number: {magic.Length} of 4 bytes.");
            }
            if (magic[0] != 0 || magic[1] != 0)
            {
                throw new InvalidDataException(
                    $"Bad IDX magic number 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}: the first two bytes must be zero.");
            }
            if (magic[2] != 0x08)
            {
                throw new InvalidDataException(
                    $"IDX element type 0x{magic[2]:X2} is not supported; only unsigned bytes (0x08) are.");
            }
            int rank = magic[3];
            if (rank == 0)
            {
                throw new InvalidDataException("IDX rank is 0: an IDX array needs at least one dimension.");
            }

            Span<byte> dimBytes = stackalloc byte[4];
            var shape = ImmutableArray.CreateBuilder<int>(rank);
            long count = 1;
            for (int d = 0; d < rank; d++)
            {
                if (ReadUpTo(body, dimBytes) != 4)
                {
                    throw new InvalidDataException($"IDX header truncated: dimension {d} of {rank} is missing.");
                }
                int size = BinaryPrimitives.ReadInt32BigEndian(dimBytes);
                if (size < 0)
                {
                    throw new InvalidDataException($"IDX dimension {d} is negative ({size}).");
                }
                shape.Add(size);
                count *= size;
                if (count > MaxElements)
                {
                    throw new InvalidDataException($"IDX array too large: over {MaxElements} elements.");
                }
            }

            byte[] data = ReadExactly(body, (int)count);
            if (body.ReadByte() != -1)
            {
                throw new InvalidDataException($"IDX file has data past its {count} elements.");
            }
            return new IdxArray(shape.MoveToImmutable(), data);
        }

        // Grows the buffer as data actually arrives, so a header claiming a huge array in a small
        // file fails on the missing data instead of allocating for it.
        private static byte[] ReadExactly(Stream body, int count)
        {
            byte[] data = new byte[Math.Min(count, 1 << 20)];
            int filled = 0;
            while (filled < count)
            {
                if (filled == data.Length)
                {
                    Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
                }
                int read = body.Read(data, filled, data.Length - filled);
                if (read == 0)
                {
                    throw new InvalidDataException($"IDX data truncated: {filled} of {count} elements present.");
                }
                filled += read;
            }
            return data;
        }

        private static int ReadUpTo(Stream stream, Span<byte> buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int read = stream.Read(buffer.Slice(total));
                if (read == 0)
                {
                    break;
                }
                total += read;
            }
            return total;
        }

        /// <summary>Replays bytes already read, then the rest of the stream.</summary>
        private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
        {
            private int _position;

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

            public override int Read(Span<byte> buffer)
            {
                if (_position < prefix.Length)
                {
                    int n = Math.Min(buffer.Length, prefix.Length - _position);
                    prefix.AsSpan(_position, n).CopyTo(buffer);
                    _position += n;
                    return n;
                }
                return rest.Read(buffer);
            }
        }
    }
}

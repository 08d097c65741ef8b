using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace NetGen.Export.Onnx
{
    /// <summary>
    /// The protocol-buffers wire format, as much of it as an ONNX model needs: varints (wire type 0),
    /// 32-bit values (wire type 5) and length-delimited bytes, strings and nested messages (wire type 2).
    /// A nested message is written into a writer of its own, then copied behind its length.
    /// </summary>
    internal sealed class ProtoWriter
    {
        private const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;

        private readonly MemoryStream _bytes = new();

        /// <summary>The bytes written so far.</summary>
        public long Length => _bytes.Length;

        /// <summary>An integer field (int32, int64 and enums are all varints; negative values take ten bytes).</summary>
        public void Int(int field, long value)
        {
            Tag(field, Varint);
            WriteVarint(unchecked((ulong)value));
        }

        /// <summary>A float field (wire type 5, little-endian).</summary>
        public void Float(int field, float value)
        {
            Tag(field, Fixed32);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            _bytes.Write(bytes);
        }

        /// <summary>A string field, UTF-8.</summary>
        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        /// <summary>A bytes field.</summary>
        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            Tag(field, LengthDelimited);
            WriteVarint((ulong)value.Length);
            _bytes.Write(value);
        }

        /// <summary>A repeated integer field, packed (one length-delimited run of varints); nothing when empty.</summary>
        public void PackedInts(int field, ReadOnlySpan<long> values)
        {
            if (values.IsEmpty)
            {
                return;
            }
            var run = new ProtoWriter();
            foreach (long v in values)
            {
                run.WriteVarint(unchecked((ulong)v));
            }
            Bytes(field, run.Written);
        }

        /// <summary>A nested message: <paramref name="body"/> writes its fields.</summary>
        public void Message(int field, Action<ProtoWriter> body)
        {
            var nested = new ProtoWriter();
            body(nested);
            Bytes(field, nested.Written);
        }

        /// <summary>Copies everything written to <paramref name="stream"/>.</summary>
        public void CopyTo(Stream stream) => stream.Write(Written);

        private ReadOnlySpan<byte> Written => _bytes.GetBuffer().AsSpan(0, checked((int)_bytes.Length));

        private void Tag(int field, int wireType) => WriteVarint((ulong)(((uint)field << 3) | (uint)wireType));

        private void WriteVarint(ulong value)
        {
            Span<byte> bytes = stackalloc byte[10];
            int n = 0;
            while (value >= 0x80)
            {
                bytes[n++] = (byte)(value | 0x80);
                value >>= 7;
            }
            bytes[n++] = (byte)value;
            _bytes.Write(bytes.Slice(0, n));
        }
    }
}

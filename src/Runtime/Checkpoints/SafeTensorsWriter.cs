using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Runtime.InteropServices;

namespace NetGen.Checkpoints
{
    /// <summary>
    /// Collects F32 tensors (copied when added, so the file is a snapshot) and writes them as one
    /// safetensors file. <see cref="Save"/> is atomic: it writes <c>{target}.tmp</c> in the target's directory,
    /// flushes it to disk, then renames it over the target, so a crash mid-save leaves the previous file intact
    /// and no more than that one temporary file, which the next save of the target reuses.
    /// </summary>
    public sealed class SafeTensorsWriter
    {
        private readonly List<(string Name, ImmutableArray<int> Shape, float[] Data)> _tensors = new();
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        /// <summary>Tests only: runs between writing the temporary file and renaming it (to simulate a crash there).</summary>
        internal Action<string>? BeforeCommit { get; set; }

        /// <summary>String metadata written as <c>__metadata__</c>.</summary>
        public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

        /// <summary>Adds tensor <paramref name="name"/> of <paramref name="shape"/>, copying <paramref name="data"/>.</summary>
        public void Add(string name, ImmutableArray<int> shape, ReadOnlySpan<float> data)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (name == "__metadata__")
            {
                throw new ArgumentException("\"__metadata__\" is reserved.", nameof(name));
            }
            long count = 1;
            foreach (int d in shape)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
                count *= d;
            }
            if (count != data.Length)
            {
                throw new ArgumentException($"Tensor \"{name}\" of shape [{string.Join(", ", shape)}] needs {count} values; got {data.Length}.", nameof(data));
            }
            if (!_names.Add(name))
            {
                throw new ArgumentException($"Tensor \"{name}\" was already added.", nameof(name));
            }
            _tensors.Add((name, shape, data.ToArray()));
        }

        /// <summary>Writes the file to <paramref name="stream"/>.</summary>
        public void WriteTo(Stream stream)
        {
            ArgumentNullException.ThrowIfNull(stream);
            var entries = new List<(string, ImmutableArray<int>, long, long)>(_tensors.Count);
            long offset = 0;
            foreach ((string name, ImmutableArray<int> shape, float[] data) in _tensors)
            {
                long bytes = (long)data.Length * sizeof(float);
                entries.Add((name, shape, offset, offset + bytes));
                offset += bytes;
            }
            byte[] header = SafeTensorsFile.EncodeHeader(entries, Metadata);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach ((_, _, float[] data) in _tensors)
            {
                float[] output = data;
                if (!BitConverter.IsLittleEndian)
                {
                    output = (float[])data.Clone();
                    Span<int> bits = MemoryMarshal.Cast<float, int>(output.AsSpan());
                    BinaryPrimitives.ReverseEndianness(bits, bits);
                }
                stream.Write(MemoryMarshal.AsBytes(output.AsSpan()));
            }
        }

        /// <summary>
        /// Writes the file to <paramref name="path"/> atomically and durably: to <c>{path}.tmp</c>, flushed to disk,
        /// renamed over <paramref name="path"/>, then the directory flushed (Linux). A save killed at any point leaves
        /// the previous file loadable and at most that one temporary file, which the next save reuses.
        /// </summary>
        public void Save(string path) => DurableFile.Replace(path, WriteTo, BeforeCommit);
    }
}

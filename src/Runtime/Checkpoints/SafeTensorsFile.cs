using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace NetGen.Checkpoints
{
    /// <summary>One tensor listed in a safetensors header: its dtype, shape and byte range in the data section.</summary>
    public sealed class SafeTensorInfo
    {
        internal SafeTensorInfo(string name, string dtype, ImmutableArray<long> shape, long begin, long end)
        {
            Name = name;
            DType = dtype;
            Shape = shape;
            Begin = begin;
            End = end;
        }

        /// <summary>The tensor's key, e.g. <c>hidden.weight</c>.</summary>
        public string Name { get; }

        /// <summary>The safetensors dtype, e.g. <c>F32</c>.</summary>
        public string DType { get; }

        /// <summary>Dimensions, outermost first.</summary>
        public ImmutableArray<long> Shape { get; }

        /// <summary>First byte, relative to the start of the data section.</summary>
        public long Begin { get; }

        /// <summary>One past the last byte, relative to the start of the data section.</summary>
        public long End { get; }

        /// <summary>Number of elements.</summary>
        public long ElementCount
        {
            get
            {
                long n = 1;
                foreach (long d in Shape)
                {
                    n *= d;
                }
                return n;
            }
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Name} {DType} [{string.Join(", ", Shape)}]";
    }

    /// <summary>
    /// A safetensors file opened for reading (the format of Hugging Face's <c>safetensors</c>: an 8-byte
    /// little-endian header length, a JSON header mapping names to dtype, shape and <c>data_offsets</c>, an
    /// optional <c>__metadata__</c> map of strings, then the raw little-endian data). Opening validates the
    /// whole header against the file before anything is read from the data section: the header length is
    /// checked against the file length before it is allocated, offsets must lie inside the file, match
    /// their dtype and shape, and tile the data section exactly (no gap, no overlap, nothing after).
    /// Every violation raises <see cref="InvalidDataException"/> naming the tensor.
    /// </summary>
    public sealed class SafeTensorsFile : IDisposable
    {
        /// <summary>The largest header accepted (the reference implementation's limit).</summary>
        public const long MaxHeaderLength = 100_000_000;

        private static readonly Dictionary<string, int> DTypeSizes = new(StringComparer.Ordinal)
        {
            ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
            ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
            ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
            ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
        };

        private readonly Stream _stream;
        private readonly bool _ownsStream;
        private readonly long _dataStart;
        private readonly Dictionary<string, SafeTensorInfo> _byName;

        private SafeTensorsFile(Stream stream, bool ownsStream, long dataStart, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata, string source)
        {
            _stream = stream;
            _ownsStream = ownsStream;
            _dataStart = dataStart;
            Tensors = tensors;
            Metadata = metadata;
            Source = source;
            _byName = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            foreach (SafeTensorInfo t in tensors)
            {
                _byName[t.Name] = t;
            }
        }

        /// <summary>The tensors, in the order of their data.</summary>
        public IReadOnlyList<SafeTensorInfo> Tensors { get; }

        /// <summary>The <c>__metadata__</c> strings (empty if absent).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>The file name (or "stream"), used in messages.</summary>
        public string Source { get; }

        /// <summary>Opens and validates the file at <paramref name="path"/>.</summary>
        public static SafeTensorsFile Open(string path)
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            try
            {
                return Open(stream, ownsStream: true, Path.GetFileName(path));
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        /// <summary>Validates a seekable <paramref name="stream"/>; it is disposed with this object only if <paramref name="ownsStream"/>.</summary>
        public static SafeTensorsFile Open(Stream stream, bool ownsStream = false, string source = "stream")
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanSeek || !stream.CanRead)
            {
                throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
            }
            long fileLength = stream.Length;
            if (fileLength < 8)
            {
                throw Invalid(source, $"the file is {fileLength} bytes; a safetensors file starts with an 8-byte header length.");
            }
            Span<byte> prefix = stackalloc byte[8];
            stream.Position = 0;
            stream.ReadExactly(prefix);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)(fileLength - 8))
            {
                throw Invalid(source, $"the header length {headerLength} runs past the end of the file ({fileLength} bytes): truncated or not a safetensors file.");
            }
            if (headerLength > MaxHeaderLength)
            {
                throw Invalid(source, $"the header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes.");
            }
            if (headerLength < 2)
            {
                throw Invalid(source, $"the header length {headerLength} is too short for a JSON object.");
            }
            byte[] header = new byte[(int)headerLength];
            stream.ReadExactly(header);
            long dataStart = 8 + (long)headerLength;
            long dataLength = fileLength - dataStart;
            (List<SafeTensorInfo> tensors, Dictionary<string, string> metadata) = ParseHeader(header, source);
            CheckLayout(tensors, dataLength, source);
            return new SafeTensorsFile(stream, ownsStream, dataStart, tensors, metadata, source);
        }

        /// <summary>Whether the file has a tensor <paramref name="name"/>, and its description.</summary>
        public bool TryGetTensor(string name, out SafeTensorInfo info) => _byName.TryGetValue(name, out info!);

        /// <summary>Reads F32 tensor <paramref name="name"/> into <paramref name="destination"/>, which must hold exactly its elements.</summary>
        public void ReadFloat32(string name, Span<float> destination)
        {
            if (!TryGetTensor(name, out SafeTensorInfo info))
            {
                throw Invalid(Source, $"there is no tensor \"{name}\".");
            }
            if (info.DType != "F32")
            {
                throw Invalid(Source, $"tensor \"{name}\" is {info.DType}; F32 is expected.");
            }
            if (info.ElementCount != destination.Length)
            {
                throw new ArgumentException($"Tensor \"{name}\" has {info.ElementCount} elements; the destination holds {destination.Length}.", nameof(destination));
            }
            _stream.Position = _dataStart + info.Begin;
            _stream.ReadExactly(MemoryMarshal.AsBytes(destination));
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> bits = MemoryMarshal.Cast<float, int>(destination);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
        }

        /// <summary>Reads F32 tensor <paramref name="name"/> into a new array (sized from the validated header).</summary>
        public float[] ReadFloat32(string name)
        {
            if (!TryGetTensor(name, out SafeTensorInfo info))
            {
                throw Invalid(Source, $"there is no tensor \"{name}\".");
            }
            if (info.ElementCount > Array.MaxLength)
            {
                throw Invalid(Source, $"tensor \"{name}\" has {info.ElementCount} elements, more than one array holds.");
            }
            float[] values = new float[info.ElementCount];
            ReadFloat32(name, values);
            return values;
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            if (_ownsStream)
            {
                _stream.Dispose();
            }
        }

        /// <summary>Bytes per element of a safetensors dtype, or 0 if unknown.</summary>
        public static int DTypeSize(string dtype) => DTypeSizes.TryGetValue(dtype, out int size) ? size : 0;

        private static (List<SafeTensorInfo>, Dictionary<string, string>) ParseHeader(byte[] header, string source)
        {
            if (header[0] != (byte)'{')
            {
                throw Invalid(source, "the header does not start with '{': not a safetensors file.");
            }
            if (!System.Text.Unicode.Utf8.IsValid(header))
            {
                throw Invalid(source, "the header is not valid UTF-8.");
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{source}: the header is not valid JSON ({e.Message})", e);
            }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid(source, "the header is not a JSON object.");
                }
                var tensors = new List<SafeTensorInfo>();
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        throw Invalid(source, $"\"{property.Name}\" appears twice in the header.");
                    }
                    if (property.Name == "__metadata__")
                    {
                        ParseMetadata(property.Value, metadata, source);
                        continue;
                    }
                    tensors.Add(ParseTensor(property.Name, property.Value, source));
                }
                return (tensors, metadata);
            }
        }

        private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, "__metadata__ must be an object of strings.");
            }
            foreach (JsonProperty entry in value.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    throw Invalid(source, $"__metadata__ entry \"{entry.Name}\" is not a string.");
                }
                metadata[entry.Name] = entry.Value.GetString()!;
            }
        }

        private static SafeTensorInfo ParseTensor(string name, JsonElement value, string source)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, $"tensor \"{name}\": expected an object with dtype, shape and data_offsets.");
            }
            if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"tensor \"{name}\" has no string dtype.");
            }
            string dtype = dtypeElement.GetString()!;
            int size = DTypeSize(dtype);
            if (size == 0)
            {
                throw Invalid(source, $"tensor \"{name}\" has unknown dtype \"{dtype}\".");
            }
            if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(source, $"tensor \"{name}\" has no shape array.");
            }
            var shape = ImmutableArray.CreateBuilder<long>();
            long count = 1;
            foreach (JsonElement d in shapeElement.EnumerateArray())
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                {
                    throw Invalid(source, $"tensor \"{name}\": shape entries must be non-negative integers; got {d.GetRawText()}.");
                }
                shape.Add(dim);
                count = dim == 0 || count == 0 ? 0 : (count > long.MaxValue / dim ? -1 : count * dim);
                if (count < 0)
                {
                    throw Invalid(source, $"tensor \"{name}\": shape [{string.Join(", ", shape)}…] overflows.");
                }
            }
            if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            {
                throw Invalid(source, $"tensor \"{name}\" has no data_offsets [begin, end].");
            }
            long begin = 0, end = 0;
            if (offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
                || !offsets[0].TryGetInt64(out begin) || !offsets[1].TryGetInt64(out end) || begin < 0 || end < begin)
            {
                throw Invalid(source, $"tensor \"{name}\": data_offsets {offsets.GetRawText()} must be integers with 0 ≤ begin ≤ end.");
            }
            if (count > long.MaxValue / size || end - begin != count * size)
            {
                throw Invalid(source,
                    $"tensor \"{name}\": data_offsets [{begin}, {end}] hold {end - begin} bytes; {dtype} of shape [{string.Join(", ", shape)}] needs {(count > long.MaxValue / size ? "more than fit" : (count * size).ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
            }
            return new SafeTensorInfo(name, dtype, shape.ToImmutable(), begin, end);
        }

        private static void CheckLayout(List<SafeTensorInfo> tensors, long dataLength, string source)
        {
            tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            string? previous = null;
            foreach (SafeTensorInfo t in tensors)
            {
                if (t.End > dataLength)
                {
                    throw Invalid(source, $"tensor \"{t.Name}\" needs data bytes [{t.Begin}, {t.End}) but the data section has {dataLength} bytes: the file is truncated.");
                }
                if (t.Begin != expected)
                {
                    throw Invalid(source, t.Begin < expected
                        ? $"tensor \"{t.Name}\" at [{t.Begin}, {t.End}) overlaps \"{previous}\", which ends at {expected}."
                        : $"tensor \"{t.Name}\" starts at {t.Begin} but {(previous is null ? "the data starts at 0" : $"\"{previous}\" ends at {expected}")}: offsets must be contiguous.");
                }
                expected = t.End;
                previous = t.Name;
            }
            if (expected != dataLength)
            {
                throw Invalid(source, $"the tensors end at byte {expected} of the data section, which has {dataLength} bytes: extra data after the last tensor.");
            }
        }

        private static InvalidDataException Invalid(string source, string message) => new($"{source}: {message}");

        internal static byte[] EncodeHeader(IReadOnlyList<(string Name, ImmutableArray<int> Shape, long Begin, long End)> tensors, IReadOnlyDictionary<string, string>? metadata)
        {
            var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                if (metadata is { Count: > 0 })
                {
                    json.WriteStartObject("__metadata__");
                    foreach (KeyValuePair<string, string> entry in metadata)
                    {
                        json.WriteString(entry.Key, entry.Value);
                    }
                    json.WriteEndObject();
                }
                foreach ((string name, ImmutableArray<int> shape, long begin, long end) in tensors)
                {
                    json.WriteStartObject(name);
                    json.WriteString("dtype", "F32");
                    json.WriteStartArray("shape");
                    foreach (int d in shape)
                    {
                        json.WriteNumberValue(d);
                    }
                    json.WriteEndArray();
                    json.WriteStartArray("data_offsets");
                    json.WriteNumberValue(begin);
                    json.WriteNumberValue(end);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
            while ((buffer.Length + 8) % 8 != 0)
            {
                buffer.WriteByte((byte)' ');
            }
            return buffer.ToArray();
        }
    }
}

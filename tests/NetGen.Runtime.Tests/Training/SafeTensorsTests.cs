using System;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Checkpoints;

namespace NetGen.Runtime.Tests.Training
{
    public class SafeTensorsTests
    {
        /// <summary>A file with the given JSON header (padded) and data bytes.</summary>
        internal static byte[] File(string header, int dataBytes, ulong? headerLength = null)
        {
            byte[] json = Encoding.UTF8.GetBytes(header);
            var file = new byte[8 + json.Length + dataBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(file, headerLength ?? (ulong)json.Length);
            json.CopyTo(file, 8);
            for (int i = 0; i < dataBytes; i++)
            {
                file[8 + json.Length + i] = (byte)(i * 7);
            }
            return file;
        }

        private static string Refused(byte[] file) =>
            Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(new MemoryStream(file), source: "t.safetensors")).Message;

        [Fact]
        public void Round_trip_is_bit_for_bit_with_metadata_and_8_byte_aligned_data()
        {
            float[] a = [1.5f, -0f, float.Epsilon, float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC00001), 3];
            float[] b = [42];
            var writer = new SafeTensorsWriter();
            writer.Metadata["format"] = "pt";
            writer.Metadata["note"] = "ünïcode \"quoted\"";
            writer.Add("layer.weight", ImmutableArray.Create(2, 3), a);
            writer.Add("layer.bias", ImmutableArray.Create(1), b);
            var stream = new MemoryStream();
            writer.WriteTo(stream);
            byte[] bytes = stream.ToArray();
            Assert.Equal(0, (8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes)) % 8);

            using SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(bytes));
            Assert.Equal("pt", file.Metadata["format"]);
            Assert.Equal("ünïcode \"quoted\"", file.Metadata["note"]);
            Assert.Equal(["layer.weight", "layer.bias"], file.Tensors.Select(t => t.Name));
            Assert.True(file.TryGetTensor("layer.weight", out SafeTensorInfo info));
            Assert.Equal("F32", info.DType);
            Assert.Equal(new long[] { 2, 3 }, info.Shape.ToArray());
            float[] read = file.ReadFloat32("layer.weight");
            Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(b, file.ReadFloat32("layer.bias"));
        }

        [Fact]
        public void Other_dtypes_and_empty_tensors_are_accepted_when_listing()
        {
            byte[] bytes = File("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"e\":{\"dtype\":\"I64\",\"shape\":[0,4],\"data_offsets\":[6,6]}}", 6);
            using SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(bytes));
            Assert.Equal(2, file.Tensors.Count);
            Assert.Contains("is F16; F32 is expected", Assert.Throws<InvalidDataException>(() => file.ReadFloat32("a")).Message);
        }

        public static TheoryData<string, byte[], string> Corruptions() => new()
        {
            { "shorter than the length prefix", new byte[5], "the file is 5 bytes" },
            { "header length past the end", File("{}", 0, headerLength: 100), "header length 100 runs past the end of the file (10 bytes)" },
            { "huge header length", File("{}", 0, headerLength: ulong.MaxValue), "runs past the end" },
            { "not JSON", File("{\"a\":", 0), "not valid JSON" },
            { "not UTF-8", File("{\"\u00ff\":1}", 0).Select(b => b == 0xC3 ? (byte)0xFF : b).ToArray(), "not valid UTF-8" },
            { "not starting with a brace", File("[1, 2]", 0), "does not start with '{'" },
            { "not an object", File("{\"a\":[1]}", 0), "tensor \"a\": expected an object" },
            { "no dtype", File("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor \"a\" has no string dtype" },
            { "unknown dtype", File("{\"a\":{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "unknown dtype \"F7\"" },
            { "negative dimension", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "shape entries must be non-negative integers" },
            { "overflowing shape", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4), "overflows" },
            { "offsets not numbers", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", 4), "data_offsets [\"0\",4] must be integers" },
            { "offsets reversed", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4), "0 ≤ begin ≤ end" },
            { "size disagrees with shape", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "hold 4 bytes; F32 of shape [2] needs 8" },
            { "truncated data", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 5), "needs data bytes [0, 8) but the data section has 5 bytes: the file is truncated" },
            { "offsets outside the file", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[1000000,1000004]}}", 4), "the file is truncated" },
            { "gap before the first tensor", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "starts at 4 but the data starts at 0" },
            { "overlapping tensors", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlaps \"a\"" },
            { "gap between tensors", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "\"b\" starts at 8 but \"a\" ends at 4" },
            { "bytes after the last tensor", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9), "extra data after the last tensor" },
            { "duplicate names", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "\"a\" appears twice" },
            { "metadata not strings", File("{\"__metadata__\":{\"x\":1}}", 0), "entry \"x\" is not a string" },
        };

        [Theory]
        [MemberData(nameof(Corruptions))]
        public void Corrupt_files_are_refused_with_what_is_wrong(string what, byte[] file, string message)
        {
            string error = Refused(file);
            Assert.True(error.Contains(message, StringComparison.Ordinal), $"{what}: expected \"{message}\" in \"{error}\"");
            Assert.StartsWith("t.safetensors: ", error);
        }

        [Fact]
        public void Save_replaces_the_file_atomically_and_a_crash_before_the_rename_keeps_the_old_one()
        {
            using var dir = new TempDirectory();
            string path = dir.File("model.safetensors");
            var first = new SafeTensorsWriter();
            first.Add("w", ImmutableArray.Create(1), [1f]);
            first.Save(path);

            var second = new SafeTensorsWriter { BeforeCommit = _ => throw new IOException("simulated crash") };
            second.Add("w", ImmutableArray.Create(1), [2f]);
            Assert.Throws<IOException>(() => second.Save(path));
            using (SafeTensorsFile file = SafeTensorsFile.Open(path))
            {
                Assert.Equal([1f], file.ReadFloat32("w"));
            }
            Assert.Equal(["model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));

            second.BeforeCommit = null;
            second.Save(path);
            using SafeTensorsFile replaced = SafeTensorsFile.Open(path);
            Assert.Equal([2f], replaced.ReadFloat32("w"));
            Assert.Single(Directory.GetFiles(dir.Path));
        }
    }
}

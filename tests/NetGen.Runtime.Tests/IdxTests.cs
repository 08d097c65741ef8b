using System;
using System.IO;
using System.IO.Compression;
using NetGen.Data;

namespace NetGen.Runtime.Tests
{
    public class IdxTests
    {
        private static byte[] Idx(byte type, int[] dims, int dataLength)
        {
            var stream = new MemoryStream();
            stream.Write([0, 0, type, (byte)dims.Length]);
            foreach (int d in dims)
            {
                stream.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
            }
            for (int i = 0; i < dataLength; i++)
            {
                stream.WriteByte((byte)i);
            }
            return stream.ToArray();
        }

        private static byte[] Gzip(byte[] raw)
        {
            var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(raw);
            }
            return output.ToArray();
        }

        [Fact]
        public void Raw_and_gzip_files_read_the_same()
        {
            byte[] raw = Idx(0x08, [3, 2, 2], 12);
            foreach (byte[] file in new[] { raw, Gzip(raw) })
            {
                IdxArray array = NetGen.Data.Idx.Read(new MemoryStream(file));
                Assert.Equal(new[] { 3, 2, 2 }, array.Shape);
                Assert.Equal(11, array.Data[11]);
            }
        }

        [Theory]
        [InlineData(new byte[] { 0, 0 }, "too short")]
        [InlineData(new byte[] { 1, 0, 8, 1, 0, 0, 0, 1, 5 }, "Bad IDX magic number")]
        [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 5 }, "element type 0x0D")]
        [InlineData(new byte[] { 0, 0, 8, 0 }, "rank is 0")]
        [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 1 }, "dimension 1 of 2 is missing")]
        [InlineData(new byte[] { 0, 0, 8, 1, 0x80, 0, 0, 0 }, "negative")]
        [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 4, 1, 2 }, "truncated: 2 of 4")]
        [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 1, 2 }, "past its 1 elements")]
        [InlineData(new byte[] { 0, 0, 8, 3, 0x7F, 0, 0, 0, 0x7F, 0, 0, 0, 0x7F, 0, 0, 0 }, "too large")]
        public void Malformed_files_are_refused_with_what_is_wrong(byte[] file, string message)
        {
            foreach (byte[] variant in new[] { file, Gzip(file) })
            {
                var e = Assert.Throws<InvalidDataException>(() => NetGen.Data.Idx.Read(new MemoryStream(variant)));
                Assert.Contains(message, e.Message);
            }
        }

        [Fact]
        public void A_header_claiming_a_huge_array_does_not_allocate_for_it()
        {
            byte[] file = Idx(0x08, [1 << 29], 100);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<InvalidDataException>(() => NetGen.Data.Idx.Read(new MemoryStream(file)));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, "allocated more than 8 MB for a 100-byte file");
        }

        [Fact]
        public void Corrupt_gzip_is_an_invalid_data_exception()
        {
            byte[] gz = Gzip(Idx(0x08, [100], 100));
            gz[gz.Length / 2] ^= 0xFF;
            gz[gz.Length / 2 + 1] ^= 0xFF;
            Assert.ThrowsAny<InvalidDataException>(() => NetGen.Data.Idx.Read(new MemoryStream(gz)));
        }
    }
}

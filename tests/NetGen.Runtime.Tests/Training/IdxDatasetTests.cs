using System;
using System.IO;
using System.IO.Compression;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    public class IdxDatasetTests
    {
        internal static byte[] IdxFile(int[] dims, Func<int, byte> value, int? dataLength = null, byte[]? magic = null)
        {
            var stream = new MemoryStream();
            stream.Write(magic ?? [0, 0, 0x08, (byte)dims.Length]);
            long count = 1;
            foreach (int d in dims)
            {
                stream.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
                count *= d;
            }
            for (int i = 0; i < (dataLength ?? count); i++)
            {
                stream.WriteByte(value(i));
            }
            return stream.ToArray();
        }

        internal static byte[] Gzip(byte[] raw)
        {
            var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(raw);
            }
            return output.ToArray();
        }

        private static void WriteSet(string dir, string prefix, int count, bool gzip, int? labelCount = null)
        {
            byte[] images = IdxFile([count, 2, 3], i => (byte)(i % 256));
            byte[] labels = IdxFile([labelCount ?? count], i => (byte)(i % 10));
            string suffix = gzip ? ".gz" : "";
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{suffix}"), gzip ? Gzip(images) : images);
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{suffix}"), gzip ? Gzip(labels) : labels);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_directory_in_the_mnist_layout_loads_as_train_and_test(bool gzip)
        {
            using var dir = new TempDirectory();
            WriteSet(dir.Path, "train", 5, gzip);
            WriteSet(dir.Path, "t10k", 3, gzip);
            (Dataset<int> train, Dataset<int> test) = IdxDataset.Load(dir.Path, classNames: IdxDataset.FashionMnistClasses);
            Assert.Equal(5, train.Count);
            Assert.Equal(3, test.Count);
            Assert.Equal(6, train.FeatureSize);
            Assert.Equal(7 / 255f, train.FeaturesOf(1)[1]);
            Assert.Equal(4, train.TargetsOf(4)[0]);
            Assert.Equal("Trouser", test.ClassNames![1]);
        }

        [Fact]
        public void Pixels_keep_their_values_when_divided_by_one()
        {
            using var dir = new TempDirectory();
            WriteSet(dir.Path, "train", 2, gzip: false);
            Dataset<int> raw = IdxDataset.Load(dir.File("train-images-idx3-ubyte"), dir.File("train-labels-idx1-ubyte"), divideBy: 1);
            Assert.Equal(11f, raw.FeaturesOf(1)[5]);
        }

        [Fact]
        public void Image_and_label_counts_must_match()
        {
            using var dir = new TempDirectory();
            WriteSet(dir.Path, "train", 4, gzip: true, labelCount: 3);
            var e = Assert.Throws<InvalidDataException>(() =>
                IdxDataset.Load(dir.File("train-images-idx3-ubyte.gz"), dir.File("train-labels-idx1-ubyte.gz")));
            Assert.Contains("4 images but 3 labels", e.Message);
        }

        [Fact]
        public void Bad_magic_and_truncated_data_name_the_file()
        {
            using var dir = new TempDirectory();
            WriteSet(dir.Path, "train", 2, gzip: false);
            File.WriteAllBytes(dir.File("bad-magic"), IdxFile([2, 2, 3], i => 0, magic: [0x1F, 0, 8, 3]));
            var bad = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(dir.File("bad-magic"), dir.File("train-labels-idx1-ubyte")));
            Assert.Contains("bad-magic", bad.Message);
            Assert.Contains("magic", bad.Message);

            File.WriteAllBytes(dir.File("short.gz"), Gzip(IdxFile([2, 2, 3], i => 1, dataLength: 7)));
            var truncated = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(dir.File("short.gz"), dir.File("train-labels-idx1-ubyte")));
            Assert.Contains("truncated: 7 of 12", truncated.Message);
        }

        [Fact]
        public void Missing_files_say_which()
        {
            using var dir = new TempDirectory();
            WriteSet(dir.Path, "train", 2, gzip: false);
            var e = Assert.Throws<FileNotFoundException>(() => IdxDataset.Load(dir.Path));
            Assert.Contains("t10k-images-idx3-ubyte", e.Message);
            Assert.Throws<DirectoryNotFoundException>(() => IdxDataset.Load(dir.File("nowhere")));
        }
    }
}

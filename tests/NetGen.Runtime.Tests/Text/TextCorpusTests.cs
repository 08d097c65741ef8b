using System;
using System.IO;
using System.Text;
using NetGen.Runtime.Tests.Training;
using NetGen.Text;

namespace NetGen.Runtime.Tests.Text
{
    public class TextCorpusTests
    {
        [Fact]
        public void A_file_loads_as_its_utf8_bytes_without_a_byte_order_mark()
        {
            using var dir = new TempDirectory();
            File.WriteAllBytes(dir.File("plain.txt"), Encoding.UTF8.GetBytes("Hé\r\n"));
            File.WriteAllBytes(dir.File("bom.txt"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("Hé\r\n")]);
            int[] expected = [72, 195, 169, 13, 10];
            Assert.Equal(expected, TextCorpus.Load(dir.File("plain.txt")));
            Assert.Equal(expected, TextCorpus.Load(dir.File("bom.txt")));
            Assert.Equal(expected, TextCorpus.FromBytes(File.ReadAllBytes(dir.File("bom.txt"))));
        }

        [Fact]
        public void A_missing_file_names_its_path()
        {
            using var dir = new TempDirectory();
            string path = dir.File("nowhere.txt");
            var e = Assert.Throws<FileNotFoundException>(() => TextCorpus.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Equal(path, e.FileName);
        }

        [Fact]
        public void An_empty_file_or_text_is_refused()
        {
            using var dir = new TempDirectory();
            File.WriteAllBytes(dir.File("empty.txt"), []);
            File.WriteAllBytes(dir.File("bom-only.txt"), [0xEF, 0xBB, 0xBF]);
            Assert.Contains("empty.txt is empty", Assert.Throws<InvalidDataException>(() => TextCorpus.Load(dir.File("empty.txt"))).Message);
            Assert.Contains("is empty", Assert.Throws<InvalidDataException>(() => TextCorpus.Load(dir.File("bom-only.txt"))).Message);
            Assert.Contains("empty", Assert.Throws<ArgumentException>(() => TextCorpus.FromBytes([])).Message);
            Assert.Throws<ArgumentNullException>(() => TextCorpus.FromBytes(null!));
        }

        [Fact]
        public void The_shipped_sample_corpus_is_licensed_valid_utf8_of_the_promised_size()
        {
            string dataDirectory = Path.Combine(RepositoryRoot(), "samples", "TextGeneration", "data");
            string corpus = Path.Combine(dataDirectory, "austen.txt");
            Assert.True(File.Exists(Path.Combine(dataDirectory, "LICENSE.txt")));
            Assert.True(File.Exists(Path.Combine(dataDirectory, "README.md")));
            byte[] bytes = File.ReadAllBytes(corpus);
            Assert.InRange(bytes.Length, 500_000, 3_000_000);
            var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
            string text = strict.GetString(bytes); // throws on invalid UTF-8
            Assert.StartsWith("PRIDE AND PREJUDICE", text);
            Assert.DoesNotContain('\r', text);
            Assert.Equal(bytes.Length, TextCorpus.Load(corpus).Length);
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException($"No NetGen.sln above {AppContext.BaseDirectory}.");
        }
    }
}

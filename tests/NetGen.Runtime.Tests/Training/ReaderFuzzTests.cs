using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Text;
using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Text;
using Xunit.Abstractions;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// Seeded random mutations of valid files (byte flips, truncations, insertions, deletions, splices of
    /// boundary values), a bounded number per reader within a time budget: every reader either reads the
    /// file or throws its documented <see cref="InvalidDataException"/>, never anything else; the text readers
    /// either decode or throw their documented <see cref="ArgumentException"/>, and agree with each other.
    /// </summary>
    /// <remarks>
    /// The budget is short by default (at most 3000 mutations or 4 s per reader, one fixed seed), so CI stays
    /// fast. Set <c>NETGEN_FUZZ_MINUTES=N</c> to fuzz each reader for N minutes instead, with no iteration cap
    /// and a fresh seed per round of 100 000 mutations; a failure prints the seed, mutation and input (Base64).
    /// Each reader's count of cases goes to the test output, and is appended to the file named by
    /// <c>NETGEN_FUZZ_LOG</c> when set.
    /// </remarks>
    public class ReaderFuzzTests(ITestOutputHelper output)
    {
        private const int Iterations = 3000;
        private const long BaseSeed = 20261122;
        private static readonly TimeSpan ShortBudget = TimeSpan.FromSeconds(4);

        // NETGEN_FUZZ_MINUTES=N: N minutes per reader, no cap; otherwise the short CI budget.
        private static (TimeSpan Budget, long Cap) Budget()
        {
            string? text = Environment.GetEnvironmentVariable("NETGEN_FUZZ_MINUTES");
            return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double minutes) && minutes > 0
                ? (TimeSpan.FromMinutes(minutes), long.MaxValue)
                : (ShortBudget, Iterations);
        }

        private static byte[] Mutate(byte[] seed, Rng rng)
        {
            var bytes = new List<byte>(seed);
            int edits = 1 + rng.NextInt(4);
            for (int e = 0; e < edits; e++)
            {
                int at = bytes.Count == 0 ? 0 : rng.NextInt(bytes.Count);
                switch (rng.NextInt(6))
                {
                    case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << rng.NextInt(8)); break;
                    case 1 when bytes.Count > 0: bytes[at] = (byte)rng.NextInt(256); break;
                    case 2: bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + rng.NextInt(16))); break;
                    case 3: bytes.Insert(Math.Min(at, bytes.Count), (byte)rng.NextInt(256)); break;
                    case 4: bytes.RemoveRange(at, bytes.Count - at); break; // truncate
                    case 5 when bytes.Count > 0:
                        byte[] special = [0x00, 0xFF, 0x7F, 0x80, (byte)'"', (byte)',', (byte)'{', (byte)'}', (byte)'-', (byte)'9', (byte)'\n'];
                        bytes[at] = special[rng.NextInt(special.Length)];
                        break;
                }
            }
            return bytes.ToArray();
        }

        private void Fuzz(string reader, byte[][] seeds, Action<byte[]> read) => Fuzz<InvalidDataException>(reader, seeds, read, mustRefuse: true);

        // Mutates the seeds until the budget is spent: read may succeed or throw TRefusal, nothing else.
        private void Fuzz<TRefusal>(string reader, byte[][] seeds, Action<byte[]> read, bool mustRefuse) where TRefusal : Exception
        {
            (TimeSpan budget, long cap) = Budget();
            const long Round = 100_000;
            var clock = Stopwatch.StartNew();
            long accepted = 0, refused = 0, i = 0;
            long seed = BaseSeed;
            var rng = new Rng(seed);
            for (; i < cap && clock.Elapsed < budget; i++)
            {
                if (i > 0 && i % Round == 0)
                {
                    seed = BaseSeed + i / Round;
                    rng = new Rng(seed);
                }
                byte[] input = Mutate(seeds[i % seeds.Length], rng);
                try
                {
                    read(input);
                    accepted++;
                }
                catch (TRefusal)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"{reader}: seed {seed}, mutation {i} threw {e.GetType().Name}: {e.Message}\ninput: {Convert.ToBase64String(input)}\n{e.StackTrace}");
                }
            }
            string summary = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{reader}: {i} cases in {clock.Elapsed.TotalSeconds:F1} s ({accepted} accepted, {refused} refused)");
            output.WriteLine(summary);
            if (Environment.GetEnvironmentVariable("NETGEN_FUZZ_LOG") is { Length: > 0 } log)
            {
                File.AppendAllText(log, summary + Environment.NewLine);
            }
            Assert.True(!mustRefuse || refused > 0, $"{reader}: no mutation was refused ({accepted} accepted)");
        }

        [Fact]
        public void Idx_reader_throws_only_InvalidDataException()
        {
            byte[] raw = IdxDatasetTests.IdxFile([3, 2, 2], i => (byte)i);
            Fuzz("IDX", [raw, IdxDatasetTests.Gzip(raw), IdxDatasetTests.IdxFile([4], i => (byte)i)], bytes => Idx.Read(new MemoryStream(bytes)));
        }

        [Fact]
        public void Csv_reader_throws_only_InvalidDataException()
        {
            byte[] a = Encoding.UTF8.GetBytes("a,b,label\n1.5,-2e-3,1\n\"3\",4,0\n");
            byte[] b = Encoding.UTF8.GetBytes("x;y;z\n1;2;3\n4;5;6\n");
            // Each file with the options that read it, so mutations that keep it valid are accepted.
            Fuzz("CSV classification", [a], bytes => CsvDataset.LoadClassification(new StreamReader(new MemoryStream(bytes)), null, "fuzz.csv"));
            Fuzz("CSV regression", [b], bytes =>
                CsvDataset.LoadRegression(new StreamReader(new MemoryStream(bytes)), new CsvOptions { Separator = ';' }, "fuzz.csv"));
        }

        [Fact]
        public void Safetensors_reader_and_checkpoint_loading_throw_only_InvalidDataException()
        {
            var network = new FakeNetwork(start: 1);
            var stream = new MemoryStream();
            Checkpoint.Save(network, stream, new Adam(), new TrainingState { Epoch = 1, GlobalStep = 2, InitialLearningRate = 0.1 });
            var small = new SafeTensorsWriter();
            small.Metadata["k"] = "v";
            small.Add("t", ImmutableArray.Create(1, 2), [1f, 2f]);
            var smallStream = new MemoryStream();
            small.WriteTo(smallStream);
            Fuzz("safetensors", [stream.ToArray(), smallStream.ToArray()], bytes =>
            {
                using (SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(bytes)))
                {
                    foreach (SafeTensorInfo t in file.Tensors)
                    {
                        if (t.DType == "F32")
                        {
                            file.ReadFloat32(t.Name);
                        }
                    }
                }
                Checkpoint.Load(new FakeNetwork(), new MemoryStream(bytes), new Adam());
            });
        }
    
        // For readers that refuse nothing: every input must decode.
        private sealed class NeverThrown : Exception
        {
        }

        [Fact]
        public void Text_corpus_keeps_every_byte_or_refuses_an_empty_text()
        {
            byte[] ascii = Encoding.UTF8.GetBytes("To be, or not to be:\nthat is the question.\r\n");
            byte[] mixed = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("héllo € 😀 ß")];
            Fuzz<ArgumentException>("TextCorpus.FromBytes", [ascii, mixed, [0xEF, 0xBB, 0xBF, 0x41]], bytes =>
            {
                int[] tokens = TextCorpus.FromBytes(bytes);
                int skip = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
                Assert.Equal(bytes.Length - skip, tokens.Length);
                for (int i = 0; i < tokens.Length; i++)
                {
                    Assert.Equal(bytes[i + skip], tokens[i]);
                }
            }, mustRefuse: false);
        }

        [Fact]
        public void Byte_decoding_never_throws_and_streaming_equals_whole()
        {
            byte[] text = Encoding.UTF8.GetBytes("naïve café — 𝄞 music, 😀 and ascii");
            byte[] broken = [0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x90, 0x28, 0xBC, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80];
            var decoder = new ByteDecoder();
            var chars = new char[ByteDecoder.MaxCharsPerToken];
            Fuzz<NeverThrown>("ByteEncoding.Decode/ByteDecoder", [text, broken], bytes =>
            {
                int[] tokens = ByteEncoding.Encode(bytes);
                string whole = ByteEncoding.Decode(tokens);
                Assert.Equal(Encoding.UTF8.GetString(bytes), whole);
                var streamed = new StringBuilder();
                decoder.Reset();
                for (int i = 0; i < tokens.Length; i++)
                {
                    streamed.Append(chars, 0, decoder.Append(tokens[i], chars));
                }
                streamed.Append(decoder.Flush());
                Assert.Equal(whole, streamed.ToString());
                Assert.Equal(ByteEncoding.Encode(whole), ByteEncoding.Encode(ByteEncoding.Decode(ByteEncoding.Encode(whole))));
                // An out-of-range token is refused with the documented exception, naming its position.
                int[] bad = [.. tokens, bytes.Length % 2 == 0 ? 256 + bytes.Length : -1 - bytes.Length];
                ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => ByteEncoding.Decode(bad));
                Assert.Contains($"tokens[{tokens.Length}]", e.Message, StringComparison.Ordinal);
                Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Append(bad[^1]));
            }, mustRefuse: false);
        }

        [Fact]
        public void Char_vocabulary_round_trips_any_text()
        {
            byte[] english = Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog.\n");
            byte[] other = Encoding.Unicode.GetBytes("Ünïcödé 😀 \uD800 lone");
            Fuzz<NeverThrown>("CharVocabulary", [english, other], bytes =>
            {
                // Bytes read as UTF-16 code units, so lone surrogates and any char value appear.
                string text = new(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(bytes.AsSpan(0, bytes.Length & ~1)));
                CharVocabulary vocabulary = CharVocabulary.Build(text);
                Assert.Equal(text, vocabulary.Decode(vocabulary.Encode(text)));
                Assert.Equal(vocabulary.Characters, CharVocabulary.Build(vocabulary.Characters).Characters);
                int[] ids = [.. vocabulary.Encode(text), vocabulary.Count + bytes.Length];
                Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode(ids));
                Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.CharOf(-1 - bytes.Length));
            }, mustRefuse: false);
        }
}
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Text;
using NetGen.Checkpoints;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// Seeded random mutations of valid files (byte flips, truncations, insertions, deletions, splices of
    /// boundary values), a bounded number per reader within a time budget: every reader either reads the
    /// file or throws its documented <see cref="InvalidDataException"/>, never anything else.
    /// </summary>
    public class ReaderFuzzTests
    {
        private const int Iterations = 3000;
        private static readonly TimeSpan Budget = TimeSpan.FromSeconds(4);

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

        private static void Fuzz(string reader, byte[][] seeds, Action<byte[]> read)
        {
            var rng = new Rng(20261122);
            var clock = Stopwatch.StartNew();
            int accepted = 0, refused = 0;
            for (int i = 0; i < Iterations && clock.Elapsed < Budget; i++)
            {
                byte[] input = Mutate(seeds[i % seeds.Length], rng);
                try
                {
                    read(input);
                    accepted++;
                }
                catch (InvalidDataException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"{reader}: mutation {i} threw {e.GetType().Name}: {e.Message}\ninput: {Convert.ToBase64String(input)}");
                }
            }
            Assert.True(refused > 0, $"{reader}: no mutation was refused ({accepted} accepted)");
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
            Fuzz("CSV", [a, b], bytes =>
            {
                CsvDataset.LoadClassification(new StreamReader(new MemoryStream(bytes)), null, "fuzz.csv");
                CsvDataset.LoadRegression(new StreamReader(new MemoryStream(bytes)), new CsvOptions { Separator = ';' }, "fuzz.csv");
            });
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
    }
}

using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using NetGen.Checkpoints;

namespace NetGen.Runtime.Tests.Training
{
    public class CheckpointTests
    {
        private static byte[] Saved(INetwork network, Optimizer? optimizer = null, TrainingState? training = null)
        {
            var stream = new MemoryStream();
            Checkpoint.Save(network, stream, optimizer, training);
            return stream.ToArray();
        }

        private static int[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

        [Fact]
        public void Parameters_buffers_optimizer_and_training_state_round_trip_bit_for_bit()
        {
            var source = new FakeNetwork(start: 0.1f);
            var adam = new Adam(0.01f);
            for (int step = 0; step < 3; step++)
            {
                source.Gradients.Fill(0.5f + step);
                adam.Step(source.Parameters, source.Gradients);
            }
            var training = new TrainingState { Epoch = 4, GlobalStep = 123, InitialLearningRate = 0.01, Seed = -7 };
            byte[] bytes = Saved(source, adam, training);

            using (SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(bytes)))
            {
                Assert.Equal(
                    ["layer.weight", "layer.bias", "stats.mean", "optimizer.exp_avg.layer.weight", "optimizer.exp_avg.layer.bias",
                     "optimizer.exp_avg_sq.layer.weight", "optimizer.exp_avg_sq.layer.bias"],
                    file.Tensors.Select(t => t.Name));
                Assert.Equal("pt", file.Metadata["format"]);
                Assert.Equal("Adam", file.Metadata["optimizer"]);
                Assert.Equal("3", file.Metadata["optimizer.step"]);
            }

            var target = new FakeNetwork(start: 9);
            var restored = new Adam(0.5f);
            CheckpointInfo info = Checkpoint.Load(target, new MemoryStream(bytes), restored);
            Assert.Equal(Bits(source.Parameters), Bits(target.Parameters));
            Assert.Equal(Bits(source.Buffers), Bits(target.Buffers));
            OptimizerState expected = adam.GetState(source.Parameters), actual = restored.GetState(target.Parameters);
            Assert.Equal(3, actual.StepCount);
            Assert.Equal(Bits(expected.Slot(0)), Bits(actual.Slot(0)));
            Assert.Equal(Bits(expected.Slot(1)), Bits(actual.Slot(1)));
            Assert.Equal(0.01f, restored.LearningRate);
            Assert.Equal(training, info.Training);
            Assert.Equal("Adam", info.OptimizerKind);

            // Loading weights only ignores the optimizer tensors.
            var weightsOnly = new FakeNetwork(start: 5);
            Assert.Equal(training, Checkpoint.Load(weightsOnly, new MemoryStream(bytes)).Training);
            Assert.Equal(Bits(source.Parameters), Bits(weightsOnly.Parameters));
        }

        [Fact]
        public void Sgd_momentum_and_rmsprop_state_use_pytorch_slot_names()
        {
            var network = new FakeNetwork();
            var sgd = new Sgd(0.1f, momentum: 0.9f);
            network.Gradients.Fill(1);
            sgd.Step(network.Parameters, network.Gradients);
            using (SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(Saved(network, sgd))))
            {
                Assert.True(file.TryGetTensor("optimizer.momentum_buffer.layer.weight", out _));
            }
            var rms = new RmsProp(momentum: 0.5f);
            using SafeTensorsFile rmsFile = SafeTensorsFile.Open(new MemoryStream(Saved(new FakeNetwork(), rms)));
            Assert.True(rmsFile.TryGetTensor("optimizer.square_avg.layer.bias", out _));
            Assert.True(rmsFile.TryGetTensor("optimizer.momentum_buffer.layer.bias", out _));
        }

        private static byte[] Custom(Action<SafeTensorsWriter> fill)
        {
            var writer = new SafeTensorsWriter();
            fill(writer);
            var stream = new MemoryStream();
            writer.WriteTo(stream);
            return stream.ToArray();
        }

        private static void Complete(SafeTensorsWriter w, string? skip = null)
        {
            if (skip != "layer.weight")
            {
                w.Add("layer.weight", ImmutableArray.Create(2, 3), new float[6]);
            }
            if (skip != "layer.bias")
            {
                w.Add("layer.bias", ImmutableArray.Create(2), new float[2]);
            }
            if (skip != "stats.mean")
            {
                w.Add("stats.mean", ImmutableArray.Create(2), new float[2]);
            }
        }

        public static TheoryData<string, byte[], string> Mismatches() => new()
        {
            { "missing tensor", Custom(w => Complete(w, skip: "layer.bias")), "tensor \"layer.bias\" [2] of FakeNetwork is missing" },
            { "missing buffer", Custom(w => Complete(w, skip: "stats.mean")), "tensor \"stats.mean\" [2] of FakeNetwork is missing" },
            { "extra tensor", Custom(w => { Complete(w); w.Add("layer2.weight", ImmutableArray.Create(1), [1f]); }), "tensor \"layer2.weight\" is not part of FakeNetwork" },
            { "wrong shape", Custom(w => { Complete(w, skip: "layer.weight"); w.Add("layer.weight", ImmutableArray.Create(3, 2), new float[6]); }),
                "tensor \"layer.weight\" has shape [3, 2]; FakeNetwork needs [2, 3]" },
            { "wrong dtype", SafeTensorsTests.File(
                "{\"layer.weight\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,48]},\"layer.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[48,56]},\"stats.mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[56,64]}}", 64),
                "tensor \"layer.weight\" is F64; NetGen networks hold F32" },
        };

        [Theory]
        [MemberData(nameof(Mismatches))]
        public void A_file_that_does_not_fit_the_network_is_refused_and_changes_nothing(string what, byte[] file, string message)
        {
            var network = new FakeNetwork(start: 3);
            int[] before = Bits(network.Parameters);
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(network, new MemoryStream(file)));
            Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{what}: expected \"{message}\" in \"{e.Message}\"");
            Assert.Equal(before, Bits(network.Parameters));
        }

        [Fact]
        public void Optimizer_state_must_exist_and_be_of_the_same_kind()
        {
            byte[] plain = Saved(new FakeNetwork());
            Assert.Contains("holds no optimizer state", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new FakeNetwork(), new MemoryStream(plain), new Adam())).Message);
            byte[] withSgd = Saved(new FakeNetwork(), new Sgd(0.1f, momentum: 0.9f));
            var network = new FakeNetwork(start: 2);
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(network, new MemoryStream(withSgd), new Adam()));
            Assert.Contains("the optimizer state is Sgd's; it cannot be loaded into Adam", e.Message);
            Assert.Equal(2f, network.Parameters[0]);
        }

        [Fact]
        public void Save_and_load_by_path_through_the_extension_methods()
        {
            using var dir = new TempDirectory();
            var network = new FakeNetwork(start: 4);
            network.Save(dir.File("fake.safetensors"));
            var other = new FakeNetwork();
            other.LoadWeights(dir.File("fake.safetensors"));
            Assert.Equal(Bits(network.Parameters), Bits(other.Parameters));
            Assert.Throws<FileNotFoundException>(() => other.LoadWeights(dir.File("missing.safetensors")));
        }
    }
}

using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Checkpoints;
using NetGen.Data;

namespace NetGen.Networks.Tests.Training
{
    public sealed class CheckpointNetworkTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "netgen-ckpt-" + Guid.NewGuid().ToString("N"));

        public CheckpointNetworkTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public void A_generated_network_round_trips_bit_for_bit_and_loads_through_its_type()
        {
            var model = new BlobClassifier(seed: 3);
            model.Fit(TrainingData.Blobs(64, seed: 1), new FitOptions { Epochs = 1, Verbose = false });
            string path = Path.Combine(_dir, "blob.safetensors");
            model.Save(path);

            BlobClassifier loaded = BlobClassifier.Load(path);
            Assert.Equal(TrainingData.Bits(model.Parameters), TrainingData.Bits(loaded.Parameters));
            float[] input = TrainingData.Blobs(8, seed: 2).Features.ToArray();
            Assert.Equal(TrainingData.Bits(model.Forward(input, 8).ToArray()), TrainingData.Bits(loaded.Forward(input, 8)));

            using SafeTensorsFile file = SafeTensorsFile.Open(path);
            Assert.Equal(["hidden.weight", "hidden.bias", "output.weight", "output.bias"], file.Tensors.Select(t => t.Name));
            Assert.Equal(new long[] { 16, 4 }, file.Tensors[0].Shape.ToArray());
            Assert.Equal("BlobClassifier", file.Metadata["netgen.network"]);

            // Another architecture is refused by name and shape.
            var e = Assert.Throws<InvalidDataException>(() => TorchMlp.Load(path));
            Assert.Contains("\"hidden.weight\" has shape [16, 4]; TorchMlp needs [5, 6]", e.Message);
        }

        [Fact]
        public void A_pytorch_state_dict_saved_as_safetensors_loads_and_gives_pytorchs_outputs()
        {
            JsonElement fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "training_checkpoint.json"))).RootElement;
            byte[] bytes = Convert.FromBase64String(fixture.GetProperty("safetensors_base64").GetString()!);
            float[] inputs = fixture.GetProperty("inputs").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            float[] expected = fixture.GetProperty("outputs").EnumerateArray().Select(v => v.GetSingle()).ToArray();

            var model = new TorchMlp(seed: 99);
            CheckpointInfo info = Checkpoint.Load(model, new MemoryStream(bytes));
            Assert.Equal("pt", info.Metadata["format"]);
            Assert.Null(info.Training);
            ReadOnlySpan<float> outputs = model.Predict(inputs, fixture.GetProperty("batch_size").GetInt32());
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - outputs[i]) <= 1e-6f, $"output {i}: PyTorch {expected[i]}, NetGen {outputs[i]}");
            }
        }

        [Fact]
        public void Model_checkpoint_keeps_the_best_epoch_with_its_training_state()
        {
            string path = Path.Combine(_dir, "best.safetensors");
            var checkpoint = new ModelCheckpoint(path, monitor: "val_accuracy");
            double bestSeen = double.NegativeInfinity;
            float[]? bestParameters = null;
            var model = new BlobClassifier(seed: 1);
            History history = model.Fit(TrainingData.Blobs(200, seed: 4), new FitOptions
            {
                Epochs = 6, Optimizer = new Adam(0.01f), ValidationSplit = 0.25f, Verbose = false,
                Callbacks =
                {
                    checkpoint,
                    new LambdaCallback
                    {
                        EpochEnd = (context, log) =>
                        {
                            if (log["val_accuracy"] > bestSeen)
                            {
                                bestSeen = log["val_accuracy"];
                                bestParameters = context.Network.Parameters.ToArray();
                            }
                        },
                    },
                },
            });
            Assert.Equal(history["val_accuracy"].Max(), checkpoint.Best);
            var restored = new BlobClassifier();
            var optimizer = new Adam();
            CheckpointInfo info = restored.LoadWeights(path, optimizer);
            Assert.Equal(TrainingData.Bits(bestParameters), TrainingData.Bits(restored.Parameters));
            Assert.Equal("val_accuracy", info.Metadata["monitor"]);
            int bestEpoch = history["val_accuracy"].ToList().IndexOf(checkpoint.Best);
            Assert.Equal(bestEpoch + 1, info.Training!.Epoch);
            Assert.Equal(optimizer.GetState(restored.Parameters).StepCount, info.Training.GlobalStep);
        }

        [Fact]
        public void Model_checkpoint_can_save_every_epoch_without_validation()
        {
            string pattern = Path.Combine(_dir, "every-{epoch}.safetensors");
            new BlobClassifier(seed: 1).Fit(TrainingData.Blobs(40, seed: 4), new FitOptions
            {
                Epochs = 2, Verbose = false, Callbacks = { new ModelCheckpoint(pattern, saveBestOnly: false) },
            });
            using SafeTensorsFile second = SafeTensorsFile.Open(pattern.Replace("{epoch}", "2"));
            Assert.Equal("2", second.Metadata["epoch"]);
            Assert.Equal("2", second.Metadata["training.epoch"]);
            Assert.True(File.Exists(pattern.Replace("{epoch}", "1")));
        }

        [Fact]
        public void Resuming_from_a_checkpoint_continues_exactly_like_uninterrupted_training()
        {
            Dataset<int> data = TrainingData.Blobs(150, seed: 5);
            FitOptions Options(Optimizer optimizer, int epochs, TrainingState? resume = null, params Callback[] callbacks) => new()
            {
                Epochs = epochs, BatchSize = 16, Optimizer = optimizer, Seed = 21, ClipGradientNorm = 2f, ValidationSplit = 0.2f,
                Schedule = LearningRateSchedule.Warmup(5, LearningRateSchedule.Cosine(30)).Per(ScheduleInterval.Step),
                Resume = resume, Verbose = false, Callbacks = callbacks.ToList(),
            };

            var uninterrupted = new BlobClassifier(seed: 8);
            History full = uninterrupted.Fit(data, Options(new Adam(0.01f), epochs: 5));
            Assert.Equal(5, full.TrainingState!.Epoch);
            Assert.Equal(5 * 8, full.TrainingState.GlobalStep); // 120 training samples in batches of 16

            string path = Path.Combine(_dir, "epoch-{epoch}.safetensors");
            var first = new BlobClassifier(seed: 8);
            first.Fit(data, Options(new Adam(0.01f), epochs: 5, callbacks:
            [
                new ModelCheckpoint(path, saveBestOnly: false),
                new LambdaCallback { EpochEnd = (context, log) => context.StopTraining = log.Epoch == 1 }, // "crash" after epoch 2
            ]));

            var resumed = new BlobClassifier(seed: 1234);
            var optimizer = new Adam(0.5f);
            CheckpointInfo info = resumed.LoadWeights(path.Replace("{epoch}", "2"), optimizer);
            Assert.Equal(2, info.Training!.Epoch);
            History rest = resumed.Fit(data, Options(optimizer, epochs: 5, resume: info.Training));

            Assert.Equal([2, 3, 4], rest.Epochs.Select(e => e.Epoch));
            Assert.Equal(TrainingData.Bits(uninterrupted.Parameters), TrainingData.Bits(resumed.Parameters));
        }
    }
}

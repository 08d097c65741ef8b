using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Data;
using Xunit.Abstractions;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// Trains a small network for many epochs, recording the managed heap (after a full collection) and the
    /// process's resident set after every epoch: after the first epoch neither may grow beyond a small tolerance,
    /// apart from the one <see cref="EpochLog"/> the history keeps per epoch.
    /// </summary>
    [Collection(SerialCollection.Name)]
    public class LongRunMemoryTests(ITestOutputHelper output)
    {
        private const int Epochs = 300;

        [Fact]
        public void Many_epochs_of_Fit_grow_neither_the_managed_heap_nor_the_resident_set()
        {
            var rng = new Rng(11);
            int count = 2000, features = 16, classes = 4;
            float[] x = new float[count * features];
            int[] y = new int[count];
            for (int n = 0; n < count; n++)
            {
                y[n] = n % classes;
                for (int f = 0; f < features; f++)
                {
                    x[n * features + f] = (f % classes == y[n] ? 1f : 0f) + 0.3f * rng.NextNormal();
                }
            }
            Dataset<int> data = Dataset.FromLabels(x, y, features);
            (Dataset<int> train, Dataset<int> validation) = data.Split(0.1f, shuffleSeed: 1);
            var model = new SoftmaxRegression(features, classes, seed: 2);

            var managed = new List<long>();
            var resident = new List<long>();
            var options = new FitOptions
            {
                Epochs = Epochs,
                BatchSize = 32,
                Optimizer = new Adam(1e-3f),
                Validation = validation,
                ClipGradientNorm = 5f,
                Verbose = false,
                Callbacks =
                {
                    new LambdaCallback
                    {
                        EpochEnd = (_, _) =>
                        {
                            managed.Add(GC.GetTotalMemory(forceFullCollection: true));
                            resident.Add(Environment.WorkingSet);
                        },
                    },
                },
            };
            History history = model.Fit(train, options);
            Assert.Equal(Epochs, history.Epochs.Count);

            // The history's own growth: one log per epoch (a dictionary of 5 metrics). Measured, not guessed.
            long perLog = LogSize();
            long managedGrowth = managed[^1] - managed[0];
            long residentGrowth = resident[^1] - resident[0];
            string figures = string.Create(CultureInfo.InvariantCulture,
                $"{Epochs} epochs of {train.Count} samples: managed heap {managed[0] / 1024} KB after epoch 1, {managed[^1] / 1024} KB after epoch {Epochs} " +
                $"({managedGrowth / (double)(Epochs - 1):F0} B/epoch, {(managed[^1] - managed[Epochs / 2]) / (double)(Epochs - 1 - Epochs / 2):F0} B/epoch over the second half; " +
                $"a history entry is {perLog} B); " +
                $"RSS {resident[0] / (1 << 20)} MB → {resident[^1] / (1 << 20)} MB (max {resident.Max() / (1 << 20)} MB)");
            output.WriteLine(figures);
            if (Environment.GetEnvironmentVariable("NETGEN_MEMORY_LOG") is { Length: > 0 } log)
            {
                System.IO.File.AppendAllText(log, figures + Environment.NewLine);
            }
            // Steady state is the history entry plus ~100 B (the "val_accuracy" key is a new string each epoch); the first
            // epochs also see one-off growth (tiered JIT, pools), a few hundred KB at most.
            Assert.True(managedGrowth <= (Epochs - 1) * (perLog + 512) + 512 * 1024, figures);
            Assert.True(residentGrowth <= 16 << 20, figures);
        }

        // Bytes one more EpochLog in a History costs, measured the same way.
        private static long LogSize()
        {
            var history = new History();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = 1, ["accuracy"] = 1, ["val_loss"] = 1, ["val_accuracy"] = 1, ["lr"] = 1 };
            history.Add(new EpochLog(0, metrics, 1));
            long before = GC.GetTotalMemory(true);
            for (int i = 0; i < 1000; i++)
            {
                history.Add(new EpochLog(i, metrics, 1));
            }
            long after = GC.GetTotalMemory(true);
            GC.KeepAlive(history);
            return (after - before) / 1000;
        }
    }
}

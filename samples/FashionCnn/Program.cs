// Fashion-MNIST with a small CNN: two 3×3 convolutions with 2×2 max pooling, dropout, two dense layers.
// Adam, batch 64, 10% of the training images held out for validation. Prints the test-set report,
// writes the training curves (PNG), the history (CSV) and a checkpoint (safetensors).
//
//   dotnet run --project samples/FashionCnn -c Release [-- --data DIR] [--out DIR] [--epochs N] [--threads N]
//
// The output directory defaults to samples/FashionCnn/out when run from the repository root
// (ignored by git), else ./out.
using System;
using System.Diagnostics;
using System.IO;
using NetGen;
using NetGen.Data;

string dataDir = "/usr/share/datasets/fashion-mnist";
string outDir = Directory.Exists(Path.Combine("samples", "FashionCnn")) ? Path.Combine("samples", "FashionCnn", "out") : "out";
int epochs = 12;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: dataDir = args[++i]; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0: epochs = e; i++; break;
        case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t > 0: Parallelism.MaxThreads = t; i++; break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: FashionCnn [--data DIR] [--out DIR] [--epochs N] [--threads N]");
            return 2;
    }
}

Dataset<int> train, test;
try
{
    (train, test) = IdxDataset.Load(dataDir, classNames: IdxDataset.FashionMnistClasses);
}
catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
{
    Console.Error.WriteLine($"Fashion-MNIST was not found in {dataDir}: {e.Message}");
    Console.Error.WriteLine("Install it with `sudo apt-get install dataset-fashion-mnist` (into /usr/share/datasets/fashion-mnist),");
    Console.Error.WriteLine("or pass --data DIR, a directory with train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,");
    Console.Error.WriteLine("t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (or the same without .gz).");
    return 1;
}
Directory.CreateDirectory(outDir);
Console.WriteLine($"Fashion-MNIST: {train.Count:N0} training and {test.Count:N0} test images from {dataDir}; {Parallelism.MaxThreads} threads.");

var model = new FashionCnn(seed: 42);
var clock = Stopwatch.StartNew();
History history = model.Fit(train, new FitOptions
{
    Epochs = epochs,
    BatchSize = 64,
    Optimizer = new Adam(1e-3f),
    ValidationSplit = 0.1f,
    Seed = 42,
    Callbacks =
    {
        new ModelCheckpoint(Path.Combine(outDir, "fashion-cnn-best.safetensors"), monitor: "val_accuracy"),
        new EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true),
    },
    Progress = new SpectreProgress(),
});
double trainSeconds = clock.Elapsed.TotalSeconds;

ClassificationReport report = model.Evaluate(test);
Console.WriteLine();
Console.WriteLine($"Test set ({test.Count:N0} images never seen in training), after {trainSeconds:F1} s of training " +
    $"({trainSeconds / history.Epochs.Count:F1} s per epoch):");
Console.WriteLine(report);

string checkpoint = Path.Combine(outDir, "fashion-cnn.safetensors");
string curves = Path.Combine(outDir, "fashion-cnn-curves.png");
string csv = Path.Combine(outDir, "fashion-cnn-history.csv");
model.Save(checkpoint);
history.SaveCsv(csv);
TrainingCurves.SavePng(history, curves, title: "Fashion-MNIST CNN");

// Reload the checkpoint into a fresh network and check it classifies the test set alike.
var reloaded = FashionCnn.Load(checkpoint);
double reloadedAccuracy = reloaded.Evaluate(test).Accuracy;
Console.WriteLine($"Reloaded {checkpoint}: test accuracy {reloadedAccuracy * 100:F2}%.");
Console.WriteLine($"Wrote {curves}, {csv}, {checkpoint}.");
Console.WriteLine($"Test accuracy: {report.Accuracy * 100:F2}%");
return 0;

/// <summary>The Keras-tutorial CNN for 28×28 grayscale images (1 channel).</summary>
[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(32, kernel: 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, kernel: 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.25f)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnn;

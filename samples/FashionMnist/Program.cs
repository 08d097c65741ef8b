// Fashion-MNIST, the classic Keras tutorial network: Flatten -> Dense 128 ReLU -> Dense 10 Softmax,
// Adam, batch 32, 10 epochs, 10% of the training images held out for validation. Prints the test-set
// report, writes the training curves (PNG), the history (CSV) and a checkpoint (safetensors).
//
//   dotnet run --project samples/FashionMnist -c Release [-- --data DIR] [--out DIR] [--epochs N]
//
// The output directory defaults to samples/FashionMnist/out when run from the repository root
// (ignored by git), else ./out.
using System;
using System.Diagnostics;
using System.IO;
using NetGen;
using NetGen.Data;

string dataDir = "/usr/share/datasets/fashion-mnist";
string outDir = Directory.Exists(Path.Combine("samples", "FashionMnist")) ? Path.Combine("samples", "FashionMnist", "out") : "out";
int epochs = 10;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: dataDir = args[++i]; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0: epochs = e; i++; break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: FashionMnist [--data DIR] [--out DIR] [--epochs N]");
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
Console.WriteLine($"Fashion-MNIST: {train.Count:N0} training and {test.Count:N0} test images from {dataDir}.");

var model = new FashionMlp(seed: 42);
var clock = Stopwatch.StartNew();
History history = model.Fit(train, new FitOptions
{
    Epochs = epochs,
    BatchSize = 32,
    Optimizer = new Adam(1e-3f),
    ValidationSplit = 0.1f,
    Seed = 42,
    Callbacks =
    {
        new ModelCheckpoint(Path.Combine(outDir, "fashion-mnist-best.safetensors"), monitor: "val_accuracy"),
        new EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true),
    },
    Progress = new SpectreProgress(),
});
double trainSeconds = clock.Elapsed.TotalSeconds;

ClassificationReport report = model.Evaluate(test);
Console.WriteLine();
Console.WriteLine($"Test set ({test.Count:N0} images never seen in training), after {trainSeconds:F1} s of training:");
Console.WriteLine(report);

string checkpoint = Path.Combine(outDir, "fashion-mnist.safetensors");
string curves = Path.Combine(outDir, "fashion-mnist-curves.png");
string csv = Path.Combine(outDir, "fashion-mnist-history.csv");
model.Save(checkpoint);
history.SaveCsv(csv);
TrainingCurves.SavePng(history, curves, title: "Fashion-MNIST");

// Reload the checkpoint into a fresh network and classify one image with it.
var reloaded = FashionMlp.Load(checkpoint);
ReadOnlySpan<float> probabilities = reloaded.Predict(test.FeaturesOf(0));
int predicted = reloaded.PredictClass(test.FeaturesOf(0));
Console.WriteLine($"Reloaded {checkpoint}: test image 0 is classified as {test.ClassNames![predicted]} (p = {probabilities[predicted]:F3}); its label says {test.ClassNames[test.TargetsOf(0)[0]]}.");
Console.WriteLine($"Wrote {curves}, {csv}, {checkpoint}.");
Console.WriteLine($"Test accuracy: {report.Accuracy * 100:F2}%");
return 0;

/// <summary>The Keras tutorial's classifier: 28×28 pixels, flattened, 128 ReLU units, 10 class probabilities.</summary>
[Network(Loss.CrossEntropy)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU, Name = "hidden")]
[Dense(10, Activation.Softmax, Name = "output")]
public partial class FashionMlp;

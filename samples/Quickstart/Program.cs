// Quickstart: a 784-128-10 network trained with Fit on 8,000 real MNIST digits embedded in this program,
// validated after every epoch on the 2,000 digits it never trains on.
//
//   dotnet run --project samples/Quickstart -c Release [-- --epochs N]
using System;
using System.Globalization;
using System.IO;
using NetGen;
using NetGen.Data;

const int TrainCount = 8000, Seed = 42;
int epochs = args switch
{
    [] => 30,
    ["--epochs", string n] when int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int e) && e > 0 => e,
    _ => Usage(),
};

// Pixels scaled to [0, 1], then standardized with the mean and deviation of the training images.
var assembly = typeof(DigitClassifier).Assembly;
using Stream imageStream = assembly.GetManifestResourceStream("mnist-images.gz")!;
using Stream labelStream = assembly.GetManifestResourceStream("mnist-labels.gz")!;
Dataset<int> digits = IdxDataset.Load(imageStream, labelStream);
Dataset<int> train = digits.Slice(0, TrainCount), heldOut = digits.Slice(TrainCount, digits.Count - TrainCount);
var standardizer = Standardizer.Fit(train);
(train, heldOut) = (standardizer.Transform(train), standardizer.Transform(heldOut));

var model = new DigitClassifier(seed: Seed);
History history = model.Fit(train, new FitOptions
{
    Epochs = epochs,
    BatchSize = 32,
    Optimizer = new Adam(1e-3f),
    Schedule = LearningRateSchedule.Cosine(tMax: epochs), // per epoch, from 1e-3 down towards zero
    Validation = heldOut,
    Seed = Seed,
    Progress = new SpectreProgress(), // a live bar on a terminal, one line per epoch when redirected
});

ClassificationReport report = model.Evaluate(heldOut);
Console.WriteLine();
Console.WriteLine(report);
double seconds = 0;
foreach (EpochLog epoch in history.Epochs)
{
    seconds += epoch.Seconds;
}
TrainingCurves.SavePng(history, "quickstart-curves.png", title: "MNIST subset");
Console.WriteLine($"Held-out accuracy: {report.Accuracy * 100:F2}% on {heldOut.Count:N0} digits never trained on ({seconds:F1} s of training). Curves: quickstart-curves.png");

static int Usage()
{
    Console.Error.WriteLine("Usage: Quickstart [--epochs N]   (N >= 1; default 30)");
    Environment.Exit(2);
    return 0;
}

/// <summary>784 pixels → 128 ReLU units → 10 class probabilities.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU, Name = "hidden")]
[Dense(10, Activation.Softmax, Name = "output")]
public partial class DigitClassifier;

// Quickstart: a 784-128-10 network trained on 8,000 real MNIST digits embedded in this program,
// checked on the 2,000 digits it never trains on.
using System;
using System.Diagnostics;
using System.IO;
using System.Numerics.Tensors;
using NetGen;
using NetGen.Data;

const int TrainCount = 8000, HeldOutCount = 2000, BatchSize = 32, Epochs = 30, Seed = 42;
const float LearningRate = 1e-3f;

var (images, labels) = LoadEmbeddedMnist(TrainCount);
Console.WriteLine(DigitClassifier.Summary);

var model = new DigitClassifier(seed: Seed);
var optimizer = new Adam(LearningRate);
var rng = new Rng(Seed);
int[] order = new int[TrainCount];
for (int i = 0; i < order.Length; i++)
{
    order[i] = i;
}
float[] batchInputs = new float[BatchSize * DigitClassifier.InputSize];
int[] batchLabels = new int[BatchSize];

var total = Stopwatch.StartNew();
float heldOutAccuracy = 0;
for (int epoch = 0; epoch < Epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    // Cosine annealing, per epoch: from the full learning rate down towards zero.
    optimizer.LearningRate = LearningRate * 0.5f * (1 + MathF.Cos(MathF.PI * epoch / Epochs));
    rng.Shuffle(order.AsSpan());
    double lossSum = 0;
    int batches = 0;
    for (int start = 0; start < TrainCount; start += BatchSize)
    {
        int n = Math.Min(BatchSize, TrainCount - start);
        for (int b = 0; b < n; b++)
        {
            int sample = order[start + b];
            images.AsSpan(sample * DigitClassifier.InputSize, DigitClassifier.InputSize)
                .CopyTo(batchInputs.AsSpan(b * DigitClassifier.InputSize));
            batchLabels[b] = labels[sample];
        }
        lossSum += model.TrainStep(batchInputs.AsSpan(0, n * DigitClassifier.InputSize), batchLabels.AsSpan(0, n), n, optimizer);
        batches++;
    }
    float trainAccuracy = Accuracy(model, images, labels, 0, TrainCount);
    heldOutAccuracy = Accuracy(model, images, labels, TrainCount, HeldOutCount);
    Console.WriteLine($"epoch {epoch + 1,2}/{Epochs}  loss {lossSum / batches:F4}  train acc {trainAccuracy:P2}  held-out acc {heldOutAccuracy:P2}  {clock.Elapsed.TotalSeconds:F2} s");
}
Console.WriteLine($"Held-out accuracy: {heldOutAccuracy:P2} on {HeldOutCount} digits never trained on ({total.Elapsed.TotalSeconds:F1} s of training).");

static float Accuracy(DigitClassifier model, float[] images, int[] labels, int first, int count)
{
    const int Chunk = 500;
    float[] probabilities = new float[Chunk * DigitClassifier.OutputSize];
    int correct = 0;
    for (int start = first; start < first + count; start += Chunk)
    {
        int n = Math.Min(Chunk, first + count - start);
        model.Forward(images.AsSpan(start * DigitClassifier.InputSize, n * DigitClassifier.InputSize),
            probabilities.AsSpan(0, n * DigitClassifier.OutputSize), n);
        for (int b = 0; b < n; b++)
        {
            int predicted = TensorPrimitives.IndexOfMax(probabilities.AsSpan(b * DigitClassifier.OutputSize, DigitClassifier.OutputSize));
            correct += predicted == labels[start + b] ? 1 : 0;
        }
    }
    return (float)correct / count;
}

// Pixels scaled to [0, 1], then standardized with the mean and deviation of the training images.
static (float[] Images, int[] Labels) LoadEmbeddedMnist(int trainCount)
{
    var assembly = typeof(DigitClassifier).Assembly;
    using Stream imageStream = assembly.GetManifestResourceStream("mnist-images.gz")!;
    using Stream labelStream = assembly.GetManifestResourceStream("mnist-labels.gz")!;
    IdxArray imageArray = Idx.Read(imageStream);
    IdxArray labelArray = Idx.Read(labelStream);
    float[] images = new float[imageArray.Data.Length];
    for (int i = 0; i < images.Length; i++)
    {
        images[i] = imageArray.Data[i] / 255f;
    }
    ReadOnlySpan<float> train = images.AsSpan(0, trainCount * DigitClassifier.InputSize);
    float mean = TensorPrimitives.Sum(train) / train.Length;
    float deviation = MathF.Sqrt(TensorPrimitives.SumOfSquares(train) / train.Length - mean * mean);
    TensorPrimitives.Subtract(images, mean, images);
    TensorPrimitives.Divide(images, deviation, images);
    return (images, Array.ConvertAll(labelArray.Data, b => (int)b));
}

/// <summary>784 pixels → 128 ReLU units → 10 class probabilities.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU, Name = "hidden")]
[Dense(10, Activation.Softmax, Name = "output")]
public partial class DigitClassifier;

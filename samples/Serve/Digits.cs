using System.IO;
using NetGen;
using NetGen.Data;

namespace Serve
{
    /// <summary>784 pixels in [0, 1] (a 28×28 digit, row by row) → 128 ReLU units → 10 class probabilities.</summary>
    [Network(Loss.CrossEntropy)]
    [Input(784)]
    [Dense(128, Activation.ReLU, Name = "hidden")]
    [Dense(10, Activation.Softmax, Name = "output")]
    public partial class DigitClassifier;

    /// <summary>The MNIST digits embedded in this program, and a short training run on them.</summary>
    public static class Digits
    {
        /// <summary>Digits the network trains on; the rest are held out (and served as /examples).</summary>
        public const int TrainCount = 8000;

        /// <summary>The 10,000 embedded digits, pixels scaled to [0, 1] (no standardization, so a checkpoint is all a server needs).</summary>
        public static Dataset<int> Load()
        {
            var assembly = typeof(Digits).Assembly;
            using Stream images = assembly.GetManifestResourceStream("mnist-images.gz")!;
            using Stream labels = assembly.GetManifestResourceStream("mnist-labels.gz")!;
            return IdxDataset.Load(images, labels);
        }

        /// <summary>Trains a new <see cref="DigitClassifier"/> on the first <see cref="TrainCount"/> digits for <paramref name="epochs"/> epochs.</summary>
        public static DigitClassifier Train(Dataset<int> digits, int epochs, int seed = 42)
        {
            var model = new DigitClassifier(seed);
            model.Fit(digits.Slice(0, TrainCount), new FitOptions
            {
                Epochs = epochs,
                BatchSize = 32,
                Optimizer = new Adam(1e-3f),
                Seed = seed,
                Verbose = false,
            });
            return model;
        }

        /// <summary>The digits the network never trained on.</summary>
        public static Dataset<int> HeldOut(Dataset<int> digits) => digits.Slice(TrainCount, digits.Count - TrainCount);
    }
}

using System;
using System.Linq;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// The float-input path through the generalized training stack, called as user code calls it on a network
    /// declared the way the generator declares one (<c>INetwork&lt;int&gt;</c>).
    /// </summary>
    public class FloatTrainingTests
    {
        // Two Gaussian blobs per class around (±2, ±2) in 3 features, 3 classes.
        private static Dataset<int> Blobs(int count, long seed)
        {
            var rng = new Rng(seed);
            float[] x = new float[count * 3];
            int[] y = new int[count];
            for (int n = 0; n < count; n++)
            {
                int c = n % 3;
                y[n] = c;
                for (int f = 0; f < 3; f++)
                {
                    x[n * 3 + f] = (f == c ? 2f : -1f) + 0.5f * rng.NextNormal();
                }
            }
            return Dataset.FromLabels(x, y, 3);
        }

        [Fact]
        public void A_float_classifier_trains_evaluates_and_predicts_as_before()
        {
            var model = new SoftmaxRegression(features: 3, classes: 3, seed: 1);
            Dataset<int> train = Blobs(300, seed: 2).WithClassNames(["a", "b", "c"]);
            (Dataset<int> fit, Dataset<int> held) = train.Split(0.2f, shuffleSeed: 3);
            History history = model.Fit(fit, new FitOptions { Epochs = 10, BatchSize = 16, Optimizer = new Adam(0.05f), Validation = held, Verbose = false });
            Assert.True(history["val_accuracy"][^1] > 0.95, history.ToCsv());

            Dataset<int> test = Blobs(150, seed: 4);
            ClassificationReport report = model.Evaluate(test);
            Assert.True(report.Accuracy > 0.95, report.ToString());
            int[] classes = model.PredictClasses(test);
            Assert.Equal(report.Accuracy, classes.Zip(test.Targets.ToArray()).Count(p => p.First == p.Second) / 150.0, 12);
            Assert.Equal(classes[7], model.PredictClass(test.FeaturesOf(7)));
            float[] outputs = model.Predict(test, batchSize: 40);
            Assert.Equal(outputs.AsSpan(7 * 3, 3).ToArray(), model.Predict(test.FeaturesOf(7)).ToArray());
            Assert.Equal(outputs.AsSpan(0, 6).ToArray(), model.Predict(test.Features[..6], 2).ToArray());

            Standardizer standardizer = Standardizer.Fit(train);
            Dataset<int> standardized = standardizer.Transform(test.Scale(2f));
            Assert.Equal(test.Count, standardized.Count);
        }

        [Fact]
        public void A_float_network_names_the_dataset_it_needs()
        {
            var model = new SoftmaxRegression(features: 3, classes: 3);
            var regression = Dataset.FromValues(new float[6], new float[2], 3);
            Assert.Contains("Validation must be a Dataset<Int32> like the training data; it is a Dataset<Single>",
                Assert.Throws<ArgumentException>(() => model.Fit(Blobs(10, 1), new FitOptions { Validation = regression, Verbose = false })).Message);
            Dataset<int, int> tokens = Dataset.FromTokens(new int[6], new int[2], 3);
            Assert.Contains("holds Int32 inputs; the network takes Single inputs", Assert.Throws<ArgumentException>(() => model.PredictClasses(tokens)).Message);
        }
    }
}

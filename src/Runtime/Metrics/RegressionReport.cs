using System;
using System.Globalization;
using System.Text;

namespace NetGen
{
    /// <summary>
    /// How well a network with float targets did: loss, mean squared error, mean absolute error and their
    /// root, over every output of every sample; for a Sigmoid (binary cross-entropy) network also the
    /// accuracy of thresholding each output at 0.5.
    /// </summary>
    public sealed class RegressionReport
    {
        internal RegressionReport(long count, double loss, double mse, double mae, double? binaryAccuracy)
        {
            Count = count;
            Loss = loss;
            MeanSquaredError = mse;
            MeanAbsoluteError = mae;
            BinaryAccuracy = binaryAccuracy;
        }

        /// <summary>A report of <paramref name="predictions"/> against <paramref name="targets"/> (same length).</summary>
        public static RegressionReport From(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, double loss = double.NaN, bool binary = false)
        {
            if (predictions.Length != targets.Length)
            {
                throw new ArgumentException($"{predictions.Length} predictions but {targets.Length} targets.", nameof(targets));
            }
            double squared = 0, absolute = 0;
            long correct = 0;
            for (int i = 0; i < predictions.Length; i++)
            {
                double d = (double)predictions[i] - targets[i];
                squared += d * d;
                absolute += Math.Abs(d);
                correct += (predictions[i] >= 0.5f) == (targets[i] >= 0.5f) ? 1 : 0;
            }
            int n = Math.Max(predictions.Length, 1);
            return new RegressionReport(predictions.Length, loss, squared / n, absolute / n, binary ? (double)correct / n : null);
        }

        /// <summary>Values compared (samples × outputs).</summary>
        public long Count { get; }

        /// <summary>The network's mean loss (NaN if not measured).</summary>
        public double Loss { get; }

        /// <summary>
        /// Whether <see cref="Loss"/> was measured (by <c>Evaluate</c>), so a NaN there is a diverged network or bad
        /// data, printed as such, rather than "no loss given".
        /// </summary>
        internal bool LossMeasured { get; set; }

        /// <summary>Mean of the squared errors.</summary>
        public double MeanSquaredError { get; }

        /// <summary>Mean of the absolute errors.</summary>
        public double MeanAbsoluteError { get; }

        /// <summary>√MSE, in the targets' units.</summary>
        public double RootMeanSquaredError => Math.Sqrt(MeanSquaredError);

        /// <summary>For binary outputs: the fraction of outputs on the right side of 0.5.</summary>
        public double? BinaryAccuracy { get; }

        /// <inheritdoc/>
        public override string ToString()
        {
            var text = new StringBuilder();
            var inv = CultureInfo.InvariantCulture;
            if (LossMeasured || !double.IsNaN(Loss))
            {
                text.Append(inv, $"Loss {Loss:F6}   ");
            }
            text.Append(inv, $"MSE {MeanSquaredError:F6}   RMSE {RootMeanSquaredError:F6}   MAE {MeanAbsoluteError:F6}");
            if (BinaryAccuracy is double accuracy)
            {
                text.Append(inv, $"   Accuracy {accuracy * 100:F2}%");
            }
            text.Append(inv, $"   ({Count:N0} values)");
            return text.ToString();
        }
    }
}

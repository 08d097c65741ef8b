using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen
{
    /// <summary>Precision, recall, F1 and support of one class.</summary>
    public sealed record ClassMetrics(int Class, string Name, double Precision, double Recall, double F1, long Support);

    /// <summary>
    /// How well a classifier did on labelled data, as scikit-learn's <c>classification_report</c> and
    /// <c>confusion_matrix</c>: accuracy, per-class precision/recall/F1/support, their macro and
    /// support-weighted averages, and the confusion matrix. A ratio whose denominator is zero (a class
    /// never predicted) counts as 0, like scikit-learn's <c>zero_division=0</c>. <see cref="ToString"/>
    /// prints it all as a table, leaving out the confusion matrix above <see cref="PrintedMatrixLimit"/>
    /// classes and the per-class rows above <see cref="PrintedClassLimit"/> (both stay in the properties).
    /// For a classifier of every time step, each position is one prediction.
    /// </summary>
    public sealed class ClassificationReport
    {
        private ClassificationReport(ConfusionMatrix matrix, IReadOnlyList<string>? classNames, double loss)
        {
            Matrix = matrix;
            ClassNames = classNames;
            Loss = loss;
            Count = matrix.Total;
            long correct = 0;
            var perClass = new ClassMetrics[matrix.ClassCount];
            double macroP = 0, macroR = 0, macroF = 0, weightedP = 0, weightedR = 0, weightedF = 0;
            for (int c = 0; c < perClass.Length; c++)
            {
                long tp = matrix[c, c];
                correct += tp;
                long support = matrix.ActualCount(c);
                long predicted = matrix.PredictedCount(c);
                double precision = predicted == 0 ? 0 : (double)tp / predicted;
                double recall = support == 0 ? 0 : (double)tp / support;
                double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
                string name = classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
                perClass[c] = new ClassMetrics(c, name, precision, recall, f1, support);
                macroP += precision;
                macroR += recall;
                macroF += f1;
                weightedP += precision * support;
                weightedR += recall * support;
                weightedF += f1 * support;
            }
            PerClass = perClass;
            Accuracy = Count == 0 ? 0 : (double)correct / Count;
            Correct = correct;
            int k = perClass.Length;
            MacroPrecision = macroP / k;
            MacroRecall = macroR / k;
            MacroF1 = macroF / k;
            WeightedPrecision = Count == 0 ? 0 : weightedP / Count;
            WeightedRecall = Count == 0 ? 0 : weightedR / Count;
            WeightedF1 = Count == 0 ? 0 : weightedF / Count;
        }

        /// <summary>A report of <paramref name="predicted"/> against <paramref name="actual"/> labels; <paramref name="loss"/> is shown if not NaN.</summary>
        public static ClassificationReport From(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount,
            IReadOnlyList<string>? classNames = null, double loss = double.NaN) =>
            new(ConfusionMatrix.From(actual, predicted, classCount), classNames, loss);

        /// <summary>The most classes whose confusion matrix <see cref="ToString"/> prints.</summary>
        public const int PrintedMatrixLimit = 20;

        /// <summary>The most classes whose per-class rows <see cref="ToString"/> prints.</summary>
        public const int PrintedClassLimit = 100;

        /// <summary>The mean loss over the data (NaN if not measured).</summary>
        public double Loss { get; }

        /// <summary>
        /// Whether <see cref="Loss"/> was measured (by <c>Evaluate</c>), so a NaN there is a diverged network or bad
        /// data, printed as such, rather than "no loss given".
        /// </summary>
        internal bool LossMeasured { get; set; }

        /// <summary>Predictions evaluated: samples, or samples × time steps for a classifier of every step.</summary>
        public long Count { get; }

        /// <summary>Predictions that were right.</summary>
        public long Correct { get; }

        /// <summary>Fraction classified correctly.</summary>
        public double Accuracy { get; }

        /// <summary>Per-class metrics, by label.</summary>
        public IReadOnlyList<ClassMetrics> PerClass { get; }

        /// <summary>Unweighted mean of the per-class precisions.</summary>
        public double MacroPrecision { get; }

        /// <summary>Unweighted mean of the per-class recalls.</summary>
        public double MacroRecall { get; }

        /// <summary>Unweighted mean of the per-class F1 scores.</summary>
        public double MacroF1 { get; }

        /// <summary>Support-weighted mean of the per-class precisions.</summary>
        public double WeightedPrecision { get; }

        /// <summary>Support-weighted mean of the per-class recalls.</summary>
        public double WeightedRecall { get; }

        /// <summary>Support-weighted mean of the per-class F1 scores.</summary>
        public double WeightedF1 { get; }

        /// <summary>The confusion matrix (row = actual, column = predicted).</summary>
        public ConfusionMatrix Matrix { get; }

        /// <summary>Class names used in the printout, if any.</summary>
        public IReadOnlyList<string>? ClassNames { get; }

        /// <inheritdoc/>
        public override string ToString()
        {
            var text = new StringBuilder();
            var inv = CultureInfo.InvariantCulture;
            if (LossMeasured || !double.IsNaN(Loss))
            {
                text.Append(inv, $"Loss {Loss:F4}   ");
            }
            text.Append(inv, $"Accuracy {Accuracy * 100:F2}% ({Correct:N0} of {Count:N0})").AppendLine();
            if (LossMeasured && !double.IsFinite(Loss))
            {
                text.AppendLine("The loss is not finite: the network has diverged (or the data holds NaN/∞); the predictions below mean nothing.");
            }
            text.AppendLine();
            bool perClass = PerClass.Count <= PrintedClassLimit;
            int nameWidth = 12;
            foreach (ClassMetrics m in perClass ? PerClass : [])
            {
                nameWidth = Math.Max(nameWidth, m.Name.Length);
            }
            text.Append(' ', nameWidth).AppendLine("  precision     recall   f1-score    support");
            if (perClass)
            {
                foreach (ClassMetrics m in PerClass)
                {
                    Row(text, m.Name, m.Precision, m.Recall, m.F1, m.Support, nameWidth);
                }
                text.AppendLine();
            }
            Row(text, "macro avg", MacroPrecision, MacroRecall, MacroF1, Count, nameWidth);
            Row(text, "weighted avg", WeightedPrecision, WeightedRecall, WeightedF1, Count, nameWidth);
            if (PerClass.Count <= PrintedMatrixLimit)
            {
                text.AppendLine().AppendLine("Confusion matrix (rows: actual, columns: predicted)");
                text.Append(Matrix.ToString(ClassNames));
            }
            else
            {
                text.AppendLine().Append(inv, $"{PerClass.Count:N0} classes: ")
                    .AppendLine(perClass ? "the confusion matrix is in Matrix." : "per-class metrics are in PerClass, the confusion matrix in Matrix.");
            }
            return text.ToString();
        }

        private static void Row(StringBuilder text, string name, double p, double r, double f, long support, int width) =>
            text.Append(name.PadLeft(width)).Append(CultureInfo.InvariantCulture, $"  {p,9:F4}  {r,9:F4}  {f,9:F4}  {support,9:N0}").AppendLine();
    }
}

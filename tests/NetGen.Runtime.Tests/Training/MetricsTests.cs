using System;

namespace NetGen.Runtime.Tests.Training
{
    public class MetricsTests
    {
        // scikit-learn on the same labels: classification_report(actual, predicted, digits=4, zero_division=0).
        private static readonly int[] Actual = [0, 0, 0, 1, 1, 2, 2, 2, 2, 0];
        private static readonly int[] Predicted = [0, 1, 0, 1, 1, 2, 0, 2, 1, 0];

        [Fact]
        public void Confusion_matrix_counts_actual_rows_and_predicted_columns()
        {
            ConfusionMatrix m = ConfusionMatrix.From(Actual, Predicted, 3);
            Assert.Equal(3, m[0, 0]);
            Assert.Equal(1, m[0, 1]);
            Assert.Equal(1, m[2, 0]);
            Assert.Equal(1, m[2, 1]);
            Assert.Equal(2, m[2, 2]);
            Assert.Equal(10, m.Total);
            Assert.Equal(4, m.ActualCount(2));
            Assert.Equal(4, m.PredictedCount(1));
            Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From([3], [0], 3));
        }

        [Fact]
        public void Precision_recall_f1_match_scikit_learn()
        {
            ClassificationReport r = ClassificationReport.From(Actual, Predicted, 3, ["cat", "dog", "bird"], loss: 0.5);
            Assert.Equal(0.7, r.Accuracy, 12);
            // class 0: tp 3, predicted 4, actual 4
            Assert.Equal(0.75, r.PerClass[0].Precision, 12);
            Assert.Equal(0.75, r.PerClass[0].Recall, 12);
            // class 1: tp 2, predicted 4, actual 2 -> p 0.5, r 1, f1 0.6667
            Assert.Equal(0.5, r.PerClass[1].Precision, 12);
            Assert.Equal(1.0, r.PerClass[1].Recall, 12);
            Assert.Equal(2.0 / 3, r.PerClass[1].F1, 12);
            // class 2: tp 2, predicted 2, actual 4 -> p 1, r 0.5
            Assert.Equal(0.5, r.PerClass[2].Recall, 12);
            Assert.Equal((0.75 + 2.0 / 3 + 2.0 / 3) / 3, r.MacroF1, 12);
            Assert.Equal((0.75 * 4 + 2.0 / 3 * 2 + 2.0 / 3 * 4) / 10, r.WeightedF1, 12);
            Assert.Equal(4, r.PerClass[2].Support);

            string text = r.ToString();
            Assert.Contains("Loss 0.5000", text);
            Assert.Contains("Accuracy 70.00% (7 of 10)", text);
            Assert.Contains("bird", text);
            Assert.Contains("macro avg", text);
            Assert.Contains("Confusion matrix", text);
        }

        [Fact]
        public void A_class_never_predicted_counts_as_zero_precision()
        {
            ClassificationReport r = ClassificationReport.From([0, 1], [0, 0], 2);
            Assert.Equal(0, r.PerClass[1].Precision);
            Assert.Equal(0, r.PerClass[1].F1);
        }

        [Fact]
        public void Regression_report_gives_mse_mae_and_binary_accuracy()
        {
            RegressionReport r = RegressionReport.From([1, 2, 0.75f, 0.2f], [0, 2, 1, 0], binary: true);
            Assert.Equal((1 + 0 + 0.0625 + 0.04) / 4, r.MeanSquaredError, 6);
            Assert.Equal((1 + 0 + 0.25 + 0.2) / 4, r.MeanAbsoluteError, 6);
            Assert.Equal(0.75, r.BinaryAccuracy);
            Assert.Contains("MAE", r.ToString());
        }

        [Fact]
        public void A_confusion_matrix_over_many_classes_stores_only_what_occurs_and_counts_the_same()
        {
            var rng = new Rng(3);
            int[] actual = new int[5000], predicted = new int[5000];
            for (int i = 0; i < actual.Length; i++)
            {
                actual[i] = rng.NextInt(50);
                predicted[i] = rng.NextInt(4) == 0 ? rng.NextInt(50) : actual[i];
            }
            ConfusionMatrix dense = ConfusionMatrix.From(actual, predicted, 50);
            // The same labels among 5000 classes (beyond the dense limit): every cell, row and column agrees.
            ConfusionMatrix sparse = ConfusionMatrix.From(actual, predicted, 5000);
            Assert.True(5000 > ConfusionMatrix.DenseLimit);
            for (int a = 0; a < 50; a++)
            {
                Assert.Equal(dense.ActualCount(a), sparse.ActualCount(a));
                Assert.Equal(dense.PredictedCount(a), sparse.PredictedCount(a));
                for (int p = 0; p < 50; p++)
                {
                    Assert.Equal(dense[a, p], sparse[a, p]);
                }
            }
            Assert.Equal(0, sparse[4999, 4999]);
            Assert.Equal(5000, sparse.Total);
            long diagonal = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                diagonal += actual[i] == predicted[i] ? 1 : 0;
            }
            Assert.Equal(diagonal / 5000.0, ClassificationReport.From(actual, predicted, 5000).Accuracy, 12);
        }

        [Fact]
        public void Reports_over_many_classes_leave_out_the_matrix_then_the_per_class_rows()
        {
            int[] labels = [0, 1, 2, 20];
            string row20 = Environment.NewLine + "          20     1.0000     1.0000     1.0000";
            string some = ClassificationReport.From(labels, labels, 21).ToString();
            Assert.DoesNotContain("Confusion matrix", some);
            Assert.Contains("21 classes: the confusion matrix is in Matrix.", some);
            Assert.Contains(row20, some);

            string many = ClassificationReport.From(labels, labels, 101).ToString();
            Assert.Contains("macro avg", many);
            Assert.DoesNotContain(row20, many);
            Assert.Contains("101 classes: per-class metrics are in PerClass, the confusion matrix in Matrix.", many);

            Assert.Contains("Confusion matrix", ClassificationReport.From([0, 1], [0, 1], ClassificationReport.PrintedMatrixLimit).ToString());
        }
    }
}

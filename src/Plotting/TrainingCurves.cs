using System;
using System.Collections.Generic;
using ScottPlot;

namespace NetGen
{
    /// <summary>
    /// Plots a <see cref="History"/> the way the Keras tutorials plot <c>history.history</c>: the loss per
    /// epoch, training and validation, beside the training metric (accuracy, or MAE for regression) per
    /// epoch, training and validation.
    /// </summary>
    public static class TrainingCurves
    {
        /// <summary>Writes the curves of <paramref name="history"/> to <paramref name="path"/> as a PNG.</summary>
        public static void SavePng(History history, string path, int width = 1200, int height = 450, string? title = null)
        {
            ArgumentNullException.ThrowIfNull(history);
            ArgumentException.ThrowIfNullOrEmpty(path);
            if (history.Epochs.Count == 0)
            {
                throw new ArgumentException("The history has no epochs to plot.", nameof(history));
            }
            string metric = history.Contains("accuracy") ? "accuracy" : history.Contains("mae") ? "mae" : "loss";
            var multiplot = new Multiplot();
            multiplot.AddPlots(metric == "loss" ? 1 : 2);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
            Draw(multiplot.GetPlot(0), history, "loss", "Loss", title);
            if (metric != "loss")
            {
                Draw(multiplot.GetPlot(1), history, metric, metric == "accuracy" ? "Accuracy" : "Mean absolute error", title);
            }
            multiplot.SavePng(path, width, height);
        }

        private static void Draw(Plot plot, History history, string metric, string label, string? title)
        {
            double[] epochs = new double[history.Epochs.Count];
            for (int i = 0; i < epochs.Length; i++)
            {
                epochs[i] = history.Epochs[i].Epoch + 1;
            }
            double scale = metric == "accuracy" ? 100 : 1;
            AddSeries(plot, epochs, history, metric, scale, "training", Colors.C0, LinePattern.Solid);
            if (history.Contains("val_" + metric))
            {
                AddSeries(plot, epochs, history, "val_" + metric, scale, "validation", Colors.C1, LinePattern.Solid);
            }
            plot.Title(title is null ? label : $"{title}: {label}");
            plot.XLabel("Epoch");
            plot.YLabel(metric == "accuracy" ? "Accuracy (%)" : label);
            plot.ShowLegend(metric == "accuracy" ? Alignment.LowerRight : Alignment.UpperRight);
            plot.Axes.AutoScale();
            plot.Axes.SetLimitsX(0.5, epochs[^1] + 0.5);
            AxisLimits limits = plot.Axes.GetLimits();
            if (metric == "accuracy" && limits.Top > 100)
            {
                plot.Axes.SetLimitsY(limits.Bottom, 100.5);
            }
            if (epochs.Length <= 20)
            {
                plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(epochs.Length <= 10 ? 1 : 2);
            }
        }

        private static void AddSeries(Plot plot, double[] epochs, History history, string metric, double scale, string legend, Color color, LinePattern pattern)
        {
            IReadOnlyList<double> values = history[metric];
            double[] ys = new double[values.Count];
            for (int i = 0; i < ys.Length; i++)
            {
                ys[i] = values[i] * scale;
            }
            var scatter = plot.Add.Scatter(epochs, ys, color);
            scatter.LegendText = legend;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 6;
            scatter.LinePattern = pattern;
        }
    }
}

using System;
using System.Collections.Generic;

namespace NetGen.Runtime.Tests.Training
{
    public class EarlyStoppingTests
    {
        private static (TrainingContext, FakeNetwork) Context()
        {
            var network = new FakeNetwork();
            var context = new TrainingContext(network, new Sgd(0.1f), new History(), 100, 10, 1, TrainingState.Start(0.1, 0));
            return (context, network);
        }

        // Runs epochs with the given metric values until the callback stops; each epoch writes its index into the parameters.
        private static int? Run(EarlyStopping stopping, string metric, double[] values, out TrainingContext context, out FakeNetwork network)
        {
            (context, network) = Context();
            stopping.OnTrainBegin(context);
            for (int epoch = 0; epoch < values.Length && !context.StopTraining; epoch++)
            {
                network.Parameters.Fill(epoch);
                var log = new EpochLog(epoch, new Dictionary<string, double> { ["loss"] = 1, [metric] = values[epoch] }, 0);
                context.History.Add(log);
                stopping.OnEpochEnd(context, log);
            }
            stopping.OnTrainEnd(context);
            return stopping.StoppedEpoch;
        }

        [Fact]
        public void Stops_after_patience_epochs_without_improvement()
        {
            var stopping = new EarlyStopping("val_loss", patience: 2);
            Assert.Equal(3, Run(stopping, "val_loss", [1.0, 0.8, 0.9, 0.8, 0.85, 0.1], out TrainingContext context, out _));
            Assert.Equal(1, stopping.BestEpoch);
            Assert.Equal(0.8, stopping.Best);
            Assert.True(context.StopTraining);
        }

        [Fact]
        public void Min_delta_ignores_small_improvements()
        {
            var stopping = new EarlyStopping("val_loss", patience: 1, minDelta: 0.05);
            Assert.Equal(2, Run(stopping, "val_loss", [1.0, 0.9, 0.86, 0.5], out _, out _));
            Assert.Equal(1, stopping.BestEpoch);
        }

        [Fact]
        public void Accuracy_is_maximized_in_auto_mode_and_min_can_be_forced()
        {
            var auto = new EarlyStopping("val_accuracy", patience: 1);
            Assert.Equal(2, Run(auto, "val_accuracy", [0.5, 0.7, 0.6, 0.9], out _, out _));
            Assert.Equal(0.7, auto.Best);
            var forced = new EarlyStopping("val_accuracy", patience: 1, mode: MonitorMode.Min);
            Assert.Equal(1, Run(forced, "val_accuracy", [0.5, 0.7, 0.6], out _, out _));
        }

        [Fact]
        public void Restore_best_weights_puts_back_the_best_epoch_parameters_and_buffers()
        {
            var stopping = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
            Run(stopping, "val_loss", [1.0, 0.5, 0.7, 0.9, 0.2], out _, out FakeNetwork network);
            Assert.All(network.Parameters.ToArray(), p => Assert.Equal(1f, p));

            // Without stopping early too, as Keras 3 does.
            var late = new EarlyStopping("val_loss", patience: 10, restoreBestWeights: true);
            Assert.Null(Run(late, "val_loss", [1.0, 0.5, 0.7], out _, out FakeNetwork other));
            Assert.All(other.Parameters.ToArray(), p => Assert.Equal(1f, p));
        }

        [Fact]
        public void A_missing_metric_names_what_is_logged()
        {
            var stopping = new EarlyStopping("val_loss");
            var e = Assert.Throws<InvalidOperationException>(() => Run(stopping, "loss2", [1.0], out _, out _));
            Assert.Contains("\"val_loss\" is not logged", e.Message);
            Assert.Contains("ValidationSplit", e.Message);
        }
    }
}

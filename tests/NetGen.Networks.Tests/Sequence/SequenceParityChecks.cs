using System;
using System.Collections.Generic;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Sequence
{
    /// <summary>
    /// The checks a token-input network's PyTorch fixture (<see cref="SequenceFixture"/>) makes, shared by the
    /// sequence and Transformer parity tests: layout, the forward/loss/gradient pass, and optimizer steps, with
    /// parameters loaded and gathered by state_dict name.
    /// </summary>
    internal static class SequenceParityChecks
    {
        /// <summary>Sizes, shapes and the parameter layout (names, shapes, offsets) against the fixture's state_dict.</summary>
        public static void Layout(ITestOutputHelper output, INetwork<int, int> net, SequenceFixture f)
        {
            output.WriteLine($"{f.Name}: {string.Join(" ", f.Declaration)}");
            Assert.Equal(Loss.CrossEntropy, net.Loss);
            Assert.Equal([f.SequenceLength], net.InputShape);
            Assert.Equal(f.SequenceLength, net.InputSize);
            Assert.Equal(f.Inputs.Length / f.BatchSize, net.InputSize);
            Assert.Equal(f.OutputSize, net.OutputSize);
            Assert.Equal(f.TargetSize, net.TargetSize);
            Assert.Equal(f.TargetShape.Length == 2 ? f.SequenceLength : 1, net.TargetSize);
            Assert.Equal(f.ParameterCount, net.ParameterCount);
            Assert.Equal(f.ParameterCount, net.Parameters.Length);
            Assert.Equal(f.ParameterCount, net.Gradients.Length);
            ParityComparison.AssertSameLayout(f.Layout, net.ParameterLayout);
        }

        /// <summary>
        /// From the fixture's initial parameters: outputs (both Forward overloads), the loss from ComputeLoss and
        /// ComputeGradients, every gradient, and the parameters left untouched; returns the gradients in the fixture's layout.
        /// </summary>
        public static float[] ForwardLossAndGradients(ITestOutputHelper output, INetwork<int, int> net, SequenceFixture f, List<string> failures)
        {
            output.WriteLine($"{f.Name}: {f.Description}");
            LoadByName(net, f.Layout, f.InitialParameters);
            int b = f.BatchSize;

            var outputs = new float[f.Outputs.Length];
            net.Forward(f.Inputs, outputs, b);
            ParityComparison.Compare(output, "outputs", outputs, f.Outputs, f.OutputName, failures);
            ParityComparison.Compare(output, "outputs (Forward view)", net.Forward(f.Inputs, b).ToArray(), f.Outputs, f.OutputName, failures);

            float loss = net.ComputeLoss(f.Inputs, f.Labels, b);
            ParityComparison.Compare(output, "loss (ComputeLoss)", [loss], [f.LossValue], _ => "loss", failures);

            float lossWithGradients = net.ComputeGradients(f.Inputs, f.Labels, b);
            ParityComparison.Compare(output, "loss (ComputeGradients)", [lossWithGradients], [f.LossValue], _ => "loss", failures);
            float[] gradients = GatherByName(net, net.Gradients, f.Layout);
            ParityComparison.Compare(output, "gradients", gradients, f.Gradients, f.ParameterName, failures);
            ParityComparison.Compare(output, "parameters untouched by ComputeGradients", GatherByName(net, net.Parameters, f.Layout), f.InitialParameters, f.ParameterName, failures);
            return gradients;
        }

        /// <summary>The fixture's optimizer steps from its initial parameters: the loss before each step and the parameters after it.</summary>
        public static void OptimizerSteps(ITestOutputHelper output, INetwork<int, int> net, SequenceFixture f, string optimizerName, List<string> failures)
        {
            FixtureOptimizer o = f.Optimizers.Single(x => x.Name == optimizerName);
            output.WriteLine($"{f.Name}: {f.Description}; optimizer {o.Name} = {o.Type}({o.Settings})");
            LoadByName(net, f.Layout, f.InitialParameters);
            Optimizer optimizer = FixtureLoader.CreateOptimizer(o.Type, o.Hyper);
            for (int step = 0; step < o.Steps.Length; step++)
            {
                float loss = net.TrainStep(f.Inputs, f.Labels, f.BatchSize, optimizer);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: loss before the step", [loss], [o.Losses[step]], _ => "loss", failures);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: parameters", GatherByName(net, net.Parameters, f.Layout), o.Steps[step], f.ParameterName, failures);
            }
        }

        /// <summary>Copies each fixture tensor into the network's tensor of the same name (shapes must agree).</summary>
        public static void LoadByName(INetwork net, FixtureTensor[] layout, float[] values)
        {
            foreach (FixtureTensor t in layout)
            {
                ParameterTensor target = Find(net, t);
                values.AsSpan(t.Offset, t.Length).CopyTo(target.Of(net.Parameters));
            }
        }

        /// <summary>A buffer laid out like the network's parameters, reordered into the fixture's layout by name.</summary>
        public static float[] GatherByName(INetwork net, Span<float> buffer, FixtureTensor[] layout)
        {
            var gathered = new float[layout.Sum(t => t.Length)];
            foreach (FixtureTensor t in layout)
            {
                Find(net, t).Of(buffer).CopyTo(gathered.AsSpan(t.Offset, t.Length));
            }
            return gathered;
        }

        private static ParameterTensor Find(INetwork net, FixtureTensor t)
        {
            ParameterTensor? found = net.ParameterLayout.SingleOrDefault(p => p.Name == t.Name);
            Assert.True(found is not null, $"the network has no tensor '{t.Name}'");
            Assert.Equal(t.Shape, found.Shape.ToArray());
            return found;
        }
    }
}

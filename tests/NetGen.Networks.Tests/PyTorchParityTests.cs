using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests
{
    /// <summary>
    /// Generated networks against PyTorch 1.13 (fixtures from tests/fixtures/make_fixtures.py): same
    /// initial parameters, same batch; outputs, mean loss, every gradient, and the parameters after
    /// one and two steps of each optimizer must agree to |a − b| ≤ 1e-5·max(1, |b|). Like llm.c's
    /// test_gpt2.c, every comparison reports its largest difference and where it falls.
    /// </summary>
    public class PyTorchParityTests(ITestOutputHelper output)
    {
        private const double Tolerance = 1e-5;

        /// <summary>Fixture case name → the declared network (ParityNetworks.cs) it is checked against.</summary>
        private static readonly Dictionary<string, Func<INetwork>> Networks = new(StringComparer.Ordinal)
        {
            ["ce_relu_softmax"] = () => new ParityCeReluSoftmax(),
            ["ce_tanh_sigmoid_softmax"] = () => new ParityCeTanhSigmoidSoftmax(),
            ["bce_leakyrelu_sigmoid"] = () => new ParityBceLeakyReluSigmoid(),
            ["mse_gelu_linear"] = () => new ParityMseGeluLinear(),
            ["mse_sigmoid_tanh"] = () => new ParityMseSigmoidTanh(),
            ["mse_relu_softmax"] = () => new ParityMseReluSoftmax(),
            ["ce_hidden_softmax"] = () => new ParityCeHiddenSoftmax(),
            ["bce_logistic"] = () => new ParityLogistic(),
            ["mnist_sigmoid_softmax"] = () => new ParityMnist(),
        };

        public static TheoryData<string> Cases()
        {
            var data = new TheoryData<string>();
            foreach (string name in Networks.Keys.Order(StringComparer.Ordinal))
            {
                data.Add(name);
            }
            return data;
        }

        public static TheoryData<string, string> CasesAndOptimizers()
        {
            var data = new TheoryData<string, string>();
            foreach (string name in FixtureLoader.NetworkCaseNames().Where(Networks.ContainsKey))
            {
                foreach (FixtureOptimizer o in FixtureLoader.LoadNetwork(name).Optimizers)
                {
                    data.Add(name, o.Name);
                }
            }
            return data;
        }

        [Fact]
        public void Every_fixture_has_a_network_and_every_network_a_fixture()
        {
            string[] fixtures = FixtureLoader.NetworkCaseNames().ToArray();
            Assert.NotEmpty(fixtures);
            Assert.Equal(Networks.Keys.Order(StringComparer.Ordinal), fixtures);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Layout_matches_the_PyTorch_state_dict(string name)
        {
            NetworkFixture f = FixtureLoader.LoadNetwork(name);
            INetwork net = Networks[name]();
            Assert.Equal(f.Loss, net.Loss);
            Assert.Equal(f.InputShape, net.InputShape);
            Assert.Equal(f.Inputs.Length / f.BatchSize, net.InputSize);
            Assert.Equal(f.Outputs.Length / f.BatchSize, net.OutputSize);
            Assert.Equal(f.ParameterCount, net.ParameterCount);
            Assert.Equal(f.ParameterCount, net.Parameters.Length);
            Assert.Equal(f.ParameterCount, net.Gradients.Length);
            Assert.Equal(
                f.Layout.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] @ {t.Offset}"),
                net.ParameterLayout.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}] @ {t.Offset}"));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_loss_and_gradients_match_PyTorch(string name)
        {
            NetworkFixture f = FixtureLoader.LoadNetwork(name);
            output.WriteLine($"{f.Name}: {f.Description}");
            switch (Networks[name]())
            {
                case INetwork<int> net:
                    ForwardAndBackward(net, f, f.Labels!);
                    break;
                case INetwork<float> net:
                    ForwardAndBackward(net, f, f.Targets!);
                    break;
                default:
                    throw new InvalidOperationException($"{name}: unexpected target type.");
            }
        }

        [Theory]
        [MemberData(nameof(CasesAndOptimizers))]
        public void Two_optimizer_steps_match_PyTorch(string name, string optimizerName)
        {
            NetworkFixture f = FixtureLoader.LoadNetwork(name);
            FixtureOptimizer o = f.Optimizers.Single(x => x.Name == optimizerName);
            output.WriteLine($"{f.Name}: {f.Description}; optimizer {o.Name} = {o.Type}({o.Settings})");
            switch (Networks[name]())
            {
                case INetwork<int> net:
                    TwoSteps(net, f, f.Labels!, o);
                    break;
                case INetwork<float> net:
                    TwoSteps(net, f, f.Targets!, o);
                    break;
                default:
                    throw new InvalidOperationException($"{name}: unexpected target type.");
            }
        }

        private void ForwardAndBackward<T>(INetwork<T> net, NetworkFixture f, T[] targets) where T : unmanaged
        {
            f.InitialParameters.CopyTo(net.Parameters);
            int b = f.BatchSize;
            var failures = new List<string>();

            var outputs = new float[f.Outputs.Length];
            net.Forward(f.Inputs, outputs, b);
            Compare("outputs", outputs, f.Outputs, i => $"outputs[{i / net.OutputSize}, {i % net.OutputSize}]", failures);

            float loss = net.ComputeLoss(f.Inputs, targets, b);
            Compare("loss (ComputeLoss)", [loss], [f.LossValue], _ => "loss", failures);

            float lossWithGradients = net.ComputeGradients(f.Inputs, targets, b);
            Compare("loss (ComputeGradients)", [lossWithGradients], [f.LossValue], _ => "loss", failures);
            Compare("gradients", net.Gradients.ToArray(), f.Gradients, f.ParameterName, failures);
            Compare("parameters untouched by ComputeGradients", net.Parameters.ToArray(), f.InitialParameters, f.ParameterName, failures);

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        private void TwoSteps<T>(INetwork<T> net, NetworkFixture f, T[] targets, FixtureOptimizer o) where T : unmanaged
        {
            f.InitialParameters.CopyTo(net.Parameters);
            Optimizer optimizer = FixtureLoader.CreateOptimizer(o.Type, o.Hyper);
            var failures = new List<string>();
            for (int step = 0; step < o.Steps.Length; step++)
            {
                float loss = net.TrainStep(f.Inputs, targets, f.BatchSize, optimizer);
                Compare($"{o.Name} step {step + 1}: loss before the step", [loss], [o.Losses[step]], _ => "loss", failures);
                Compare($"{o.Name} step {step + 1}: parameters", net.Parameters.ToArray(), o.Steps[step], f.ParameterName, failures);
            }
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        /// <summary>
        /// Compares element by element, logs the largest difference (index, tensor, both values) and,
        /// if any element is out of tolerance, records a failure describing the worst one.
        /// </summary>
        private void Compare(string what, float[] actual, float[] expected, Func<int, string> where, List<string> failures)
        {
            if (actual.Length != expected.Length)
            {
                failures.Add($"{what}: NetGen has {actual.Length} values, PyTorch {expected.Length}.");
                return;
            }
            int largest = -1, worst = -1, bad = 0;
            double largestDiff = 0, worstRatio = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                double diff = Math.Abs((double)actual[i] - expected[i]);
                double ratio = diff / (Tolerance * Math.Max(1.0, Math.Abs((double)expected[i])));
                if (double.IsNaN(diff))
                {
                    diff = ratio = double.PositiveInfinity;
                }
                if (largest < 0 || diff > largestDiff)
                {
                    largest = i;
                    largestDiff = diff;
                }
                if (ratio > 1)
                {
                    bad++;
                    if (worst < 0 || ratio > worstRatio)
                    {
                        worst = i;
                        worstRatio = ratio;
                    }
                }
            }
            if (largest < 0)
            {
                output.WriteLine($"OK  {what}: empty");
                return;
            }
            string Describe(int i) =>
                $"at [{i}] {where(i)}: NetGen {R(actual[i])}, PyTorch {R(expected[i])}, |Δ| = {R(Math.Abs((double)actual[i] - expected[i]))}";
            if (bad == 0)
            {
                output.WriteLine($"OK  {what}: max |Δ| {Describe(largest)}");
                return;
            }
            string message = $"NOT OK {what}: {bad} of {actual.Length} values outside 1e-5·max(1, |torch|); worst {Describe(worst)}; largest |Δ| {Describe(largest)}";
            output.WriteLine(message);
            failures.Add(message);
        }

        private static string R(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
    }
}

using System;
using System.Collections.Generic;
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
            ParityComparison.AssertSameLayout(f.Layout, net.ParameterLayout);
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
            ParityComparison.Compare(output, "outputs", outputs, f.Outputs, i => $"outputs[{i / net.OutputSize}, {i % net.OutputSize}]", failures);

            float loss = net.ComputeLoss(f.Inputs, targets, b);
            ParityComparison.Compare(output, "loss (ComputeLoss)", [loss], [f.LossValue], _ => "loss", failures);

            float lossWithGradients = net.ComputeGradients(f.Inputs, targets, b);
            ParityComparison.Compare(output, "loss (ComputeGradients)", [lossWithGradients], [f.LossValue], _ => "loss", failures);
            ParityComparison.Compare(output, "gradients", net.Gradients.ToArray(), f.Gradients, f.ParameterName, failures);
            ParityComparison.Compare(output, "parameters untouched by ComputeGradients", net.Parameters.ToArray(), f.InitialParameters, f.ParameterName, failures);

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
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: loss before the step", [loss], [o.Losses[step]], _ => "loss", failures);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: parameters", net.Parameters.ToArray(), o.Steps[step], f.ParameterName, failures);
            }
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Xunit.Abstractions;

namespace NetGen.Networks.Tests.Cnn
{
    /// <summary>
    /// Generated convolutional networks against PyTorch 1.13 (fixtures from
    /// tests/fixtures/make_cnn_fixtures.py). Parameters and batch-norm buffers are loaded tensor by
    /// tensor through ParameterLayout / BufferLayout names; then inference outputs and loss (running
    /// statistics), one training pass (training loss and outputs with batch statistics, every
    /// gradient, the running statistics and num_batches_tracked after it), and two optimizer steps
    /// (parameters and buffers after each, inference afterwards) must agree to
    /// |a − b| ≤ 1e-5·max(1, |b|). Every comparison reports its largest difference and where it falls.
    /// </summary>
    public class CnnParityTests(ITestOutputHelper output)
    {
        /// <summary>Fixture case name → the declared network (CnnParityNetworks.cs) it is checked against.</summary>
        private static readonly Dictionary<string, Func<INetwork>> Networks = new(StringComparer.Ordinal)
        {
            ["batchnorm_conv"] = () => new CnnParityBatchNormConv(),
            ["batchnorm_dense"] = () => new CnnParityBatchNormDense(),
            ["conv_same"] = () => new CnnParityConvSame(),
            ["conv_stride_dilation"] = () => new CnnParityConvStrideDilation(),
            ["pooling"] = () => new CnnParityPooling(),
            ["small_cnn"] = () => new CnnParitySmallCnn(),
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
            foreach (string name in CnnFixtureLoader.CaseNames().Where(Networks.ContainsKey))
            {
                foreach (CnnFixtureOptimizer o in CnnFixtureLoader.Load(name).Optimizers)
                {
                    data.Add(name, o.Name);
                }
            }
            return data;
        }

        [Fact]
        public void Every_fixture_has_a_network_and_every_network_a_fixture()
        {
            string[] fixtures = CnnFixtureLoader.CaseNames().ToArray();
            Assert.NotEmpty(fixtures);
            Assert.Equal(Networks.Keys.Order(StringComparer.Ordinal), fixtures);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Layout_matches_the_PyTorch_state_dict(string name)
        {
            CnnFixture f = CnnFixtureLoader.Load(name);
            INetwork net = Networks[name]();
            Assert.Equal(f.Loss, net.Loss);
            Assert.Equal(f.InputShape, net.InputShape);
            Assert.Equal(f.Inputs.Length / f.BatchSize, net.InputSize);
            Assert.Equal(f.InferenceOutputs.Length / f.BatchSize, net.OutputSize);
            Assert.Equal(f.ParameterCount, net.ParameterCount);
            Assert.Equal(f.ParameterCount, net.Parameters.Length);
            Assert.Equal(f.ParameterCount, net.Gradients.Length);
            Assert.Equal(f.BufferCount, net.Buffers.Length);
            ParityComparison.AssertSameLayout(f.Layout, net.ParameterLayout);
            ParityComparison.AssertSameLayout(f.BufferLayout, net.BufferLayout);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Inference_and_one_training_pass_match_PyTorch(string name)
        {
            CnnFixture f = CnnFixtureLoader.Load(name);
            output.WriteLine($"{f.Name}: {f.Description}");
            switch (Networks[name]())
            {
                case INetwork<int> net:
                    InferenceAndTraining(net, f, f.Labels!);
                    break;
                case INetwork<float> net:
                    InferenceAndTraining(net, f, f.Targets!);
                    break;
                default:
                    throw new InvalidOperationException($"{name}: unexpected target type.");
            }
        }

        [Theory]
        [MemberData(nameof(CasesAndOptimizers))]
        public void Two_optimizer_steps_match_PyTorch(string name, string optimizerName)
        {
            CnnFixture f = CnnFixtureLoader.Load(name);
            CnnFixtureOptimizer o = f.Optimizers.Single(x => x.Name == optimizerName);
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

        private void InferenceAndTraining<T>(INetwork<T> net, CnnFixture f, T[] targets) where T : unmanaged
        {
            Load(net, f);
            int b = f.BatchSize;
            var failures = new List<string>();

            // Inference mode: the loaded running statistics, nothing moves.
            var outputs = new float[f.InferenceOutputs.Length];
            net.Forward(f.Inputs, outputs, b);
            ParityComparison.Compare(output, "inference outputs", outputs, f.InferenceOutputs, f.OutputName, failures);
            float loss = net.ComputeLoss(f.Inputs, targets, b);
            ParityComparison.Compare(output, "inference loss (ComputeLoss)", [loss], [f.InferenceLoss], _ => "loss", failures);
            ParityComparison.Compare(output, "buffers untouched by inference", Buffers(net, f), f.InitialBuffers, f.BufferName, failures);

            // One training pass: batch statistics, gradients, the running statistics moved once.
            float trainingLoss = net.ComputeGradients(f.Inputs, targets, b);
            ParityComparison.Compare(output, "training loss (ComputeGradients)", [trainingLoss], [f.TrainingLoss], _ => "loss", failures);
            ParityComparison.Compare(output, "training outputs", net.Outputs.ToArray(), f.TrainingOutputs, f.OutputName, failures);
            ParityComparison.Compare(output, "gradients", Parameters(net.Gradients, net, f), f.Gradients, f.ParameterName, failures);
            ParityComparison.Compare(output, "buffers after one training pass", Buffers(net, f), f.TrainingBuffers, f.BufferName, failures);
            ParityComparison.Compare(output, "parameters untouched by ComputeGradients", Parameters(net.Parameters, net, f), f.InitialParameters, f.ParameterName, failures);

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        private void TwoSteps<T>(INetwork<T> net, CnnFixture f, T[] targets, CnnFixtureOptimizer o) where T : unmanaged
        {
            Load(net, f);
            Optimizer optimizer = FixtureLoader.CreateOptimizer(o.Type, o.Hyper);
            var failures = new List<string>();
            for (int step = 0; step < o.Parameters.Length; step++)
            {
                float loss = net.TrainStep(f.Inputs, targets, f.BatchSize, optimizer);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: loss before the step", [loss], [o.Losses[step]], _ => "loss", failures);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: parameters", Parameters(net.Parameters, net, f), o.Parameters[step], f.ParameterName, failures);
                ParityComparison.Compare(output, $"{o.Name} step {step + 1}: buffers", Buffers(net, f), o.Buffers[step], f.BufferName, failures);
            }
            var outputs = new float[o.InferenceOutputs.Length];
            net.Forward(f.Inputs, outputs, f.BatchSize);
            ParityComparison.Compare(output, $"{o.Name} after {o.Parameters.Length} steps: inference outputs", outputs, o.InferenceOutputs, f.OutputName, failures);
            float inferenceLoss = net.ComputeLoss(f.Inputs, targets, f.BatchSize);
            ParityComparison.Compare(output, $"{o.Name} after {o.Parameters.Length} steps: inference loss", [inferenceLoss], [o.InferenceLoss], _ => "loss", failures);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        /// <summary>Copies the fixture's initial parameters and buffers into the network, tensor by tensor, by state_dict name.</summary>
        private static void Load(INetwork net, CnnFixture f)
        {
            foreach (FixtureTensor t in f.Layout)
            {
                ParameterTensor target = Find(net.ParameterLayout, t);
                f.InitialParameters.AsSpan(t.Offset, t.Length).CopyTo(target.Of(net.Parameters));
            }
            foreach (FixtureTensor t in f.BufferLayout)
            {
                ParameterTensor target = Find(net.BufferLayout, t);
                f.InitialBuffers.AsSpan(t.Offset, t.Length).CopyTo(target.Of(net.Buffers));
            }
        }

        /// <summary>The network's values of a parameter-shaped buffer (parameters or gradients), gathered by name in the fixture's order.</summary>
        private static float[] Parameters(ReadOnlySpan<float> values, INetwork net, CnnFixture f) => Gather(values, net.ParameterLayout, f.Layout, f.ParameterCount);

        private static float[] Buffers(INetwork net, CnnFixture f) => Gather(net.Buffers, net.BufferLayout, f.BufferLayout, f.BufferCount);

        private static float[] Gather(ReadOnlySpan<float> values, IReadOnlyList<ParameterTensor> layout, FixtureTensor[] fixtureLayout, int count)
        {
            float[] gathered = new float[count];
            foreach (FixtureTensor t in fixtureLayout)
            {
                ParameterTensor source = Find(layout, t);
                values.Slice(source.Offset, source.Length).CopyTo(gathered.AsSpan(t.Offset, t.Length));
            }
            return gathered;
        }

        private static ParameterTensor Find(IReadOnlyList<ParameterTensor> layout, FixtureTensor t)
        {
            ParameterTensor? found = layout.SingleOrDefault(x => x.Name == t.Name);
            Assert.True(found is not null, $"the network has no tensor '{t.Name}'");
            Assert.Equal(t.Shape, found.Shape.ToArray());
            return found;
        }
    }
}

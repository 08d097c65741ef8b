using System;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// A hand-written stand-in for a generated network: "layer.weight" [2, 3] then "layer.bias" [2] in a pinned
    /// buffer, one buffer tensor "stats.mean" [2]. Only what checkpoints and callbacks touch works.
    /// </summary>
    internal sealed class FakeNetwork : INetwork<int>
    {
        private readonly AlignedBuffer _parameters = new(8);
        private readonly AlignedBuffer _gradients = new(8);
        private readonly AlignedBuffer _buffers = new(2);

        public FakeNetwork(float start = 0)
        {
            for (int i = 0; i < 8; i++)
            {
                _parameters.Span[i] = start + i;
            }
            _buffers.Span[0] = start - 1;
            _buffers.Span[1] = start - 2;
        }

        public int InputSize => 3;
        public int OutputSize => 2;
        public IReadOnlyList<int> InputShape { get; } = [3];
        public int ParameterCount => 8;
        public Loss Loss => Loss.CrossEntropy;
        public Span<float> Parameters => _parameters.Span;
        public Span<float> Gradients => _gradients.Span;

        public IReadOnlyList<ParameterTensor> ParameterLayout { get; } =
        [
            new ParameterTensor("layer.weight", ImmutableArray.Create(2, 3), 0),
            new ParameterTensor("layer.bias", ImmutableArray.Create(2), 6),
        ];

        public Span<float> Buffers => _buffers.Span;
        public IReadOnlyList<ParameterTensor> BufferLayout { get; } = [new ParameterTensor("stats.mean", ImmutableArray.Create(2), 0)];
        public string Summary => "FakeNetwork";
        public NetworkArchitecture Architecture { get; } = new("FakeNetwork", Loss.CrossEntropy, new[] { 1 }, false, 0, -1);
        public int TargetSize => 1;
        public ReadOnlySpan<float> Outputs => default;

        public Rng? TrainingRng => null;

        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize) => throw new NotSupportedException();
        public ReadOnlySpan<float> Forward(ReadOnlySpan<float> inputs, int batchSize) => throw new NotSupportedException();
        public float ComputeLoss(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, int batchSize) => throw new NotSupportedException();
        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, int batchSize) => throw new NotSupportedException();
        public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, int batchSize, Optimizer optimizer) => throw new NotSupportedException();
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Numerics.Tensors;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// A hand-written softmax classifier standing in for a generated network: subclasses compute the logits
    /// ([B, TargetSize, Classes]) and push the logits' gradient back into <see cref="Gradients"/>; this base
    /// does softmax, the cross-entropy (mean over the B·TargetSize positions), argument checks and the
    /// buffers, sized once per batch size.
    /// </summary>
    internal abstract class HandNetwork<TInput> : INetwork<TInput, int> where TInput : unmanaged
    {
        private readonly AlignedBuffer _parameters;
        private readonly AlignedBuffer _gradients;
        private float[] _logits = [];
        private float[] _probabilities = [];
        private int _batch;

        protected HandNetwork(IReadOnlyList<ParameterTensor> layout, int inputSize, int targetSize, int classes, long seed)
        {
            ParameterLayout = layout;
            ParameterCount = layout[^1].Offset + layout[^1].Length;
            _parameters = new AlignedBuffer(ParameterCount);
            _gradients = new AlignedBuffer(ParameterCount);
            InputSize = inputSize;
            TargetSize = targetSize;
            Classes = classes;
            var rng = new Rng(seed);
            foreach (ref float p in _parameters.Span)
            {
                p = 0.1f * rng.NextNormal();
            }
        }

        public int Classes { get; }
        public int InputSize { get; }
        public int OutputSize => TargetSize * Classes;
        public int TargetSize { get; }
        public IReadOnlyList<int> InputShape => [InputSize];
        public int ParameterCount { get; }
        public Loss Loss => Loss.CrossEntropy;
        public Span<float> Parameters => _parameters.Span;
        public Span<float> Gradients => _gradients.Span;
        public IReadOnlyList<ParameterTensor> ParameterLayout { get; }
        public Span<float> Buffers => default;
        public IReadOnlyList<ParameterTensor> BufferLayout => [];
        public string Summary => GetType().Name;
        public NetworkArchitecture Architecture => new(GetType().Name, Loss, new[] { InputSize }, typeof(TInput) == typeof(int), 0, -1);
        public ReadOnlySpan<float> Outputs => _probabilities.AsSpan(0, _batch * OutputSize);
        public Rng? TrainingRng => null;

        /// <summary>How many times a pass ran (any kind), to check Fit's and Evaluate's batching.</summary>
        public int Passes { get; private set; }

        /// <summary>logits [B, TargetSize, Classes] for inputs [B, InputSize] (already checked).</summary>
        protected abstract void Logits(ReadOnlySpan<TInput> inputs, int batch, Span<float> logits);

        /// <summary>Adds ∂loss/∂parameters to <paramref name="gradients"/> (zeroed) given ∂loss/∂logits.</summary>
        protected abstract void Backward(ReadOnlySpan<TInput> inputs, int batch, ReadOnlySpan<float> logitGradient, Span<float> gradients);

        /// <summary>What generated code checks on the inputs besides their length (token ids, for a token network).</summary>
        protected virtual void CheckInputs(ReadOnlySpan<TInput> inputs)
        {
        }

        public ReadOnlySpan<float> Forward(ReadOnlySpan<TInput> inputs, int batchSize)
        {
            Guard.BatchSize(batchSize);
            Guard.Length(inputs.Length, batchSize, InputSize, nameof(inputs), nameof(InputSize));
            CheckInputs(inputs);
            return Pass(inputs, batchSize);
        }

        public void Forward(ReadOnlySpan<TInput> inputs, Span<float> outputs, int batchSize)
        {
            Guard.Length(outputs.Length, batchSize, OutputSize, nameof(outputs), nameof(OutputSize));
            Forward(inputs, batchSize).CopyTo(outputs);
        }

        public float ComputeLoss(ReadOnlySpan<TInput> inputs, ReadOnlySpan<int> targets, int batchSize)
        {
            Check(inputs, targets, batchSize);
            Pass(inputs, batchSize);
            return MeanLoss(targets);
        }

        public float ComputeGradients(ReadOnlySpan<TInput> inputs, ReadOnlySpan<int> targets, int batchSize)
        {
            Check(inputs, targets, batchSize);
            Pass(inputs, batchSize);
            float loss = MeanLoss(targets);
            // ∂mean CE/∂logits = (p − onehot) / positions, written over the logits buffer.
            Span<float> dLogits = _logits.AsSpan(0, batchSize * OutputSize);
            _probabilities.AsSpan(0, dLogits.Length).CopyTo(dLogits);
            for (int p = 0; p < targets.Length; p++)
            {
                dLogits[p * Classes + targets[p]] -= 1;
            }
            TensorPrimitives.Multiply(dLogits, 1f / targets.Length, dLogits);
            Gradients.Clear();
            Backward(inputs, batchSize, dLogits, Gradients);
            return loss;
        }

        public float TrainStep(ReadOnlySpan<TInput> inputs, ReadOnlySpan<int> targets, int batchSize, Optimizer optimizer)
        {
            Guard.Optimizer(optimizer);
            float loss = ComputeGradients(inputs, targets, batchSize);
            optimizer.Step(Parameters, Gradients);
            return loss;
        }

        private void Check(ReadOnlySpan<TInput> inputs, ReadOnlySpan<int> targets, int batchSize)
        {
            Guard.BatchSize(batchSize);
            Guard.Length(inputs.Length, batchSize, InputSize, nameof(inputs), nameof(InputSize));
            Guard.Length(targets.Length, batchSize, TargetSize, nameof(targets), nameof(TargetSize));
            CheckInputs(inputs);
            Guard.Labels(targets, Classes, nameof(targets));
        }

        private ReadOnlySpan<float> Pass(ReadOnlySpan<TInput> inputs, int batch)
        {
            if (_logits.Length < batch * OutputSize)
            {
                _logits = new float[batch * OutputSize];
                _probabilities = new float[batch * OutputSize];
            }
            _batch = batch;
            Passes++;
            Span<float> logits = _logits.AsSpan(0, batch * OutputSize);
            Logits(inputs, batch, logits);
            for (int p = 0; p < batch * TargetSize; p++)
            {
                TensorPrimitives.SoftMax(logits.Slice(p * Classes, Classes), _probabilities.AsSpan(p * Classes, Classes));
            }
            return Outputs;
        }

        private float MeanLoss(ReadOnlySpan<int> targets)
        {
            double sum = 0;
            for (int p = 0; p < targets.Length; p++)
            {
                sum -= Math.Log(Math.Max(_probabilities[p * Classes + targets[p]], 1e-30f));
            }
            return (float)(sum / targets.Length);
        }

        protected static ParameterTensor Tensor(string name, int offset, params int[] shape) => new(name, ImmutableArray.Create(shape), offset);
    }

    /// <summary>
    /// Tokens [B, T] → mean of their embeddings E [V, D] → dense W [C, D], b [C] → softmax: one label per sequence.
    /// </summary>
    internal sealed class BagOfEmbeddings : HandNetwork<int>
    {
        private readonly int _vocabulary, _dimension, _length;
        private float[] _pooled = [];

        public BagOfEmbeddings(int vocabulary, int dimension, int length, int classes, long seed = 1)
            : base(
                [
                    Tensor("embedding.weight", 0, vocabulary, dimension),
                    Tensor("fc.weight", vocabulary * dimension, classes, dimension),
                    Tensor("fc.bias", vocabulary * dimension + classes * dimension, classes),
                ], length, targetSize: 1, classes, seed)
        {
            _vocabulary = vocabulary;
            _dimension = dimension;
            _length = length;
        }

        protected override void CheckInputs(ReadOnlySpan<int> inputs) => Guard.Tokens(inputs, _vocabulary, _length, nameof(inputs));

        protected override void Logits(ReadOnlySpan<int> tokens, int batch, Span<float> logits)
        {
            int d = _dimension, c = Classes;
            if (_pooled.Length < batch * d)
            {
                _pooled = new float[batch * d];
            }
            ReadOnlySpan<float> e = Parameters.Slice(0, _vocabulary * d), w = Parameters.Slice(_vocabulary * d, c * d), bias = Parameters.Slice(_vocabulary * d + c * d, c);
            for (int b = 0; b < batch; b++)
            {
                Span<float> pooled = _pooled.AsSpan(b * d, d);
                pooled.Clear();
                for (int t = 0; t < _length; t++)
                {
                    TensorPrimitives.Add(pooled, e.Slice(tokens[b * _length + t] * d, d), pooled);
                }
                TensorPrimitives.Multiply(pooled, 1f / _length, pooled);
                for (int k = 0; k < c; k++)
                {
                    logits[b * c + k] = TensorPrimitives.Dot(pooled, w.Slice(k * d, d)) + bias[k];
                }
            }
        }

        protected override void Backward(ReadOnlySpan<int> tokens, int batch, ReadOnlySpan<float> dLogits, Span<float> gradients)
        {
            int d = _dimension, c = Classes;
            ReadOnlySpan<float> w = Parameters.Slice(_vocabulary * d, c * d);
            Span<float> dE = gradients.Slice(0, _vocabulary * d), dW = gradients.Slice(_vocabulary * d, c * d), dBias = gradients.Slice(_vocabulary * d + c * d, c);
            Span<float> dPooled = stackalloc float[d];
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> pooled = _pooled.AsSpan(b * d, d);
                dPooled.Clear();
                for (int k = 0; k < c; k++)
                {
                    float g = dLogits[b * c + k];
                    dBias[k] += g;
                    TensorPrimitives.MultiplyAdd(pooled, g, dW.Slice(k * d, d), dW.Slice(k * d, d));
                    TensorPrimitives.MultiplyAdd(w.Slice(k * d, d), g, dPooled, dPooled);
                }
                TensorPrimitives.Multiply(dPooled, 1f / _length, dPooled);
                for (int t = 0; t < _length; t++)
                {
                    Span<float> row = dE.Slice(tokens[b * _length + t] * d, d);
                    TensorPrimitives.Add(row, dPooled, row);
                }
            }
        }
    }

    /// <summary>
    /// A per-time-step classifier: logits[b, t] = A[token[b, t]] + B[token[b, t − 1]] (B of a start token at
    /// t = 0), tables A, B [V, C]; targets [B, T] labels, TargetSize = T.
    /// </summary>
    internal sealed class PerStepTagger : HandNetwork<int>
    {
        private readonly int _vocabulary, _length;

        public PerStepTagger(int vocabulary, int length, int classes, long seed = 1)
            : base(
                [
                    Tensor("current.weight", 0, vocabulary, classes),
                    Tensor("previous.weight", vocabulary * classes, vocabulary + 1, classes),
                ], length, targetSize: length, classes, seed)
        {
            _vocabulary = vocabulary;
            _length = length;
        }

        protected override void CheckInputs(ReadOnlySpan<int> inputs) => Guard.Tokens(inputs, _vocabulary, _length, nameof(inputs));

        private int Previous(ReadOnlySpan<int> tokens, int position) => position % _length == 0 ? _vocabulary : tokens[position - 1];

        protected override void Logits(ReadOnlySpan<int> tokens, int batch, Span<float> logits)
        {
            int c = Classes;
            ReadOnlySpan<float> current = Parameters.Slice(0, _vocabulary * c), previous = Parameters.Slice(_vocabulary * c);
            for (int p = 0; p < batch * _length; p++)
            {
                TensorPrimitives.Add(current.Slice(tokens[p] * c, c), previous.Slice(Previous(tokens, p) * c, c), logits.Slice(p * c, c));
            }
        }

        protected override void Backward(ReadOnlySpan<int> tokens, int batch, ReadOnlySpan<float> dLogits, Span<float> gradients)
        {
            int c = Classes;
            Span<float> current = gradients.Slice(0, _vocabulary * c), previous = gradients.Slice(_vocabulary * c);
            for (int p = 0; p < batch * _length; p++)
            {
                Span<float> a = current.Slice(tokens[p] * c, c), b = previous.Slice(Previous(tokens, p) * c, c);
                TensorPrimitives.Add(a, dLogits.Slice(p * c, c), a);
                TensorPrimitives.Add(b, dLogits.Slice(p * c, c), b);
            }
        }
    }

    /// <summary>
    /// Float features [B, F] → W [C, F], b [C] → softmax, declared as the generator declares a float-input
    /// classifier: <c>INetwork&lt;int&gt;</c>, with <c>TargetSize</c> implemented explicitly.
    /// </summary>
    internal sealed class SoftmaxRegression : HandNetwork<float>, INetwork<int>
    {
        private readonly int _features;

        public SoftmaxRegression(int features, int classes, long seed = 1)
            : base([Tensor("fc.weight", 0, classes, features), Tensor("fc.bias", classes * features, classes)], features, targetSize: 1, classes, seed)
        {
            _features = features;
        }

        public new const int TargetSize = 1;

        int INetwork<float, int>.TargetSize => TargetSize;

        protected override void Logits(ReadOnlySpan<float> x, int batch, Span<float> logits)
        {
            int f = _features, c = Classes;
            for (int b = 0; b < batch; b++)
            {
                for (int k = 0; k < c; k++)
                {
                    logits[b * c + k] = TensorPrimitives.Dot(x.Slice(b * f, f), Parameters.Slice(k * f, f)) + Parameters[c * f + k];
                }
            }
        }

        protected override void Backward(ReadOnlySpan<float> x, int batch, ReadOnlySpan<float> dLogits, Span<float> gradients)
        {
            int f = _features, c = Classes;
            for (int b = 0; b < batch; b++)
            {
                for (int k = 0; k < c; k++)
                {
                    float g = dLogits[b * c + k];
                    TensorPrimitives.MultiplyAdd(x.Slice(b * f, f), g, gradients.Slice(k * f, f), gradients.Slice(k * f, f));
                    gradients[c * f + k] += g;
                }
            }
        }
    }
}

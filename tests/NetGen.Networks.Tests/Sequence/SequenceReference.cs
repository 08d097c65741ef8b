using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Networks.Tests.Sequence
{
    /// <summary>
    /// An independent, double-precision interpreter of a token sequence network, written from the
    /// PyTorch formulas (nn.Embedding, nn.LSTM and nn.GRU with batch_first=True, nn.Linear applied to the
    /// last axis), not from NetGen's kernels or generated code: the reference the finite differences
    /// are taken on. Samples are computed one at a time; a sequence is a list of per-step vectors.
    /// Parameters are in declaration order with PyTorch's shapes: embedding.weight [V, D]; per recurrent
    /// layer and stacked layer k, weight_ih_lk [G·H, in], weight_hh_lk [G·H, H], bias_ih_lk [G·H],
    /// bias_hh_lk [G·H] (LSTM gates i, f, g, o, G = 4; GRU gates r, z, n, G = 3); dense weight [out, in]
    /// then bias [out]. Initial recurrent states are zero. The loss is cross-entropy, the mean over every
    /// label (B, or B·T for per-step outputs).
    /// </summary>
    internal sealed class SequenceReference
    {
        private abstract record Layer
        {
            public abstract int ParameterCount { get; }
            public abstract IEnumerable<int[]> Shapes { get; }
        }

        private sealed record EmbeddingLayer(int Vocabulary, int Dim, int PaddingIndex) : Layer
        {
            public override int ParameterCount => Vocabulary * Dim;
            public override IEnumerable<int[]> Shapes => [[Vocabulary, Dim]];
        }

        private sealed record RecurrentLayer(bool IsLstm, int In, int Units, int Stack, bool ReturnSequences) : Layer
        {
            public int Gates => IsLstm ? 4 : 3;
            public int InputOf(int k) => k == 0 ? In : Units;
            public int StackParameters(int k) => Gates * Units * (InputOf(k) + Units + 2);
            public override int ParameterCount => Enumerable.Range(0, Stack).Sum(StackParameters);
            public override IEnumerable<int[]> Shapes => Enumerable.Range(0, Stack).SelectMany(k => new[]
            {
                new[] { Gates * Units, InputOf(k) }, new[] { Gates * Units, Units }, new[] { Gates * Units }, new[] { Gates * Units },
            });
        }

        private sealed record DenseLayer(int In, int Out, Activation Activation) : Layer
        {
            public override int ParameterCount => Out * In + Out;
            public override IEnumerable<int[]> Shapes => [[Out, In], [Out]];
        }

        private readonly List<Layer> _layers = new();
        private readonly int _steps;
        private readonly int _vocabulary;
        private int _features;   // values per step (or per sample, once a sequence has been reduced)
        private bool _sequence;  // whether the current value is a sequence [T, F] or a vector [F]

        public SequenceReference(int steps, int vocabulary)
        {
            _steps = steps;
            _vocabulary = vocabulary;
        }

        public int InputSize => _steps;

        public int ParameterCount => _layers.Sum(l => l.ParameterCount);

        /// <summary>Labels per sample: T if the network ends on a sequence (per-step classes), else 1.</summary>
        public int TargetSize => _sequence ? _steps : 1;

        public int OutputSize => TargetSize * _features;

        public IEnumerable<int[]> ParameterShapes() => _layers.SelectMany(l => l.Shapes);

        public SequenceReference Embedding(int dim, int paddingIndex = -1)
        {
            _layers.Add(new EmbeddingLayer(_vocabulary, dim, paddingIndex));
            _features = dim;
            _sequence = true;
            return this;
        }

        public SequenceReference Lstm(int units, int layers = 1, bool returnSequences = false) => Recurrent(true, units, layers, returnSequences);

        public SequenceReference Gru(int units, int layers = 1, bool returnSequences = false) => Recurrent(false, units, layers, returnSequences);

        public SequenceReference Dense(int units, Activation activation = Activation.None)
        {
            _layers.Add(new DenseLayer(_features, units, activation));
            _features = units;
            return this;
        }

        private SequenceReference Recurrent(bool lstm, int units, int layers, bool returnSequences)
        {
            if (!_sequence)
            {
                throw new InvalidOperationException("a recurrent layer needs a sequence");
            }
            _layers.Add(new RecurrentLayer(lstm, _features, units, layers, returnSequences));
            _features = units;
            _sequence = returnSequences;
            return this;
        }

        /// <summary>The outputs for <paramref name="batch"/> samples, [B, OutputSize].</summary>
        public double[] Forward(double[] parameters, int[] tokens, int batch)
        {
            var outputs = new double[batch * OutputSize];
            for (int b = 0; b < batch; b++)
            {
                double[][] rows = Sample(parameters, tokens.AsSpan(b * _steps, _steps), out _);
                for (int r = 0; r < rows.Length; r++)
                {
                    rows[r].CopyTo(outputs, (b * rows.Length + r) * _features);
                }
            }
            return outputs;
        }

        /// <summary>Mean cross-entropy over every label: −log softmax(z)[label], from the last layer's logits z.</summary>
        public double Loss(double[] parameters, int[] tokens, int[] labels, int batch)
        {
            if (_layers[^1] is not DenseLayer { Activation: Activation.Softmax })
            {
                throw new InvalidOperationException("cross-entropy needs a last Dense with Softmax");
            }
            double sum = 0;
            for (int b = 0; b < batch; b++)
            {
                Sample(parameters, tokens.AsSpan(b * _steps, _steps), out double[][] logits);
                for (int r = 0; r < logits.Length; r++)
                {
                    double[] z = logits[r];
                    double max = z.Max();
                    double logSum = max + Math.Log(z.Sum(v => Math.Exp(v - max)));
                    sum += logSum - z[labels[b * TargetSize + r]];
                }
            }
            return sum / (batch * TargetSize);
        }

        /// <summary>One sample: its output rows (T rows of a sequence, or one) and the last layer's pre-activations.</summary>
        private double[][] Sample(double[] p, ReadOnlySpan<int> tokens, out double[][] logits)
        {
            double[][] x = [];
            logits = [];
            int offset = 0;
            foreach (Layer layer in _layers)
            {
                switch (layer)
                {
                    case EmbeddingLayer e:
                        x = new double[_steps][];
                        for (int t = 0; t < _steps; t++)
                        {
                            // The padding row is looked up like any other (nn.Embedding); it only gets no gradient.
                            x[t] = p.AsSpan(offset + tokens[t] * e.Dim, e.Dim).ToArray();
                        }
                        break;
                    case RecurrentLayer r:
                        int o = offset;
                        for (int k = 0; k < r.Stack; k++)
                        {
                            x = r.IsLstm ? LstmLayer(p, o, x, r.InputOf(k), r.Units) : GruLayer(p, o, x, r.InputOf(k), r.Units);
                            o += r.StackParameters(k);
                        }
                        if (!r.ReturnSequences)
                        {
                            x = [x[^1]];
                        }
                        break;
                    case DenseLayer d:
                        logits = x.Select(row => Linear(p, offset, offset + d.Out * d.In, row, d.In, d.Out)).ToArray();
                        x = logits.Select(z => Activate(z, d.Activation)).ToArray();
                        break;
                }
                offset += layer.ParameterCount;
            }
            return x;
        }

        /// <summary>nn.LSTM, one stacked layer: gates = W_ih x + b_ih + W_hh h + b_hh, rows i, f, g, o.</summary>
        private static double[][] LstmLayer(double[] p, int offset, double[][] x, int input, int h)
        {
            var (wih, whh, bih, bhh) = Offsets(offset, 4, input, h);
            var state = new double[h];
            var cell = new double[h];
            var ys = new double[x.Length][];
            for (int t = 0; t < x.Length; t++)
            {
                double[] gi = Linear(p, wih, bih, x[t], input, 4 * h);
                double[] gh = Linear(p, whh, bhh, state, h, 4 * h);
                var next = new double[h];
                for (int j = 0; j < h; j++)
                {
                    double i = Sigmoid(gi[j] + gh[j]);
                    double f = Sigmoid(gi[h + j] + gh[h + j]);
                    double g = Math.Tanh(gi[2 * h + j] + gh[2 * h + j]);
                    double o = Sigmoid(gi[3 * h + j] + gh[3 * h + j]);
                    cell[j] = f * cell[j] + i * g;
                    next[j] = o * Math.Tanh(cell[j]);
                }
                state = next;
                ys[t] = next;
            }
            return ys;
        }

        /// <summary>nn.GRU, one stacked layer: rows r, z, n; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.</summary>
        private static double[][] GruLayer(double[] p, int offset, double[][] x, int input, int h)
        {
            var (wih, whh, bih, bhh) = Offsets(offset, 3, input, h);
            var state = new double[h];
            var ys = new double[x.Length][];
            for (int t = 0; t < x.Length; t++)
            {
                double[] gi = Linear(p, wih, bih, x[t], input, 3 * h);
                double[] gh = Linear(p, whh, bhh, state, h, 3 * h);
                var next = new double[h];
                for (int j = 0; j < h; j++)
                {
                    double r = Sigmoid(gi[j] + gh[j]);
                    double z = Sigmoid(gi[h + j] + gh[h + j]);
                    double n = Math.Tanh(gi[2 * h + j] + r * gh[2 * h + j]);
                    next[j] = (1 - z) * n + z * state[j];
                }
                state = next;
                ys[t] = next;
            }
            return ys;
        }

        private static (int Wih, int Whh, int Bih, int Bhh) Offsets(int offset, int gates, int input, int h)
        {
            int wih = offset, whh = wih + gates * h * input, bih = whh + gates * h * h, bhh = bih + gates * h;
            return (wih, whh, bih, bhh);
        }

        /// <summary>y = W x + b with W [out, in] at <paramref name="w"/> and b [out] at <paramref name="bias"/>.</summary>
        private static double[] Linear(double[] p, int w, int bias, double[] x, int input, int output)
        {
            var y = new double[output];
            for (int o = 0; o < output; o++)
            {
                double sum = p[bias + o];
                for (int i = 0; i < input; i++)
                {
                    sum += p[w + o * input + i] * x[i];
                }
                y[o] = sum;
            }
            return y;
        }

        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

        private static double[] Activate(double[] z, Activation activation)
        {
            switch (activation)
            {
                case Activation.None:
                    return z;
                case Activation.Tanh:
                    return z.Select(Math.Tanh).ToArray();
                case Activation.Sigmoid:
                    return z.Select(Sigmoid).ToArray();
                case Activation.ReLU:
                    return z.Select(v => Math.Max(0, v)).ToArray();
                case Activation.Softmax:
                    double max = z.Max();
                    double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
                    double sum = e.Sum();
                    return e.Select(v => v / sum).ToArray();
                default:
                    throw new NotSupportedException(activation.ToString());
            }
        }
    }
}

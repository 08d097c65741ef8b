using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Networks.Tests.Transformer
{
    /// <summary>
    /// An independent, double-precision interpreter of a token Transformer network, written from the
    /// PyTorch formulas (nn.Embedding, nn.LayerNorm, nn.MultiheadAttention as self-attention,
    /// nn.TransformerEncoderLayer with batch_first=True, the mean over time, nn.Linear on the last axis),
    /// not from NetGen's kernels or generated code: the reference the finite differences are taken on.
    /// Samples are computed one at a time; a sequence is a list of per-position vectors.
    /// <para>
    /// Parameters are in declaration order with PyTorch's shapes: embedding.weight [V, D]; a learned
    /// position table [T, D] (a sinusoidal one has none); LayerNorm weight [D], bias [D]; attention
    /// in_proj_weight [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D]; an encoder adds
    /// linear1 [F, D], [F], linear2 [D, F], [D], norm1 [D], [D], norm2 [D], [D]; dense weight [out, in], bias [out].
    /// With an Embedding padding index, padding positions are masked as attention keys and left out of
    /// the pooling mean. The loss is cross-entropy, the mean over every label (B, or B·T per step).
    /// </para>
    /// <para>
    /// Dropout: <see cref="DrawMasks"/> draws the masks NetGen's training forward pass draws, in its order
    /// (per layer: attention weights [B, H, T, T]; for an encoder then the attention output [B, T, D], the
    /// feed-forward hidden layer [B, T, F] and the feed-forward output [B, T, D]), from a copy of the
    /// network's <see cref="INetwork.TrainingRng"/>; the forward pass and loss then apply them.
    /// </para>
    /// </summary>
    internal sealed class TransformerReference
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

        private sealed record PositionalLayer(int Steps, int Dim, bool Sinusoidal) : Layer
        {
            public override int ParameterCount => Sinusoidal ? 0 : Steps * Dim;
            public override IEnumerable<int[]> Shapes => Sinusoidal ? [] : [[Steps, Dim]];
        }

        private sealed record LayerNormLayer(int Dim, double Epsilon) : Layer
        {
            public override int ParameterCount => 2 * Dim;
            public override IEnumerable<int[]> Shapes => [[Dim], [Dim]];
        }

        private sealed record AttentionLayer(int Dim, int Heads, bool Causal, float Dropout) : Layer
        {
            public override int ParameterCount => 4 * Dim * Dim + 4 * Dim;
            public override IEnumerable<int[]> Shapes => [[3 * Dim, Dim], [3 * Dim], [Dim, Dim], [Dim]];
        }

        private sealed record EncoderLayer(int Dim, int Heads, int FeedForward, Activation Activation, bool NormFirst, double Epsilon, bool Causal, float Dropout) : Layer
        {
            public override int ParameterCount => 4 * Dim * Dim + 4 * Dim + 2 * FeedForward * Dim + FeedForward + Dim + 4 * Dim;
            public override IEnumerable<int[]> Shapes =>
                [[3 * Dim, Dim], [3 * Dim], [Dim, Dim], [Dim], [FeedForward, Dim], [FeedForward], [Dim, FeedForward], [Dim], [Dim], [Dim], [Dim], [Dim]];
        }

        private sealed record PoolLayer : Layer
        {
            public override int ParameterCount => 0;
            public override IEnumerable<int[]> Shapes => [];
        }

        private sealed record DenseLayer(int In, int Out, Activation Activation) : Layer
        {
            public override int ParameterCount => Out * In + Out;
            public override IEnumerable<int[]> Shapes => [[Out, In], [Out]];
        }

        /// <summary>Dropout masks for one batch, one whole-batch array per site in drawing order (values 0 or 1/(1 − rate)).</summary>
        public sealed class DropoutMasks(List<double[]> sites)
        {
            public IReadOnlyList<double[]> Sites { get; } = sites;
        }

        private readonly List<Layer> _layers = new();
        private readonly int _steps;
        private readonly int _vocabulary;
        private int _padding = -1;
        private int _features;   // values per position (or per sample, once pooled)
        private bool _sequence;  // whether the current value is a sequence [T, F] or a vector [F]

        public TransformerReference(int steps, int vocabulary)
        {
            _steps = steps;
            _vocabulary = vocabulary;
        }

        public int InputSize => _steps;

        public int ParameterCount => _layers.Sum(l => l.ParameterCount);

        /// <summary>Labels per sample: T if the network ends on a sequence (per-step classes), else 1.</summary>
        public int TargetSize => _sequence ? _steps : 1;

        public int OutputSize => TargetSize * _features;

        /// <summary>The Embedding's padding index, or −1.</summary>
        public int PaddingIndex => _padding;

        public IEnumerable<int[]> ParameterShapes() => _layers.SelectMany(l => l.Shapes);

        public TransformerReference Embedding(int dim, int paddingIndex = -1)
        {
            _layers.Add(new EmbeddingLayer(_vocabulary, dim, paddingIndex));
            _padding = paddingIndex;
            _features = dim;
            _sequence = true;
            return this;
        }

        public TransformerReference Positional(bool sinusoidal = false) => Add(new PositionalLayer(_steps, _features, sinusoidal));

        public TransformerReference LayerNorm(double epsilon = 1e-5) => Add(new LayerNormLayer(_features, epsilon));

        public TransformerReference Attention(int heads, bool causal = false, float dropout = 0) => Add(new AttentionLayer(_features, heads, causal, dropout));

        public TransformerReference Encoder(int heads, int feedForward, Activation activation = Activation.ReLU, bool normFirst = false,
            double epsilon = 1e-5, bool causal = false, float dropout = 0) =>
            Add(new EncoderLayer(_features, heads, feedForward, activation, normFirst, epsilon, causal, dropout));

        public TransformerReference Pool()
        {
            Add(new PoolLayer());
            _sequence = false;
            return this;
        }

        public TransformerReference Dense(int units, Activation activation = Activation.None)
        {
            _layers.Add(new DenseLayer(_features, units, activation));
            _features = units;
            return this;
        }

        private TransformerReference Add(Layer layer)
        {
            if (!_sequence)
            {
                throw new InvalidOperationException($"{layer.GetType().Name} needs a sequence");
            }
            _layers.Add(layer);
            return this;
        }

        /// <summary>
        /// The masks NetGen's training forward pass draws for a batch of <paramref name="batch"/>, from a generator
        /// in <paramref name="state"/> (a copy of the network's TrainingRng state before the pass), with the same kernel
        /// (<see cref="Kernels.Dropout.Mask"/>) and sizes. <paramref name="after"/>: the generator's state afterwards.
        /// </summary>
        public DropoutMasks DrawMasks(RngState state, int batch, out RngState after)
        {
            var rng = new Rng(1) { State = state };
            var sites = new List<double[]>();
            void Draw(int length, float rate)
            {
                var mask = new float[length];
                Kernels.Dropout.Mask(mask, rate, rng);
                sites.Add(mask.Select(v => (double)v).ToArray());
            }
            foreach (Layer layer in _layers)
            {
                switch (layer)
                {
                    case AttentionLayer { Dropout: > 0 } a:
                        Draw(batch * a.Heads * _steps * _steps, a.Dropout);
                        break;
                    case EncoderLayer { Dropout: > 0 } e:
                        Draw(batch * e.Heads * _steps * _steps, e.Dropout);
                        Draw(batch * _steps * e.Dim, e.Dropout);
                        Draw(batch * _steps * e.FeedForward, e.Dropout);
                        Draw(batch * _steps * e.Dim, e.Dropout);
                        break;
                }
            }
            after = rng.State;
            return new DropoutMasks(sites);
        }

        /// <summary>The outputs for <paramref name="batch"/> samples, [B, OutputSize].</summary>
        public double[] Forward(double[] parameters, int[] tokens, int batch, DropoutMasks? masks = null)
        {
            var outputs = new double[batch * OutputSize];
            for (int b = 0; b < batch; b++)
            {
                double[][] rows = Sample(parameters, tokens, b, masks, out _);
                for (int r = 0; r < rows.Length; r++)
                {
                    rows[r].CopyTo(outputs, (b * rows.Length + r) * _features);
                }
            }
            return outputs;
        }

        /// <summary>Mean cross-entropy over every label: −log softmax(z)[label], from the last layer's logits z.</summary>
        public double Loss(double[] parameters, int[] tokens, int[] labels, int batch, DropoutMasks? masks = null)
        {
            if (_layers[^1] is not DenseLayer { Activation: Activation.Softmax })
            {
                throw new InvalidOperationException("cross-entropy needs a last Dense with Softmax");
            }
            double sum = 0;
            for (int b = 0; b < batch; b++)
            {
                Sample(parameters, tokens, b, masks, out double[][] logits);
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

        /// <summary>Sample <paramref name="b"/>: its output rows (T rows of a sequence, or one) and the last layer's pre-activations.</summary>
        private double[][] Sample(double[] p, int[] allTokens, int b, DropoutMasks? masks, out double[][] logits)
        {
            ReadOnlySpan<int> tokens = allTokens.AsSpan(b * _steps, _steps);
            bool[] padded = new bool[_steps];
            for (int t = 0; t < _steps; t++)
            {
                padded[t] = _padding >= 0 && tokens[t] == _padding;
            }
            double[][] x = [];
            logits = [];
            int offset = 0, site = 0;

            // This sample's slice of the next dropout site, or null without dropout.
            double[]? NextMask(float rate, int perSample)
            {
                if (rate <= 0 || masks is null)
                {
                    return null;
                }
                return masks.Sites[site++].AsSpan(b * perSample, perSample).ToArray();
            }

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
                    case PositionalLayer pos:
                        x = x.Select((row, t) => row.Select((v, j) => v + (pos.Sinusoidal ? Sinusoid(t, j, pos.Dim) : p[offset + t * pos.Dim + j])).ToArray()).ToArray();
                        break;
                    case LayerNormLayer n:
                        x = x.Select(row => Normalize(p, offset, offset + n.Dim, row, n.Epsilon)).ToArray();
                        break;
                    case AttentionLayer a:
                        x = Attend(p, offset, x, a.Heads, a.Causal, padded, NextMask(a.Dropout, a.Heads * _steps * _steps));
                        break;
                    case EncoderLayer e:
                        x = Encode(p, offset, x, e, padded,
                            NextMask(e.Dropout, e.Heads * _steps * _steps), NextMask(e.Dropout, _steps * e.Dim),
                            NextMask(e.Dropout, _steps * e.FeedForward), NextMask(e.Dropout, _steps * e.Dim));
                        break;
                    case PoolLayer:
                        double[] mean = new double[x[0].Length];
                        int count = 0;
                        for (int t = 0; t < _steps; t++)
                        {
                            if (!padded[t])
                            {
                                count++;
                                for (int j = 0; j < mean.Length; j++)
                                {
                                    mean[j] += x[t][j];
                                }
                            }
                        }
                        x = [mean.Select(v => v / count).ToArray()];
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

        /// <summary>
        /// One encoder block, nn.TransformerEncoderLayer: post-norm x = norm1(x + drop(SA(x))), y = norm2(x + drop(FF(x)));
        /// pre-norm x = x + drop(SA(norm1(x))), y = x + drop(FF(norm2(x))); FF(x) = linear2(drop(act(linear1(x)))).
        /// </summary>
        private double[][] Encode(double[] p, int offset, double[][] x, EncoderLayer e, bool[] padded,
            double[]? weightsMask, double[]? attendedMask, double[]? hiddenMask, double[]? fedMask)
        {
            int d = e.Dim, f = e.FeedForward;
            int linear1W = offset + 4 * d * d + 4 * d, linear1B = linear1W + f * d;
            int linear2W = linear1B + f, linear2B = linear2W + d * f;
            int norm1W = linear2B + d, norm1B = norm1W + d, norm2W = norm1B + d, norm2B = norm2W + d;

            double[][] SelfAttention(double[][] input) =>
                Drop(Attend(p, offset, input, e.Heads, e.Causal, padded, weightsMask), attendedMask);

            double[][] FeedForward(double[][] input) => Drop(input.Select((row, t) =>
            {
                double[] hidden = Activate(Linear(p, linear1W, linear1B, row, d, f), e.Activation);
                if (hiddenMask is not null)
                {
                    for (int j = 0; j < f; j++)
                    {
                        hidden[j] *= hiddenMask[t * f + j];
                    }
                }
                return Linear(p, linear2W, linear2B, hidden, f, d);
            }).ToArray(), fedMask);

            double[][] Norm(double[][] input, int w, int bias) => input.Select(row => Normalize(p, w, bias, row, e.Epsilon)).ToArray();

            if (e.NormFirst)
            {
                double[][] s1 = Add(x, SelfAttention(Norm(x, norm1W, norm1B)));
                return Add(s1, FeedForward(Norm(s1, norm2W, norm2B)));
            }
            double[][] n1 = Norm(Add(x, SelfAttention(x)), norm1W, norm1B);
            return Norm(Add(n1, FeedForward(n1)), norm2W, norm2B);
        }

        /// <summary>
        /// Multi-head self-attention, nn.MultiheadAttention(x, x, x): q, k, v = rows [0, D), [D, 2D), [2D, 3D) of
        /// in_proj; head h uses features [h·dh, (h+1)·dh); S = q·kᵀ/√dh with padding keys (and, if causal, keys after
        /// the query) excluded; P = softmax(S) (a row with no visible key gives P = 0); P ⊙ mask; out = P·v; then out_proj.
        /// </summary>
        private double[][] Attend(double[] p, int offset, double[][] x, int heads, bool causal, bool[] padded, double[]? dropoutMask)
        {
            int steps = x.Length, d = x[0].Length, dh = d / heads;
            int inW = offset, inB = inW + 3 * d * d, outW = inB + 3 * d, outB = outW + d * d;
            double[][] qkv = x.Select(row => Linear(p, inW, inB, row, d, 3 * d)).ToArray();
            double[][] concatenated = Enumerable.Range(0, steps).Select(_ => new double[d]).ToArray();
            double scale = 1 / Math.Sqrt(dh);
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < steps; i++)
                {
                    var scores = new double[steps];
                    bool[] visible = new bool[steps];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < steps; j++)
                    {
                        visible[j] = !padded[j] && (!causal || j <= i);
                        if (!visible[j])
                        {
                            continue;
                        }
                        double s = 0;
                        for (int c = 0; c < dh; c++)
                        {
                            s += qkv[i][h * dh + c] * qkv[j][d + h * dh + c];
                        }
                        scores[j] = s * scale;
                        max = Math.Max(max, scores[j]);
                    }
                    if (double.IsNegativeInfinity(max))
                    {
                        continue; // no visible key: output 0
                    }
                    double sum = 0;
                    for (int j = 0; j < steps; j++)
                    {
                        scores[j] = visible[j] ? Math.Exp(scores[j] - max) : 0;
                        sum += scores[j];
                    }
                    for (int j = 0; j < steps; j++)
                    {
                        double weight = scores[j] / sum;
                        if (dropoutMask is not null)
                        {
                            weight *= dropoutMask[(h * steps + i) * steps + j];
                        }
                        for (int c = 0; c < dh; c++)
                        {
                            concatenated[i][h * dh + c] += weight * qkv[j][2 * d + h * dh + c];
                        }
                    }
                }
            }
            return concatenated.Select(row => Linear(p, outW, outB, row, d, d)).ToArray();
        }

        /// <summary>nn.LayerNorm over one vector: (x − mean)/√(var + ε)·γ + β, biased variance.</summary>
        private static double[] Normalize(double[] p, int weight, int bias, double[] x, double epsilon)
        {
            double mean = x.Average();
            double variance = x.Select(v => (v - mean) * (v - mean)).Average();
            double inv = 1 / Math.Sqrt(variance + epsilon);
            return x.Select((v, j) => (v - mean) * inv * p[weight + j] + p[bias + j]).ToArray();
        }

        /// <summary>PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(t / 10000^(2i/D)), rounded to float32 as a stored table.</summary>
        public static double Sinusoid(int t, int j, int dim)
        {
            int pair = j / 2 * 2;
            double angle = t / Math.Pow(10000, (double)pair / dim);
            return (float)(j % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
        }

        private static double[][] Add(double[][] a, double[][] b) => a.Select((row, t) => row.Select((v, j) => v + b[t][j]).ToArray()).ToArray();

        /// <summary>x ⊙ mask, mask laid out [T, D] for this sample (or no mask).</summary>
        private static double[][] Drop(double[][] x, double[]? mask)
        {
            if (mask is null)
            {
                return x;
            }
            int d = x[0].Length;
            return x.Select((row, t) => row.Select((v, j) => v * mask[t * d + j]).ToArray()).ToArray();
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

        private static double[] Activate(double[] z, Activation activation)
        {
            switch (activation)
            {
                case Activation.None:
                    return z;
                case Activation.Tanh:
                    return z.Select(Math.Tanh).ToArray();
                case Activation.ReLU:
                    return z.Select(v => Math.Max(0, v)).ToArray();
                case Activation.Gelu:
                    return z.Select(v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)))).ToArray();
                case Activation.Softmax:
                    double max = z.Max();
                    double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
                    double sum = e.Sum();
                    return e.Select(v => v / sum).ToArray();
                default:
                    throw new NotSupportedException(activation.ToString());
            }
        }

        /// <summary>
        /// erf(x) to about 1e-14: the Maclaurin series below |x| = 2.5, above it 1 − erfc(|x|) from erfc's continued
        /// fraction e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from its 80th term back.
        /// </summary>
        public static double Erf(double x)
        {
            double ax = Math.Abs(x);
            if (ax < 2.5)
            {
                double term = x, sum = x;
                for (int n = 1; n < 200 && Math.Abs(term) > 1e-18 * Math.Abs(sum); n++)
                {
                    term *= -x * x / n;
                    sum += term / (2 * n + 1);
                }
                return 2 / Math.Sqrt(Math.PI) * sum;
            }
            double f = ax;
            for (int k = 80; k >= 1; k--)
            {
                f = ax + k / 2.0 / f;
            }
            double erfc = Math.Exp(-ax * ax) / (Math.Sqrt(Math.PI) * f);
            return Math.Sign(x) * (1 - erfc);
        }
    }
}

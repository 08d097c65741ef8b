using System;
using System.Collections.Generic;

namespace NetGen.Networks.Tests.Cnn
{
    /// <summary>
    /// An independent, double-precision interpreter of a convolutional network, written from the
    /// textbook / PyTorch formulas (not from NetGen's kernels or generated code): the reference that
    /// the finite differences are taken on. Data is kept the way PyTorch keeps it, each sample
    /// [C, H, W] (or [F]) after the other; parameters in declaration order with PyTorch's shapes
    /// (conv weight [F, C, k, k] then bias [F], batch-norm weight then bias [C], dense weight [out, in]
    /// then bias [out]). Batch-norm running statistics live here and only <see cref="Track"/> moves them.
    /// </summary>
    internal sealed class CnnReference
    {
        private abstract record Layer(int[] In, int[] Out)
        {
            public int InSize => Size(In);
            public int OutSize => Size(Out);
            public virtual int ParameterCount => 0;
        }

        private sealed record Conv(int[] In, int[] Out, int Filters, int Kernel, int Stride, int PadTop, int PadLeft, int Dilation,
            Activation Activation, bool Bias) : Layer(In, Out)
        {
            public int Channels => In[0];
            public override int ParameterCount => Filters * Channels * Kernel * Kernel + (Bias ? Filters : 0);
        }

        private sealed record Pool(int[] In, int[] Out, bool Max, int Size, int Stride, int Pad) : Layer(In, Out);

        private sealed record GlobalAverage(int[] In, int[] Out) : Layer(In, Out);

        private sealed record Norm(int[] In, int[] Out, double Momentum, double Epsilon, Activation Activation, int Index) : Layer(In, Out)
        {
            public int Channels => In[0];
            public int Plane => In.Length == 3 ? In[1] * In[2] : 1;
            public override int ParameterCount => 2 * Channels;
        }

        private sealed record Drop(int[] In, int[] Out, float Rate, int Index) : Layer(In, Out);

        private sealed record FlattenLayer(int[] In, int[] Out) : Layer(In, Out);

        private sealed record DenseLayer(int[] In, int[] Out, Activation Activation) : Layer(In, Out)
        {
            public override int ParameterCount => Out[0] * In[0] + Out[0];
        }

        private readonly List<Layer> _layers = new();
        private readonly Loss _loss;
        private readonly int[] _input;
        private readonly List<double[]> _runningMean = new();
        private readonly List<double[]> _runningVar = new();
        private readonly List<int> _tracked = new();
        private readonly List<float[]?> _masks = new();

        public CnnReference(Loss loss, params int[] inputShape)
        {
            _loss = loss;
            _input = inputShape;
        }

        private int[] Current => _layers.Count == 0 ? _input : _layers[^1].Out;

        public int InputSize => Size(_input);

        public int OutputSize => Size(Current);

        public int ParameterCount
        {
            get
            {
                int count = 0;
                foreach (Layer l in _layers)
                {
                    count += l.ParameterCount;
                }
                return count;
            }
        }

        public bool HasBatchNorm => _runningMean.Count > 0;

        public bool HasDropout => _masks.Count > 0;

        /// <summary>The PyTorch shape of every parameter tensor, in order.</summary>
        public IEnumerable<int[]> ParameterShapes()
        {
            foreach (Layer l in _layers)
            {
                switch (l)
                {
                    case Conv c:
                        yield return new[] { c.Filters, c.Channels, c.Kernel, c.Kernel };
                        if (c.Bias)
                        {
                            yield return new[] { c.Filters };
                        }
                        break;
                    case Norm n:
                        yield return new[] { n.Channels };
                        yield return new[] { n.Channels };
                        break;
                    case DenseLayer d:
                        yield return new[] { d.Out[0], d.In[0] };
                        yield return new[] { d.Out[0] };
                        break;
                }
            }
        }

        // ---- Building -------------------------------------------------------------------------------

        /// <summary>Conv2D with explicit padding <paramref name="pad"/> on every side, or PyTorch's padding='same' (stride 1).</summary>
        public CnnReference Conv2D(int filters, int kernel, int stride = 1, int pad = 0, bool same = false, int dilation = 1,
            Activation activation = Activation.None, bool bias = true)
        {
            int[] x = Spatial();
            int reach = dilation * (kernel - 1) + 1;
            // 'same': total padding reach − 1, the smaller half before, the larger after (PyTorch).
            int total = same ? reach - 1 : 2 * pad;
            int before = same ? total / 2 : pad;
            int oh = (x[1] + total - reach) / stride + 1;
            int ow = (x[2] + total - reach) / stride + 1;
            if (oh < 1 || ow < 1)
            {
                throw new ArgumentException("The kernel does not fit.");
            }
            _layers.Add(new Conv(x, new[] { filters, oh, ow }, filters, kernel, stride, before, before, dilation, activation, bias));
            return this;
        }

        /// <summary>Max pooling; padding never wins (−∞); ties keep the first maximum in window order.</summary>
        public CnnReference MaxPool2D(int size, int stride = 0, int pad = 0) => AddPool(true, size, stride, pad);

        /// <summary>Average pooling; padding counts as zeros in a size² divisor (count_include_pad=True).</summary>
        public CnnReference AvgPool2D(int size, int stride = 0, int pad = 0) => AddPool(false, size, stride, pad);

        public CnnReference GlobalAveragePool2D()
        {
            int[] x = Spatial();
            _layers.Add(new GlobalAverage(x, new[] { x[0] }));
            return this;
        }

        public CnnReference BatchNorm(float momentum = 0.1f, float epsilon = 1e-5f, Activation activation = Activation.None)
        {
            int[] x = Current;
            _layers.Add(new Norm(x, x, momentum, epsilon, activation, _runningMean.Count));
            _runningMean.Add(new double[x[0]]);
            double[] variance = new double[x[0]];
            Array.Fill(variance, 1.0);
            _runningVar.Add(variance);
            _tracked.Add(0);
            return this;
        }

        /// <summary>Dropout on features [F] (the generated buffer is then batch-major like this interpreter's).</summary>
        public CnnReference Dropout(float rate)
        {
            int[] x = Current;
            if (x.Length != 1)
            {
                throw new NotSupportedException("The reference only drops out features [F]: after a convolution the network's mask is channel-major.");
            }
            _layers.Add(new Drop(x, x, rate, _masks.Count));
            _masks.Add(null);
            return this;
        }

        public CnnReference Flatten()
        {
            _layers.Add(new FlattenLayer(Current, new[] { Size(Current) }));
            return this;
        }

        public CnnReference Dense(int units, Activation activation = Activation.None)
        {
            int[] x = Current;
            if (x.Length != 1)
            {
                throw new ArgumentException("Dense needs [F].");
            }
            _layers.Add(new DenseLayer(x, new[] { units }, activation));
            return this;
        }

        /// <summary>
        /// The masks a fresh network with this seed draws in its first training pass: every dropout
        /// layer in order, one value per element of its [batch, F] buffer, from stream 1 of the seed.
        /// </summary>
        public void DrawDropoutMasks(int seed, int batch)
        {
            var rng = new Rng(seed, stream: 1);
            foreach (Layer l in _layers)
            {
                if (l is Drop d)
                {
                    int n = batch * d.InSize;
                    float[] mask = new float[n];
                    NetGen.Kernels.Dropout.Forward(new float[n], new float[n], mask, d.Rate, rng);
                    _masks[d.Index] = mask;
                }
            }
        }

        /// <summary>The masks drawn by <see cref="DrawDropoutMasks"/>, one per dropout layer, each [batch, F].</summary>
        public IEnumerable<float[]> DropoutMasks
        {
            get
            {
                foreach (float[]? mask in _masks)
                {
                    yield return mask ?? throw new InvalidOperationException("Draw the dropout masks first.");
                }
            }
        }

        private CnnReference AddPool(bool max, int size, int stride, int pad)
        {
            int[] x = Spatial();
            int step = stride == 0 ? size : stride;
            int oh = (x[1] + 2 * pad - size) / step + 1;
            int ow = (x[2] + 2 * pad - size) / step + 1;
            _layers.Add(new Pool(x, new[] { x[0], oh, ow }, max, size, step, pad));
            return this;
        }

        private int[] Spatial()
        {
            int[] x = Current;
            if (x.Length != 3)
            {
                throw new ArgumentException("A spatial layer needs [C, H, W].");
            }
            return x;
        }

        // ---- Running statistics ---------------------------------------------------------------------

        /// <summary>The buffers as NetGen lays them out: per batch-norm running_mean [C], running_var [C], num_batches_tracked.</summary>
        public double[] Buffers()
        {
            var values = new List<double>();
            for (int i = 0; i < _runningMean.Count; i++)
            {
                values.AddRange(_runningMean[i]);
                values.AddRange(_runningVar[i]);
                values.Add(_tracked[i]);
            }
            return values.ToArray();
        }

        /// <summary>
        /// One training forward pass's effect on the running statistics: each batch-norm moves them by
        /// its momentum towards the batch mean and the unbiased batch variance, and counts the batch.
        /// </summary>
        public void Track(double[] parameters, double[] inputs, int batch)
        {
            var stats = new List<(double[] Mean, double[] UnbiasedVar)>();
            Run(parameters, inputs, batch, training: true, stats, out _);
            foreach (Layer l in _layers)
            {
                if (l is Norm n)
                {
                    (double[] mean, double[] unbiased) = stats[n.Index];
                    for (int c = 0; c < n.Channels; c++)
                    {
                        _runningMean[n.Index][c] = (1 - n.Momentum) * _runningMean[n.Index][c] + n.Momentum * mean[c];
                        _runningVar[n.Index][c] = (1 - n.Momentum) * _runningVar[n.Index][c] + n.Momentum * unbiased[c];
                    }
                    _tracked[n.Index]++;
                }
            }
        }

        // ---- Evaluation ----------------------------------------------------------------------------

        /// <summary>The network's outputs for each sample, [batch, out], in training or inference mode.</summary>
        public double[] Forward(double[] parameters, double[] inputs, int batch, bool training) =>
            Run(parameters, inputs, batch, training, null, out _);

        /// <summary>The mean loss over the batch; targets are labels (as doubles) or values.</summary>
        public double Loss(double[] parameters, double[] inputs, double[] targets, int batch, bool training)
        {
            double[] output = Run(parameters, inputs, batch, training, null, out double[] logits);
            int n = OutputSize;
            double total = 0;
            for (int b = 0; b < batch; b++)
            {
                switch (_loss)
                {
                    case NetGen.Loss.CrossEntropy:
                        double max = double.MinValue, sum = 0;
                        for (int j = 0; j < n; j++)
                        {
                            max = Math.Max(max, logits[b * n + j]);
                        }
                        for (int j = 0; j < n; j++)
                        {
                            sum += Math.Exp(logits[b * n + j] - max);
                        }
                        total += max + Math.Log(sum) - logits[b * n + (int)targets[b]];
                        break;
                    case NetGen.Loss.BinaryCrossEntropy:
                        for (int j = 0; j < n; j++)
                        {
                            double z = logits[b * n + j], t = targets[b * n + j];
                            total += (Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)))) / n;
                        }
                        break;
                    default:
                        for (int j = 0; j < n; j++)
                        {
                            double e = output[b * n + j] - targets[b * n + j];
                            total += e * e / n;
                        }
                        break;
                }
            }
            return total / batch;
        }

        private double[] Run(double[] p, double[] inputs, int batch, bool training, List<(double[], double[])>? stats, out double[] logits)
        {
            if (inputs.Length != batch * InputSize)
            {
                throw new ArgumentException("Wrong input length.");
            }
            double[] x = inputs;
            logits = x;
            int offset = 0;
            foreach (Layer layer in _layers)
            {
                switch (layer)
                {
                    case Conv c:
                        x = Activate(ConvForward(c, p, offset, x, batch), batch, c.OutSize, c.Activation);
                        break;
                    case Pool pool:
                        x = PoolForward(pool, x, batch);
                        break;
                    case GlobalAverage g:
                        x = GlobalAverageForward(g, x, batch);
                        break;
                    case Norm n:
                        x = Activate(NormForward(n, p, offset, x, batch, training, stats), batch, n.OutSize, n.Activation);
                        break;
                    case Drop d:
                        if (training)
                        {
                            float[] mask = _masks[d.Index] ?? throw new InvalidOperationException("Draw the dropout masks first.");
                            if (mask.Length != x.Length)
                            {
                                throw new InvalidOperationException("The masks were drawn for another batch size.");
                            }
                            double[] y = new double[x.Length];
                            for (int i = 0; i < x.Length; i++)
                            {
                                y[i] = x[i] * mask[i];
                            }
                            x = y;
                        }
                        break;
                    case FlattenLayer:
                        break; // each sample is already [C, H, W] row-major: flattening moves nothing
                    case DenseLayer d:
                        double[] z = DenseForward(d, p, offset, x, batch);
                        logits = z;
                        x = Activate(z, batch, d.OutSize, d.Activation);
                        break;
                }
                offset += layer.ParameterCount;
            }
            return x;
        }

        private static double[] ConvForward(Conv c, double[] p, int offset, double[] x, int batch)
        {
            int C = c.In[0], H = c.In[1], W = c.In[2], F = c.Out[0], OH = c.Out[1], OW = c.Out[2], k = c.Kernel;
            int biasAt = offset + F * C * k * k;
            double[] z = new double[batch * F * OH * OW];
            for (int b = 0; b < batch; b++)
            {
                for (int f = 0; f < F; f++)
                {
                    for (int oy = 0; oy < OH; oy++)
                    {
                        for (int ox = 0; ox < OW; ox++)
                        {
                            double sum = c.Bias ? p[biasAt + f] : 0;
                            for (int ch = 0; ch < C; ch++)
                            {
                                for (int ky = 0; ky < k; ky++)
                                {
                                    int iy = oy * c.Stride - c.PadTop + ky * c.Dilation;
                                    if (iy < 0 || iy >= H)
                                    {
                                        continue; // zero padding
                                    }
                                    for (int kx = 0; kx < k; kx++)
                                    {
                                        int ix = ox * c.Stride - c.PadLeft + kx * c.Dilation;
                                        if (ix < 0 || ix >= W)
                                        {
                                            continue;
                                        }
                                        sum += p[offset + ((f * C + ch) * k + ky) * k + kx] * x[((b * C + ch) * H + iy) * W + ix];
                                    }
                                }
                            }
                            z[((b * F + f) * OH + oy) * OW + ox] = sum;
                        }
                    }
                }
            }
            return z;
        }

        private static double[] PoolForward(Pool pool, double[] x, int batch)
        {
            int C = pool.In[0], H = pool.In[1], W = pool.In[2], OH = pool.Out[1], OW = pool.Out[2], s = pool.Size;
            double[] y = new double[batch * C * OH * OW];
            for (int bc = 0; bc < batch * C; bc++)
            {
                for (int oy = 0; oy < OH; oy++)
                {
                    for (int ox = 0; ox < OW; ox++)
                    {
                        double max = double.NegativeInfinity, sum = 0;
                        for (int ky = 0; ky < s; ky++)
                        {
                            for (int kx = 0; kx < s; kx++)
                            {
                                int iy = oy * pool.Stride - pool.Pad + ky, ix = ox * pool.Stride - pool.Pad + kx;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                {
                                    continue; // padding: −∞ for the maximum, 0 for the sum
                                }
                                double v = x[(bc * H + iy) * W + ix];
                                max = Math.Max(max, v);
                                sum += v;
                            }
                        }
                        y[(bc * OH + oy) * OW + ox] = pool.Max ? max : sum / (s * s);
                    }
                }
            }
            return y;
        }

        private static double[] GlobalAverageForward(GlobalAverage g, double[] x, int batch)
        {
            int C = g.In[0], plane = g.In[1] * g.In[2];
            double[] y = new double[batch * C];
            for (int bc = 0; bc < batch * C; bc++)
            {
                double sum = 0;
                for (int i = 0; i < plane; i++)
                {
                    sum += x[bc * plane + i];
                }
                y[bc] = sum / plane;
            }
            return y;
        }

        private double[] NormForward(Norm n, double[] p, int offset, double[] x, int batch, bool training, List<(double[], double[])>? stats)
        {
            int C = n.Channels, plane = n.Plane, count = batch * plane;
            double[] y = new double[x.Length];
            double[] means = new double[C], unbiased = new double[C];
            for (int c = 0; c < C; c++)
            {
                double mean, variance;
                if (training)
                {
                    double sum = 0;
                    for (int b = 0; b < batch; b++)
                    {
                        for (int i = 0; i < plane; i++)
                        {
                            sum += x[(b * C + c) * plane + i];
                        }
                    }
                    mean = sum / count;
                    double squares = 0;
                    for (int b = 0; b < batch; b++)
                    {
                        for (int i = 0; i < plane; i++)
                        {
                            double d = x[(b * C + c) * plane + i] - mean;
                            squares += d * d;
                        }
                    }
                    variance = squares / count; // biased, to normalize
                    means[c] = mean;
                    unbiased[c] = squares / (count - 1); // unbiased, for the running estimate
                }
                else
                {
                    mean = _runningMean[n.Index][c];
                    variance = _runningVar[n.Index][c];
                }
                double gamma = p[offset + c], beta = p[offset + C + c];
                double scale = gamma / Math.Sqrt(variance + n.Epsilon);
                for (int b = 0; b < batch; b++)
                {
                    for (int i = 0; i < plane; i++)
                    {
                        int at = (b * C + c) * plane + i;
                        y[at] = (x[at] - mean) * scale + beta;
                    }
                }
            }
            if (training && stats is not null)
            {
                stats.Add((means, unbiased));
            }
            return y;
        }

        private static double[] DenseForward(DenseLayer d, double[] p, int offset, double[] x, int batch)
        {
            int inF = d.In[0], outF = d.Out[0];
            double[] z = new double[batch * outF];
            for (int b = 0; b < batch; b++)
            {
                for (int o = 0; o < outF; o++)
                {
                    double sum = p[offset + outF * inF + o];
                    for (int i = 0; i < inF; i++)
                    {
                        sum += p[offset + o * inF + i] * x[b * inF + i];
                    }
                    z[b * outF + o] = sum;
                }
            }
            return z;
        }

        /// <summary>An activation per element; Softmax over each sample's <paramref name="n"/> values.</summary>
        private static double[] Activate(double[] z, int batch, int n, Activation activation)
        {
            double[] y = new double[z.Length];
            for (int b = 0; b < batch; b++)
            {
                double max = double.MinValue, sum = 0;
                if (activation == Activation.Softmax)
                {
                    for (int j = 0; j < n; j++)
                    {
                        max = Math.Max(max, z[b * n + j]);
                    }
                    for (int j = 0; j < n; j++)
                    {
                        sum += Math.Exp(z[b * n + j] - max);
                    }
                }
                for (int j = 0; j < n; j++)
                {
                    double v = z[b * n + j];
                    y[b * n + j] = activation switch
                    {
                        Activation.ReLU => Math.Max(0, v),
                        Activation.LeakyReLU => v > 0 ? v : 0.01 * v,
                        Activation.Sigmoid => 1 / (1 + Math.Exp(-v)),
                        Activation.Tanh => Math.Tanh(v),
                        Activation.Softmax => Math.Exp(v - max) / sum,
                        Activation.Gelu => v * Phi(v),
                        _ => v,
                    };
                }
            }
            return y;
        }

        /// <summary>The standard normal CDF by its Taylor series, accurate to double precision for |x| &lt; 8.</summary>
        private static double Phi(double x)
        {
            if (Math.Abs(x) >= 8)
            {
                return x > 0 ? 1 : 0;
            }
            double term = x, sum = x;
            for (int k = 1; k < 400 && Math.Abs(term) > 1e-18 * Math.Abs(sum); k++)
            {
                term *= x * x / (2 * k + 1);
                sum += term;
            }
            return 0.5 + sum * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
        }

        private static int Size(int[] shape)
        {
            int n = 1;
            foreach (int d in shape)
            {
                n *= d;
            }
            return n;
        }
    }
}

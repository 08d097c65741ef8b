using System;
using System.Collections.Generic;

namespace NetGen.Networks.Tests
{
    /// <summary>
    /// An independent, double-precision interpreter of a dense network, written from the formulas
    /// (not from the generated code): the reference the finite differences are taken on.
    /// </summary>
    internal sealed class ReferenceNetwork
    {
        private readonly (int In, int Out, Activation Activation)[] _layers;
        private readonly Loss _loss;

        public ReferenceNetwork(Loss loss, params (int In, int Out, Activation Activation)[] layers)
        {
            _loss = loss;
            _layers = layers;
        }

        public int ParameterCount
        {
            get
            {
                int count = 0;
                foreach (var l in _layers)
                {
                    count += l.Out * l.In + l.Out;
                }
                return count;
            }
        }

        /// <summary>The network's outputs for each sample, [batch, out].</summary>
        public double[] Forward(double[] parameters, double[] inputs, int batch) => Run(parameters, inputs, batch, out _);

        /// <summary>The mean loss over the batch; targets are labels (as doubles) or values.</summary>
        public double Loss(double[] parameters, double[] inputs, double[] targets, int batch)
        {
            double[] output = Run(parameters, inputs, batch, out double[] logits);
            int n = _layers[^1].Out;
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

        private double[] Run(double[] parameters, double[] inputs, int batch, out double[] logits)
        {
            double[] x = inputs;
            logits = x;
            int offset = 0;
            foreach (var (inF, outF, activation) in _layers)
            {
                double[] z = new double[batch * outF];
                for (int b = 0; b < batch; b++)
                {
                    for (int o = 0; o < outF; o++)
                    {
                        double sum = parameters[offset + outF * inF + o];
                        for (int i = 0; i < inF; i++)
                        {
                            sum += parameters[offset + o * inF + i] * x[b * inF + i];
                        }
                        z[b * outF + o] = sum;
                    }
                }
                offset += outF * inF + outF;
                logits = z;
                x = Activate(z, batch, outF, activation);
            }
            return x;
        }

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

        public static IEnumerable<int> Range(int count)
        {
            for (int i = 0; i < count; i++)
            {
                yield return i;
            }
        }
    }
}

using System;

namespace NetGen.Runtime.Tests
{
    /// <summary>
    /// One multi-head self-attention problem: <c>qkv [B, T, 3D]</c>, an optional key padding mask
    /// <c>[B, T]</c>, causal or not, and an optional fixed dropout mask <c>[B, heads, T, T]</c>.
    /// </summary>
    internal sealed class AttentionCase
    {
        public AttentionCase(int batch, int steps, int heads, int headDim, bool padding, bool causal, bool dropout, int seed)
        {
            Batch = batch;
            Steps = steps;
            Heads = heads;
            HeadDim = headDim;
            Causal = causal;
            var random = new Random(seed);
            Qkv = new double[batch * steps * 3 * Width];
            for (int i = 0; i < Qkv.Length; i++)
            {
                Qkv[i] = (float)(2 * random.NextDouble() - 1);
            }
            if (padding)
            {
                // Each sample keeps at least one real token; some are padded on the left (a causal row with
                // no visible key), some on the right, some in the middle.
                KeyPadding = new double[batch * steps];
                for (int b = 0; b < batch; b++)
                {
                    int keep = random.Next(steps);
                    for (int t = 0; t < steps; t++)
                    {
                        KeyPadding[b * steps + t] = t != keep && random.NextDouble() < 0.4 ? 1 : 0;
                    }
                }
            }
            if (dropout)
            {
                const double Rate = 0.25;
                Dropout = new double[batch * heads * steps * steps];
                for (int i = 0; i < Dropout.Length; i++)
                {
                    Dropout[i] = random.NextDouble() < Rate ? 0 : (float)(1 / (1 - Rate));
                }
            }
            Weights = new double[batch * steps * Width];
            for (int i = 0; i < Weights.Length; i++)
            {
                Weights[i] = (float)(2 * random.NextDouble() - 1);
            }
        }

        public int Batch { get; }
        public int Steps { get; }
        public int Heads { get; }
        public int HeadDim { get; }
        public int Width => Heads * HeadDim;
        public bool Causal { get; }
        public double[] Qkv { get; }
        public double[]? KeyPadding { get; }
        public double[]? Dropout { get; }

        /// <summary>The loss <c>L = Σ w⊙output</c>: its <c>dOutput</c> is <c>w</c>.</summary>
        public double[] Weights { get; }

        public override string ToString() =>
            $"B={Batch} T={Steps} heads={Heads} dh={HeadDim}{(KeyPadding is null ? "" : " padded")}{(Causal ? " causal" : "")}{(Dropout is null ? "" : " dropout")}";

        public static float[] ToFloat(double[]? values) => values is null ? Array.Empty<float>() : Array.ConvertAll(values, v => (float)v);
    }

    /// <summary>Naive double-precision multi-head attention, written from the definition.</summary>
    internal static class AttentionReference
    {
        /// <summary>Whether query i of sample b may see key j.</summary>
        private static bool Visible(AttentionCase c, int b, int i, int j) =>
            (!c.Causal || j <= i) && (c.KeyPadding is null || c.KeyPadding[b * c.Steps + j] == 0);

        private static double Q(AttentionCase c, int b, int t, int h, int d, int part) =>
            c.Qkv[(b * c.Steps + t) * 3 * c.Width + part * c.Width + h * c.HeadDim + d];

        /// <summary>P <c>[B, heads, T, T]</c> before dropout (a row with no visible key is all zeros).</summary>
        public static double[] Probabilities(AttentionCase c)
        {
            int T = c.Steps, dh = c.HeadDim;
            var p = new double[c.Batch * c.Heads * T * T];
            double scale = 1 / Math.Sqrt(dh);
            for (int b = 0; b < c.Batch; b++)
            {
                for (int h = 0; h < c.Heads; h++)
                {
                    for (int i = 0; i < T; i++)
                    {
                        int row = ((b * c.Heads + h) * T + i) * T;
                        double max = double.NegativeInfinity;
                        var s = new double[T];
                        for (int j = 0; j < T; j++)
                        {
                            double dot = 0;
                            for (int d = 0; d < dh; d++)
                            {
                                dot += Q(c, b, i, h, d, 0) * Q(c, b, j, h, d, 1);
                            }
                            s[j] = dot * scale;
                            if (Visible(c, b, i, j))
                            {
                                max = Math.Max(max, s[j]);
                            }
                        }
                        double sum = 0;
                        for (int j = 0; j < T; j++)
                        {
                            sum += Visible(c, b, i, j) ? Math.Exp(s[j] - max) : 0;
                        }
                        for (int j = 0; j < T; j++)
                        {
                            p[row + j] = Visible(c, b, i, j) ? Math.Exp(s[j] - max) / sum : 0;
                        }
                    }
                }
            }
            return p;
        }

        private static double Dropped(AttentionCase c, double[] p, int index) => c.Dropout is null ? p[index] : p[index] * c.Dropout[index];

        /// <summary><c>output [B, T, D]</c>.</summary>
        public static double[] Forward(AttentionCase c)
        {
            int T = c.Steps, dh = c.HeadDim;
            double[] p = Probabilities(c);
            var output = new double[c.Batch * T * c.Width];
            for (int b = 0; b < c.Batch; b++)
            {
                for (int h = 0; h < c.Heads; h++)
                {
                    for (int i = 0; i < T; i++)
                    {
                        for (int j = 0; j < T; j++)
                        {
                            double weight = Dropped(c, p, ((b * c.Heads + h) * T + i) * T + j);
                            for (int d = 0; d < dh; d++)
                            {
                                output[(b * T + i) * c.Width + h * dh + d] += weight * Q(c, b, j, h, d, 2);
                            }
                        }
                    }
                }
            }
            return output;
        }

        /// <summary><c>dQkv [B, T, 3D]</c> for <c>dOutput = w</c>.</summary>
        public static double[] Backward(AttentionCase c)
        {
            int T = c.Steps, dh = c.HeadDim, D = c.Width;
            double[] p = Probabilities(c);
            var dQkv = new double[c.Qkv.Length];
            double scale = 1 / Math.Sqrt(dh);
            for (int b = 0; b < c.Batch; b++)
            {
                for (int h = 0; h < c.Heads; h++)
                {
                    for (int i = 0; i < T; i++)
                    {
                        int row = ((b * c.Heads + h) * T + i) * T;
                        var dP = new double[T];
                        double dot = 0;
                        for (int j = 0; j < T; j++)
                        {
                            double dPrime = 0;
                            for (int d = 0; d < dh; d++)
                            {
                                double dOut = c.Weights[(b * T + i) * D + h * dh + d];
                                dPrime += dOut * Q(c, b, j, h, d, 2);
                                dQkv[(b * T + j) * 3 * D + 2 * D + h * dh + d] += Dropped(c, p, row + j) * dOut;
                            }
                            dP[j] = c.Dropout is null ? dPrime : dPrime * c.Dropout[row + j];
                            dot += p[row + j] * dP[j];
                        }
                        for (int j = 0; j < T; j++)
                        {
                            double dS = p[row + j] * (dP[j] - dot) * scale;
                            for (int d = 0; d < dh; d++)
                            {
                                dQkv[(b * T + i) * 3 * D + h * dh + d] += dS * Q(c, b, j, h, d, 1);
                                dQkv[(b * T + j) * 3 * D + D + h * dh + d] += dS * Q(c, b, i, h, d, 0);
                            }
                        }
                    }
                }
            }
            return dQkv;
        }

        /// <summary><c>L = Σ w⊙output</c>.</summary>
        public static double Loss(AttentionCase c)
        {
            double[] output = Forward(c);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += c.Weights[i] * output[i];
            }
            return sum;
        }
    }
}

using System;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary>Which recurrent layer a test exercises.</summary>
    public enum RecurrentKind
    {
        Lstm,
        Gru,
    }

    /// <summary>One layer's inputs and parameters in double: <c>x [B, T, I]</c>, <c>W_ih [G·H, I]</c>, <c>W_hh [G·H, H]</c>, <c>b_ih, b_hh [G·H]</c>.</summary>
    internal sealed class RecurrentCase
    {
        public RecurrentCase(RecurrentKind kind, int batch, int steps, int input, int hidden, long seed)
        {
            Kind = kind;
            Batch = batch;
            Steps = steps;
            Input = input;
            Hidden = hidden;
            var rng = new Rng(seed);
            double scale = 1 / Math.Sqrt(hidden); // PyTorch's initialization range, so the gates stay out of saturation
            X = Uniform(batch * steps * input, 1, rng);
            WIh = Uniform(GateWidth * input, scale, rng);
            WHh = Uniform(GateWidth * hidden, scale, rng);
            BIh = Uniform(GateWidth, scale, rng);
            BHh = Uniform(GateWidth, scale, rng);
            // Rounded to float once, so the kernel and the reference see the same numbers.
            foreach (double[] values in Tensors)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)values[i];
                }
            }
        }

        public RecurrentKind Kind { get; }
        public int Batch { get; }
        public int Steps { get; }
        public int Input { get; }
        public int Hidden { get; }
        public int GateWidth => (Kind == RecurrentKind.Lstm ? 4 : 3) * Hidden;
        public double[] X { get; }
        public double[] WIh { get; }
        public double[] WHh { get; }
        public double[] BIh { get; }
        public double[] BHh { get; }

        /// <summary>x, W_ih, W_hh, b_ih, b_hh: the order of <see cref="RecurrentGradients.All"/>.</summary>
        public double[][] Tensors => [X, WIh, WHh, BIh, BHh];

        public override string ToString() => $"{Kind} B={Batch} T={Steps} I={Input} H={Hidden}";

        internal static double[] Uniform(int length, double scale, Rng rng)
        {
            var values = new double[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = scale * (2 * rng.NextDouble() - 1);
            }
            return values;
        }

        internal static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);
    }

    /// <summary>∂L/∂ of every input of a layer.</summary>
    internal sealed record RecurrentGradients(double[] X, double[] WIh, double[] WHh, double[] BIh, double[] BHh)
    {
        public double[][] All => [X, WIh, WHh, BIh, BHh];

        public static readonly string[] Names = ["dx", "dW_ih", "dW_hh", "db_ih", "db_hh"];
    }

    /// <summary>
    /// Naive double-precision LSTM and GRU, written from PyTorch's equations one scalar at a time:
    /// a forward pass and back-propagation through time, independent of the kernels' layout and
    /// products. The tests check it against central finite differences, then the kernels against it.
    /// </summary>
    internal static class RecurrentReference
    {
        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

        /// <summary><c>y [B, T, H]</c>.</summary>
        public static double[] Forward(RecurrentCase c) => c.Kind == RecurrentKind.Lstm ? Lstm(c, null) : Gru(c, null);

        /// <summary>Every gradient of <c>L</c> given <c>dy = ∂L/∂y</c>.</summary>
        public static RecurrentGradients Backward(RecurrentCase c, double[] dy)
        {
            var g = new RecurrentGradients(new double[c.X.Length], new double[c.WIh.Length], new double[c.WHh.Length],
                new double[c.BIh.Length], new double[c.BHh.Length]);
            if (c.Kind == RecurrentKind.Lstm)
            {
                Lstm(c, (dy, g));
            }
            else
            {
                Gru(c, (dy, g));
            }
            return g;
        }

        /// <summary>W[rows, columns]·v + b.</summary>
        private static double Affine(double[] w, double[] bias, int row, int columns, double[] v, int offset)
        {
            double sum = bias[row];
            for (int k = 0; k < columns; k++)
            {
                sum += w[row * columns + k] * v[offset + k];
            }
            return sum;
        }

        /// <summary>Forward, and with <paramref name="backward"/> back-propagation through time for each sample.</summary>
        private static double[] Lstm(RecurrentCase c, (double[] Dy, RecurrentGradients G)? backward)
        {
            int batch = c.Batch, steps = c.Steps, input = c.Input, hidden = c.Hidden;
            var y = new double[batch * steps * hidden];
            for (int b = 0; b < batch; b++)
            {
                // Per step: h_{t−1}, c_{t−1}, gates i, f, g, o, c_t.
                var hs = new double[steps + 1][];
                var cs = new double[steps + 1][];
                var gates = new double[steps][];
                hs[0] = new double[hidden];
                cs[0] = new double[hidden];
                for (int t = 0; t < steps; t++)
                {
                    int xOffset = (b * steps + t) * input;
                    var a = new double[4 * hidden];
                    for (int j = 0; j < 4 * hidden; j++)
                    {
                        a[j] = Affine(c.WIh, c.BIh, j, input, c.X, xOffset) + Affine(c.WHh, c.BHh, j, hidden, hs[t], 0);
                    }
                    hs[t + 1] = new double[hidden];
                    cs[t + 1] = new double[hidden];
                    for (int j = 0; j < hidden; j++)
                    {
                        double i = Sigmoid(a[j]), f = Sigmoid(a[hidden + j]), g = Math.Tanh(a[2 * hidden + j]), o = Sigmoid(a[3 * hidden + j]);
                        a[j] = i;
                        a[hidden + j] = f;
                        a[2 * hidden + j] = g;
                        a[3 * hidden + j] = o;
                        cs[t + 1][j] = f * cs[t][j] + i * g;
                        hs[t + 1][j] = o * Math.Tanh(cs[t + 1][j]);
                        y[(b * steps + t) * hidden + j] = hs[t + 1][j];
                    }
                    gates[t] = a;
                }
                if (backward is not { } pass)
                {
                    continue;
                }
                var (dy, grads) = pass;
                var dhNext = new double[hidden];
                var dcNext = new double[hidden];
                for (int t = steps - 1; t >= 0; t--)
                {
                    var da = new double[4 * hidden];
                    for (int j = 0; j < hidden; j++)
                    {
                        double i = gates[t][j], f = gates[t][hidden + j], g = gates[t][2 * hidden + j], o = gates[t][3 * hidden + j];
                        double dh = dy[(b * steps + t) * hidden + j] + dhNext[j];
                        double tc = Math.Tanh(cs[t + 1][j]);
                        double dc = dcNext[j] + dh * o * (1 - tc * tc);
                        da[j] = dc * g * i * (1 - i);
                        da[hidden + j] = dc * cs[t][j] * f * (1 - f);
                        da[2 * hidden + j] = dc * i * (1 - g * g);
                        da[3 * hidden + j] = dh * tc * o * (1 - o);
                        dcNext[j] = dc * f;
                    }
                    dhNext = Accumulate(c, grads, da, b, t, hs[t]);
                }
            }
            return y;
        }

        private static double[] Gru(RecurrentCase c, (double[] Dy, RecurrentGradients G)? backward)
        {
            int batch = c.Batch, steps = c.Steps, input = c.Input, hidden = c.Hidden;
            var y = new double[batch * steps * hidden];
            for (int b = 0; b < batch; b++)
            {
                var hs = new double[steps + 1][];
                var gates = new double[steps][];       // r, z, n
                var hiddenNew = new double[steps][];   // W_hn h + b_hn
                hs[0] = new double[hidden];
                for (int t = 0; t < steps; t++)
                {
                    int xOffset = (b * steps + t) * input;
                    gates[t] = new double[3 * hidden];
                    hiddenNew[t] = new double[hidden];
                    hs[t + 1] = new double[hidden];
                    for (int j = 0; j < hidden; j++)
                    {
                        double r = Sigmoid(Affine(c.WIh, c.BIh, j, input, c.X, xOffset) + Affine(c.WHh, c.BHh, j, hidden, hs[t], 0));
                        double z = Sigmoid(Affine(c.WIh, c.BIh, hidden + j, input, c.X, xOffset) + Affine(c.WHh, c.BHh, hidden + j, hidden, hs[t], 0));
                        double hn = Affine(c.WHh, c.BHh, 2 * hidden + j, hidden, hs[t], 0);
                        double n = Math.Tanh(Affine(c.WIh, c.BIh, 2 * hidden + j, input, c.X, xOffset) + r * hn);
                        gates[t][j] = r;
                        gates[t][hidden + j] = z;
                        gates[t][2 * hidden + j] = n;
                        hiddenNew[t][j] = hn;
                        hs[t + 1][j] = (1 - z) * n + z * hs[t][j];
                        y[(b * steps + t) * hidden + j] = hs[t + 1][j];
                    }
                }
                if (backward is not { } pass)
                {
                    continue;
                }
                var (dy, grads) = pass;
                var dhNext = new double[hidden];
                for (int t = steps - 1; t >= 0; t--)
                {
                    var dInput = new double[3 * hidden];
                    var dRecurrent = new double[3 * hidden];
                    var direct = new double[hidden];
                    for (int j = 0; j < hidden; j++)
                    {
                        double r = gates[t][j], z = gates[t][hidden + j], n = gates[t][2 * hidden + j];
                        double dh = dy[(b * steps + t) * hidden + j] + dhNext[j];
                        double dn = dh * (1 - z) * (1 - n * n);
                        double dz = dh * (hs[t][j] - n) * z * (1 - z);
                        double dr = dn * hiddenNew[t][j] * r * (1 - r);
                        dInput[j] = dRecurrent[j] = dr;
                        dInput[hidden + j] = dRecurrent[hidden + j] = dz;
                        dInput[2 * hidden + j] = dn;
                        dRecurrent[2 * hidden + j] = dn * r;
                        direct[j] = dh * z;
                    }
                    AccumulateInput(c, grads, dInput, b, t);
                    dhNext = AccumulateRecurrent(c, grads, dRecurrent, hs[t]);
                    for (int j = 0; j < hidden; j++)
                    {
                        dhNext[j] += direct[j];
                    }
                }
            }
            return y;
        }

        /// <summary>LSTM: the same pre-activation gradient enters both projections.</summary>
        private static double[] Accumulate(RecurrentCase c, RecurrentGradients grads, double[] da, int b, int t, double[] hPrev)
        {
            AccumulateInput(c, grads, da, b, t);
            return AccumulateRecurrent(c, grads, da, hPrev);
        }

        /// <summary>dW_ih += da ⊗ x_t, db_ih += da, dx_t = daᵀ·W_ih.</summary>
        private static void AccumulateInput(RecurrentCase c, RecurrentGradients grads, double[] da, int b, int t)
        {
            int xOffset = (b * c.Steps + t) * c.Input;
            for (int j = 0; j < da.Length; j++)
            {
                grads.BIh[j] += da[j];
                for (int k = 0; k < c.Input; k++)
                {
                    grads.WIh[j * c.Input + k] += da[j] * c.X[xOffset + k];
                    grads.X[xOffset + k] += da[j] * c.WIh[j * c.Input + k];
                }
            }
        }

        /// <summary>dW_hh += da ⊗ h_{t−1}, db_hh += da; returns daᵀ·W_hh.</summary>
        private static double[] AccumulateRecurrent(RecurrentCase c, RecurrentGradients grads, double[] da, double[] hPrev)
        {
            var dhPrev = new double[c.Hidden];
            for (int j = 0; j < da.Length; j++)
            {
                grads.BHh[j] += da[j];
                for (int k = 0; k < c.Hidden; k++)
                {
                    grads.WHh[j * c.Hidden + k] += da[j] * hPrev[k];
                    dhPrev[k] += da[j] * c.WHh[j * c.Hidden + k];
                }
            }
            return dhPrev;
        }
    }

    /// <summary>Runs the float kernels (<see cref="Lstm"/> or <see cref="Gru"/>) on a <see cref="RecurrentCase"/>.</summary>
    internal static class RecurrentKernel
    {
        public sealed record Result(float[] Y, float[] Dx, float[] DWIh, float[] DWHh, float[] DBIh, float[] DBHh)
        {
            public float[][] Gradients => [Dx, DWIh, DWHh, DBIh, DBHh];
        }

        /// <summary>
        /// Forward then backward with <paramref name="dy"/>. Every buffer starts full of NaN, so a kernel
        /// that reads what it has not written, or accumulates instead of overwriting, is caught.
        /// </summary>
        public static Result Run(RecurrentCase c, float[] dy, bool inputGradient = true)
        {
            int batch = c.Batch, steps = c.Steps, input = c.Input, hidden = c.Hidden;
            float[] x = RecurrentCase.ToFloat(c.X), wIh = RecurrentCase.ToFloat(c.WIh), wHh = RecurrentCase.ToFloat(c.WHh);
            float[] bIh = RecurrentCase.ToFloat(c.BIh), bHh = RecurrentCase.ToFloat(c.BHh);
            bool lstm = c.Kind == RecurrentKind.Lstm;
            float[] y = NaNs(batch * steps * hidden);
            float[] saved = NaNs(batch * (lstm ? Lstm.SavedSize(steps, hidden) : Gru.SavedSize(steps, hidden)));
            float[] scratch = NaNs(batch * (lstm ? Lstm.ScratchSize(steps, input, hidden) : Gru.ScratchSize(steps, input, hidden)));
            float[] dx = inputGradient ? NaNs(x.Length) : [];
            float[] dWIh = NaNs(wIh.Length), dWHh = NaNs(wHh.Length), dBIh = NaNs(bIh.Length), dBHh = NaNs(bHh.Length);
            if (lstm)
            {
                Lstm.Forward(x, wIh, wHh, bIh, bHh, y, saved, batch, steps, input, hidden);
                Lstm.Backward(x, wIh, wHh, y, saved, dy, dx, dWIh, dWHh, dBIh, dBHh, scratch, batch, steps, input, hidden);
            }
            else
            {
                Gru.Forward(x, wIh, wHh, bIh, bHh, y, saved, batch, steps, input, hidden);
                Gru.Backward(x, wIh, wHh, y, saved, dy, dx, dWIh, dWHh, dBIh, dBHh, scratch, batch, steps, input, hidden);
            }
            return new Result(y, dx, dWIh, dWHh, dBIh, dBHh);
        }

        /// <summary>
        /// <c>h</c> after each step of carrying the state through <c>Step</c>, laid out like <c>y [B, T, H]</c>.
        /// </summary>
        public static float[] RunSteps(RecurrentCase c)
        {
            int batch = c.Batch, steps = c.Steps, input = c.Input, hidden = c.Hidden;
            float[] x = RecurrentCase.ToFloat(c.X), wIh = RecurrentCase.ToFloat(c.WIh), wHh = RecurrentCase.ToFloat(c.WHh);
            float[] bIh = RecurrentCase.ToFloat(c.BIh), bHh = RecurrentCase.ToFloat(c.BHh);
            bool lstm = c.Kind == RecurrentKind.Lstm;
            float[] h = new float[batch * hidden], cell = new float[batch * hidden], xt = new float[batch * input];
            float[] scratch = NaNs(batch * (lstm ? Lstm.StepScratchSize(hidden) : Gru.StepScratchSize(hidden)));
            float[] y = new float[batch * steps * hidden];
            for (int t = 0; t < steps; t++)
            {
                for (int b = 0; b < batch; b++)
                {
                    Array.Copy(x, (b * steps + t) * input, xt, b * input, input);
                }
                if (lstm)
                {
                    Lstm.Step(xt, wIh, wHh, bIh, bHh, h, cell, scratch, batch, input, hidden);
                }
                else
                {
                    Gru.Step(xt, wIh, wHh, bIh, bHh, h, scratch, batch, input, hidden);
                }
                for (int b = 0; b < batch; b++)
                {
                    Array.Copy(h, b * hidden, y, (b * steps + t) * hidden, hidden);
                }
            }
            return y;
        }

        public static float[] NaNs(int length)
        {
            var values = new float[length];
            Array.Fill(values, float.NaN);
            return values;
        }
    }
}

using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// Position embeddings added to a batch of sequences <c>x [B, T, D]</c>: a table <c>[T, D]</c>, learned
    /// (a parameter, with <see cref="AddBackward"/>) or the fixed <see cref="Sinusoidal(Span{float}, int, int)"/> one.
    /// </summary>
    public static class Positional
    {
        /// <summary><c>y[b, t, :] = x[b, t, :] + table[t, :]</c>. <paramref name="x"/> and <paramref name="y"/> may be the same span.</summary>
        public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> table, Span<float> y, int batch, int steps, int features)
        {
            int stride = CheckSizes(batch, steps, features);
            Recurrent.Require(x.Length, (long)batch * stride, nameof(x));
            Recurrent.Require(y.Length, (long)batch * stride, nameof(y));
            Recurrent.Require(table.Length, stride, nameof(table));
            ReadOnlySpan<float> rows = table.Slice(0, stride);
            for (int b = 0; b < batch; b++)
            {
                TensorPrimitives.Add(x.Slice(b * stride, stride), rows, y.Slice(b * stride, stride));
            }
        }

        /// <summary>
        /// <c>dTable = Σ_b dy[b]</c> (overwritten), the samples added in order. The gradient with respect to
        /// <c>x</c> is <c>dy</c> itself.
        /// </summary>
        public static void AddBackward(ReadOnlySpan<float> dy, Span<float> dTable, int batch, int steps, int features)
        {
            int stride = CheckSizes(batch, steps, features);
            Recurrent.Require(dy.Length, (long)batch * stride, nameof(dy));
            Recurrent.Require(dTable.Length, stride, nameof(dTable));
            Span<float> sums = dTable.Slice(0, stride);
            if (batch == 0)
            {
                sums.Clear();
                return;
            }
            dy.Slice(0, stride).CopyTo(sums);
            for (int b = 1; b < batch; b++)
            {
                TensorPrimitives.Add(sums, dy.Slice(b * stride, stride), sums);
            }
        }

        /// <summary>A new <c>[T, D]</c> array holding the <see cref="Sinusoidal(Span{float}, int, int)"/> table (generated networks keep one per layer).</summary>
        public static float[] Sinusoidal(int steps, int features)
        {
            var table = new float[checked(steps * features)];
            Sinusoidal(table, steps, features);
            return table;
        }

        /// <summary>
        /// The fixed table of "Attention Is All You Need", <c>[T, D]</c>: <c>PE[t, 2i] = sin(t·ω_i)</c>,
        /// <c>PE[t, 2i+1] = cos(t·ω_i)</c> with <c>ω_i = 10000^(−2i/D)</c> (for odd D the last column is a sine).
        /// Computed in double precision.
        /// </summary>
        public static void Sinusoidal(Span<float> table, int steps, int features)
        {
            int stride = CheckSizes(0, steps, features);
            Recurrent.Require(table.Length, stride, nameof(table));
            for (int t = 0; t < steps; t++)
            {
                Span<float> row = table.Slice(t * features, features);
                for (int j = 0; j < features; j += 2)
                {
                    double angle = t * Math.Exp(j * (-Math.Log(10000.0) / features));
                    row[j] = (float)Math.Sin(angle);
                    if (j + 1 < features)
                    {
                        row[j + 1] = (float)Math.Cos(angle);
                    }
                }
            }
        }

        /// <summary>Throws unless batch ≥ 0, steps ≥ 1, features ≥ 1 and a sequence fits in an array; returns <c>T·D</c>.</summary>
        private static int CheckSizes(int batch, int steps, int features)
        {
            if (batch < 0 || steps < 1 || features < 1 || (long)steps * features > Array.MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(steps),
                    $"Need batch ≥ 0, steps ≥ 1, features ≥ 1: batch={batch}, steps={steps}, features={features}.");
            }
            return steps * features;
        }
    }
}

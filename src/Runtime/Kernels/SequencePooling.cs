using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// Global average pooling over the time axis of <c>x [B, T, D]</c>, skipping padded steps:
    /// <c>y[b, :] = mean over the steps t with keyPadding[b, t] == 0 of x[b, t, :]</c> (every step when
    /// the mask is empty). A sample whose every step is masked pools to zero (and passes no gradient).
    /// </summary>
    public static class SequencePooling
    {
        /// <summary><c>y [B, D]</c> = the mean of each sample's unmasked steps, added in order. <c>keyPadding [B, T]</c> (1 = masked) or empty.</summary>
        public static void MeanForward(ReadOnlySpan<float> x, ReadOnlySpan<float> keyPadding, Span<float> y, int batch, int steps, int features)
        {
            CheckSizes(x.Length, keyPadding.Length, y.Length, batch, steps, features, nameof(x), nameof(y));
            for (int b = 0; b < batch; b++)
            {
                Span<float> sum = y.Slice(b * features, features);
                sum.Clear();
                int count = 0;
                for (int t = 0; t < steps; t++)
                {
                    if (keyPadding.IsEmpty || keyPadding[b * steps + t] == 0)
                    {
                        TensorPrimitives.Add(sum, x.Slice((b * steps + t) * features, features), sum);
                        count++;
                    }
                }
                if (count > 0)
                {
                    TensorPrimitives.Divide(sum, count, sum);
                }
            }
        }

        /// <summary><c>dx[b, t, :] = dy[b, :]/count_b</c> at unmasked steps, 0 at masked ones (overwritten).</summary>
        public static void MeanBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> keyPadding, Span<float> dx, int batch, int steps, int features)
        {
            CheckSizes(dx.Length, keyPadding.Length, dy.Length, batch, steps, features, nameof(dx), nameof(dy));
            for (int b = 0; b < batch; b++)
            {
                int count = steps;
                if (!keyPadding.IsEmpty)
                {
                    count = 0;
                    foreach (float masked in keyPadding.Slice(b * steps, steps))
                    {
                        count += masked == 0 ? 1 : 0;
                    }
                }
                ReadOnlySpan<float> gradient = dy.Slice(b * features, features);
                for (int t = 0; t < steps; t++)
                {
                    Span<float> row = dx.Slice((b * steps + t) * features, features);
                    if (keyPadding.IsEmpty || keyPadding[b * steps + t] == 0)
                    {
                        TensorPrimitives.Divide(gradient, count, row);
                    }
                    else
                    {
                        row.Clear();
                    }
                }
            }
        }

        private static void CheckSizes(int sequence, int mask, int pooled, int batch, int steps, int features, string sequenceName, string pooledName)
        {
            if (batch < 0 || steps < 1 || features < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(steps),
                    $"Need batch ≥ 0, steps ≥ 1, features ≥ 1: batch={batch}, steps={steps}, features={features}.");
            }
            Recurrent.Require(sequence, (long)batch * steps * features, sequenceName);
            Recurrent.Require(pooled, (long)batch * features, pooledName);
            if (mask != 0)
            {
                Recurrent.Require(mask, (long)batch * steps, "keyPadding");
            }
        }
    }
}

using System;

namespace NetGen.Kernels
{
    /// <summary>
    /// Batch normalization per channel, like PyTorch's <c>BatchNorm1d</c>/<c>BatchNorm2d</c>: in training,
    /// the batch's mean and biased variance normalize, and the running statistics move by
    /// <c>momentum</c> towards the mean and the unbiased variance; in inference the running statistics
    /// normalize. Channel-major input (<c>[C, B·H·W]</c>, after a convolution) keeps each channel
    /// contiguous; batch-major input (<c>[B, C]</c>, after a dense layer) keeps each sample's
    /// features together. Sums are kept in double.
    /// </summary>
    public static class BatchNorm
    {
        /// <summary>
        /// Training forward: normalizes with the batch statistics, updates the running ones, and saves
        /// each channel's mean and 1/√(var+ε) in <paramref name="saved"/> ([2·C]) for the backward pass.
        /// </summary>
        public static void ForwardTraining(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
            Span<float> runningMean, Span<float> runningVariance, Span<float> saved, int channels, int count, bool channelMajor,
            float momentum, float epsilon)
        {
            if (count < 2)
            {
                throw new ArgumentException(
                    $"Batch normalization in training needs more than one value per channel; got {count} (a batch of 1 before a dense batch-norm?).",
                    nameof(count));
            }
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int i = 0; i < count; i++)
                {
                    sum += At(x, c, i, channels, count, channelMajor);
                }
                double mean = sum / count;
                double squares = 0;
                for (int i = 0; i < count; i++)
                {
                    double d = At(x, c, i, channels, count, channelMajor) - mean;
                    squares += d * d;
                }
                double variance = squares / count;
                float invStd = (float)(1.0 / Math.Sqrt(variance + epsilon));
                saved[c] = (float)mean;
                saved[channels + c] = invStd;
                Affine(x, y, c, channels, count, channelMajor, gamma[c] * invStd, beta[c] - (float)mean * gamma[c] * invStd);
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * (float)mean;
                runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * (float)(squares / (count - 1));
            }
        }

        /// <summary>Inference forward: y = γ·(x − running mean)/√(running var + ε) + β.</summary>
        public static void ForwardInference(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
            ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, int channels, int count, bool channelMajor, float epsilon)
        {
            for (int c = 0; c < channels; c++)
            {
                float scale = gamma[c] / MathF.Sqrt(runningVariance[c] + epsilon);
                Affine(x, y, c, channels, count, channelMajor, scale, beta[c] - runningMean[c] * scale);
            }
        }

        /// <summary>
        /// Backward of the training forward: dγ = Σ dy·x̂, dβ = Σ dy (overwritten), and, unless
        /// <paramref name="dx"/> is empty, dx = γ/(σ·N)·(N·dy − dβ − x̂·dγ). <paramref name="dy"/> and
        /// <paramref name="dx"/> may be the same span.
        /// </summary>
        public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> saved,
            Span<float> gammaGrad, Span<float> betaGrad, Span<float> dx, int channels, int count, bool channelMajor)
        {
            for (int c = 0; c < channels; c++)
            {
                float mean = saved[c], invStd = saved[channels + c];
                double sumDy = 0, sumDyXhat = 0;
                for (int i = 0; i < count; i++)
                {
                    double g = At(dy, c, i, channels, count, channelMajor);
                    sumDy += g;
                    sumDyXhat += g * ((At(x, c, i, channels, count, channelMajor) - mean) * invStd);
                }
                gammaGrad[c] = (float)sumDyXhat;
                betaGrad[c] = (float)sumDy;
                if (dx.IsEmpty)
                {
                    continue;
                }
                // dx = k·dy + kx·(x − mean) + k0, from the formula above.
                float k = gamma[c] * invStd;
                float kx = (float)(-gamma[c] * invStd * invStd * sumDyXhat / count);
                float k0 = (float)(-gamma[c] * invStd * sumDy / count);
                for (int i = 0; i < count; i++)
                {
                    int at = Index(c, i, channels, count, channelMajor);
                    dx[at] = k * dy[at] + kx * (x[at] - mean) + k0;
                }
            }
        }

        private static void Affine(ReadOnlySpan<float> x, Span<float> y, int c, int channels, int count, bool channelMajor, float scale, float shift)
        {
            if (channelMajor)
            {
                Span<float> channel = y.Slice(c * count, count);
                System.Numerics.Tensors.TensorPrimitives.Multiply(x.Slice(c * count, count), scale, channel);
                System.Numerics.Tensors.TensorPrimitives.Add(channel, shift, channel);
                return;
            }
            for (int i = 0; i < count; i++)
            {
                y[i * channels + c] = x[i * channels + c] * scale + shift;
            }
        }

        private static float At(ReadOnlySpan<float> values, int c, int i, int channels, int count, bool channelMajor) =>
            values[Index(c, i, channels, count, channelMajor)];

        private static int Index(int c, int i, int channels, int count, bool channelMajor) =>
            channelMajor ? c * count + i : i * channels + c;
    }
}

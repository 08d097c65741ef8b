using System;
using System.Numerics.Tensors;

namespace NetGen
{
    /// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
    public static class GradientClipping
    {
        /// <summary>
        /// Scales <paramref name="gradients"/> (all of a network's gradients: one flat buffer) by
        /// <c>min(1, maxNorm / (‖g‖₂ + 1e−6))</c> so their global L2 norm is at most <paramref name="maxNorm"/>,
        /// and returns the norm before clipping. Allocates nothing.
        /// </summary>
        public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
        {
            if (!(maxNorm > 0) || !float.IsFinite(maxNorm))
            {
                throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be a finite number > 0.");
            }
            float total = GlobalNorm(gradients);
            float coefficient = maxNorm / (total + 1e-6f);
            if (coefficient < 1f)
            {
                TensorPrimitives.Multiply(gradients, coefficient, gradients);
            }
            return total;
        }

        /// <summary>The L2 norm of <paramref name="values"/>, summed in double so it does not depend on the buffer's length.</summary>
        public static float GlobalNorm(ReadOnlySpan<float> values)
        {
            double sum = 0;
            foreach (float v in values)
            {
                sum += (double)v * v;
            }
            return (float)Math.Sqrt(sum);
        }
    }
}

using System;
using System.Runtime.Intrinsics;
using NetGen.Optimizers;

namespace NetGen
{
    /// <summary>
    /// Adam, following <c>torch.optim.Adam</c>: <c>m = β₁m + (1−β₁)g</c>, <c>v = β₂v + (1−β₂)g²</c>,
    /// <c>p −= (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)</c>. A non-zero <c>weightDecay</c> adds
    /// <c>λp</c> to the gradient (L2, as PyTorch's Adam does); for decoupled decay use <see cref="AdamW"/>.
    /// </summary>
    public class Adam : Optimizer
    {
        private readonly bool _decoupled;

        /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
        public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
            : this(learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false)
        {
        }

        private protected Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled)
            : base(learningRate)
        {
            CheckUnitInterval(beta1, nameof(beta1));
            CheckUnitInterval(beta2, nameof(beta2));
            if (!float.IsFinite(epsilon) || epsilon < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be a finite number ≥ 0.");
            }
            if (!float.IsFinite(weightDecay) || weightDecay < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be a finite number ≥ 0.");
            }
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
            WeightDecay = weightDecay;
            _decoupled = decoupled;
        }

        /// <summary>β₁, the decay of the first moment.</summary>
        public float Beta1 { get; }

        /// <summary>β₂, the decay of the second moment.</summary>
        public float Beta2 { get; }

        /// <summary>ε, added to the denominator.</summary>
        public float Epsilon { get; }

        /// <summary>λ: L2 penalty for <see cref="Adam"/>, decoupled decay for <see cref="AdamW"/>.</summary>
        public float WeightDecay { get; }

        /// <inheritdoc/>
        protected override int SlotsPerParameter => 2;

        /// <inheritdoc/>
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, OptimizerState state)
        {
            // Bias corrections in double, as PyTorch computes them in Python floats.
            long t = state.StepCount;
            double biasCorrection1 = 1 - Math.Pow(Beta1, t);
            double biasCorrection2 = 1 - Math.Pow(Beta2, t);
            var rule = new Rule(
                beta1: Beta1,
                beta2: Beta2,
                epsilon: Epsilon,
                stepSize: (float)(LearningRate / biasCorrection1),
                biasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
                l2: _decoupled ? 0f : WeightDecay,
                decay: _decoupled ? (float)(1.0 - (double)LearningRate * WeightDecay) : 1f);
            UpdateLoop.Run(rule, parameters, gradients, state.Slot(0), state.Slot(1));
        }

        private static void CheckUnitInterval(float beta, string name)
        {
            if (!(beta >= 0 && beta < 1))
            {
                throw new ArgumentOutOfRangeException(name, beta, $"{name} must be in [0, 1).");
            }
        }

        private readonly struct Rule(float beta1, float beta2, float epsilon, float stepSize, float biasCorrection2Sqrt, float l2, float decay)
            : IUpdateRule
        {
            // 1 − β in double, rounded once, as PyTorch passes Python floats to its kernels.
            private readonly float _oneMinusBeta1 = (float)(1.0 - beta1);
            private readonly float _oneMinusBeta2 = (float)(1.0 - beta2);

            public float Apply(float p, float g, ref float m, ref float v)
            {
                p *= decay;
                g += l2 * p;
                m = m * beta1 + g * _oneMinusBeta1;
                v = v * beta2 + _oneMinusBeta2 * (g * g);
                float denom = MathF.Sqrt(v) / biasCorrection2Sqrt + epsilon;
                return p - stepSize * (m / denom);
            }

            public Vector128<float> Apply(Vector128<float> p, Vector128<float> g, ref Vector128<float> m, ref Vector128<float> v)
            {
                p *= decay;
                g += l2 * p;
                m = m * beta1 + g * _oneMinusBeta1;
                v = v * beta2 + _oneMinusBeta2 * (g * g);
                Vector128<float> denom = Vector128.Sqrt(v) / biasCorrection2Sqrt + Vector128.Create(epsilon);
                return p - stepSize * (m / denom);
            }

            public Vector256<float> Apply(Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
            {
                p *= decay;
                g += l2 * p;
                m = m * beta1 + g * _oneMinusBeta1;
                v = v * beta2 + _oneMinusBeta2 * (g * g);
                Vector256<float> denom = Vector256.Sqrt(v) / biasCorrection2Sqrt + Vector256.Create(epsilon);
                return p - stepSize * (m / denom);
            }

            public Vector512<float> Apply(Vector512<float> p, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
            {
                p *= decay;
                g += l2 * p;
                m = m * beta1 + g * _oneMinusBeta1;
                v = v * beta2 + _oneMinusBeta2 * (g * g);
                Vector512<float> denom = Vector512.Sqrt(v) / biasCorrection2Sqrt + Vector512.Create(epsilon);
                return p - stepSize * (m / denom);
            }
        }
    }

    /// <summary>
    /// AdamW, following <c>torch.optim.AdamW</c>: first <c>p ← p·(1 − lr·λ)</c> (decoupled weight
    /// decay), then the Adam update without any L2 term.
    /// </summary>
    public sealed class AdamW : Adam
    {
        /// <summary>Creates the optimizer with PyTorch's defaults (λ = 0.01).</summary>
        public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
            : base(learningRate, beta1, beta2, epsilon, weightDecay, decoupled: true)
        {
        }
    }
}

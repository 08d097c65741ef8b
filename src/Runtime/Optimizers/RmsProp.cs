using System;
using System.Runtime.Intrinsics;
using NetGen.Optimizers;

namespace NetGen
{
    /// <summary>
    /// RMSprop, following <c>torch.optim.RMSprop</c> (not centered): <c>g += λp</c>;
    /// <c>s = αs + (1−α)g²</c>; with momentum <c>buf = μ·buf + g/(√s + ε)</c>, <c>p −= lr·buf</c>,
    /// else <c>p −= lr·g/(√s + ε)</c>.
    /// </summary>
    public sealed class RmsProp : Optimizer
    {
        /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
        public RmsProp(float learningRate = 1e-2f, float alpha = 0.99f, float epsilon = 1e-8f, float momentum = 0f, float weightDecay = 0f)
            : base(learningRate)
        {
            if (!(alpha >= 0 && alpha < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1).");
            }
            if (!float.IsFinite(epsilon) || epsilon < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be a finite number ≥ 0.");
            }
            if (!float.IsFinite(momentum) || momentum < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be a finite number ≥ 0.");
            }
            if (!float.IsFinite(weightDecay) || weightDecay < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be a finite number ≥ 0.");
            }
            Alpha = alpha;
            Epsilon = epsilon;
            Momentum = momentum;
            WeightDecay = weightDecay;
        }

        /// <summary>α, the decay of the running mean of squared gradients.</summary>
        public float Alpha { get; }

        /// <summary>ε, added to the denominator.</summary>
        public float Epsilon { get; }

        /// <summary>μ.</summary>
        public float Momentum { get; }

        /// <summary>λ, the L2 penalty added to the gradient.</summary>
        public float WeightDecay { get; }

        /// <inheritdoc/>
        protected override int SlotsPerParameter => Momentum != 0 ? 2 : 1;

        /// <inheritdoc/>
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, OptimizerState state)
        {
            var rule = new Rule(LearningRate, Alpha, Epsilon, Momentum, WeightDecay);
            UpdateLoop.Run(rule, parameters, gradients, state.Slot(0), state.SlotCount > 1 ? state.Slot(1) : Span<float>.Empty);
        }

        private readonly struct Rule(float lr, float alpha, float epsilon, float momentum, float weightDecay) : IUpdateRule
        {
            // 1 − α in double, rounded once, as PyTorch passes Python floats to its kernels.
            private readonly float _oneMinusAlpha = (float)(1.0 - alpha);

            public float Apply(float p, float g, ref float square, ref float buf)
            {
                g += weightDecay * p;
                square = square * alpha + _oneMinusAlpha * (g * g);
                float avg = MathF.Sqrt(square) + epsilon;
                if (momentum != 0)
                {
                    buf = buf * momentum + g / avg;
                    return p - lr * buf;
                }
                return p - lr * (g / avg);
            }

            public Vector128<float> Apply(Vector128<float> p, Vector128<float> g, ref Vector128<float> square, ref Vector128<float> buf)
            {
                g += weightDecay * p;
                square = square * alpha + _oneMinusAlpha * (g * g);
                Vector128<float> avg = Vector128.Sqrt(square) + Vector128.Create(epsilon);
                if (momentum != 0)
                {
                    buf = buf * momentum + g / avg;
                    return p - lr * buf;
                }
                return p - lr * (g / avg);
            }

            public Vector256<float> Apply(Vector256<float> p, Vector256<float> g, ref Vector256<float> square, ref Vector256<float> buf)
            {
                g += weightDecay * p;
                square = square * alpha + _oneMinusAlpha * (g * g);
                Vector256<float> avg = Vector256.Sqrt(square) + Vector256.Create(epsilon);
                if (momentum != 0)
                {
                    buf = buf * momentum + g / avg;
                    return p - lr * buf;
                }
                return p - lr * (g / avg);
            }

            public Vector512<float> Apply(Vector512<float> p, Vector512<float> g, ref Vector512<float> square, ref Vector512<float> buf)
            {
                g += weightDecay * p;
                square = square * alpha + _oneMinusAlpha * (g * g);
                Vector512<float> avg = Vector512.Sqrt(square) + Vector512.Create(epsilon);
                if (momentum != 0)
                {
                    buf = buf * momentum + g / avg;
                    return p - lr * buf;
                }
                return p - lr * (g / avg);
            }
        }
    }
}

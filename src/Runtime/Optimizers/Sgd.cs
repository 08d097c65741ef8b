using System;
using System.Runtime.Intrinsics;
using NetGen.Optimizers;

namespace NetGen
{
    /// <summary>
    /// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
    /// following <c>torch.optim.SGD</c> (dampening 0): <c>d = g + λp</c>; <c>buf = d</c> on the first
    /// step, then <c>buf = μ·buf + d</c>; <c>d = nesterov ? d + μ·buf : buf</c>; <c>p −= lr·d</c>.
    /// </summary>
    public sealed class Sgd : Optimizer
    {
        /// <summary>Creates the optimizer; <paramref name="nesterov"/> requires a positive <paramref name="momentum"/>.</summary>
        public Sgd(float learningRate, float momentum = 0f, bool nesterov = false, float weightDecay = 0f) : base(learningRate)
        {
            if (!float.IsFinite(momentum) || momentum < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be a finite number ≥ 0.");
            }
            if (nesterov && momentum == 0)
            {
                throw new ArgumentException("Nesterov momentum needs a momentum > 0.", nameof(nesterov));
            }
            if (!float.IsFinite(weightDecay) || weightDecay < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be a finite number ≥ 0.");
            }
            Momentum = momentum;
            Nesterov = nesterov;
            WeightDecay = weightDecay;
        }

        /// <summary>μ.</summary>
        public float Momentum { get; }

        /// <summary>Whether the Nesterov form is used.</summary>
        public bool Nesterov { get; }

        /// <summary>λ, the L2 penalty added to the gradient.</summary>
        public float WeightDecay { get; }

        /// <inheritdoc/>
        protected override int SlotsPerParameter => Momentum != 0 ? 1 : 0;

        /// <inheritdoc/>
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, OptimizerState state)
        {
            var rule = new Rule(LearningRate, Momentum, Nesterov, WeightDecay, firstStep: state.StepCount == 1);
            Span<float> momentum = state.SlotCount > 0 ? state.Slot(0) : Span<float>.Empty;
            UpdateLoop.Run(rule, parameters, gradients, momentum, Span<float>.Empty);
        }

        private readonly struct Rule(float lr, float momentum, bool nesterov, float weightDecay, bool firstStep) : IUpdateRule
        {
            public float Apply(float p, float g, ref float buf, ref float unused)
            {
                float d = g + weightDecay * p;
                if (momentum != 0)
                {
                    buf = firstStep ? d : momentum * buf + d;
                    d = nesterov ? d + momentum * buf : buf;
                }
                return p - lr * d;
            }

            public Vector128<float> Apply(Vector128<float> p, Vector128<float> g, ref Vector128<float> buf, ref Vector128<float> unused)
            {
                Vector128<float> d = g + weightDecay * p;
                if (momentum != 0)
                {
                    buf = firstStep ? d : momentum * buf + d;
                    d = nesterov ? d + momentum * buf : buf;
                }
                return p - lr * d;
            }

            public Vector256<float> Apply(Vector256<float> p, Vector256<float> g, ref Vector256<float> buf, ref Vector256<float> unused)
            {
                Vector256<float> d = g + weightDecay * p;
                if (momentum != 0)
                {
                    buf = firstStep ? d : momentum * buf + d;
                    d = nesterov ? d + momentum * buf : buf;
                }
                return p - lr * d;
            }

            public Vector512<float> Apply(Vector512<float> p, Vector512<float> g, ref Vector512<float> buf, ref Vector512<float> unused)
            {
                Vector512<float> d = g + weightDecay * p;
                if (momentum != 0)
                {
                    buf = firstStep ? d : momentum * buf + d;
                    d = nesterov ? d + momentum * buf : buf;
                }
                return p - lr * d;
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels
{
    /// <summary>What a product does to its tile just before storing it.</summary>
    internal enum Epilogue
    {
        /// <summary>Store as computed.</summary>
        None = 0,

        /// <summary>Forward: y = max(0, z).</summary>
        ReLU,

        /// <summary>Forward: y = z for z &gt; 0, 0.01·z otherwise.</summary>
        LeakyReLU,

        /// <summary>Forward: y = 1 / (1 + e^−z), <see cref="FloatMath"/>'s in every lane, as <see cref="Activations.Sigmoid"/>.</summary>
        Sigmoid,

        /// <summary>Backward: dz = c · relu′, from the layer output y held in the same layout as C.</summary>
        ReLUDerivative,

        /// <summary>Backward: dz = c · leaky_relu′(y).</summary>
        LeakyReLUDerivative,

        /// <summary>Backward: dz = c · y(1 − y).</summary>
        SigmoidDerivative,

        /// <summary>Backward: dz = c · (1 − y²).</summary>
        TanhDerivative,
    }

    /// <summary>The epilogues at each vector width; <c>y</c> is only read by the derivatives.</summary>
    internal static class Epilogues
    {
        private const float Slope = Activations.LeakySlope;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Apply(Epilogue e, Vector512<float> c, Vector512<float> y) => e switch
        {
            Epilogue.ReLU => Vector512.Max(c, Vector512<float>.Zero),
            Epilogue.LeakyReLU => Vector512.ConditionalSelect(Vector512.GreaterThan(c, Vector512<float>.Zero), c, c * Slope),
            Epilogue.Sigmoid => FloatMath.Sigmoid(c),
            Epilogue.ReLUDerivative => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), c, Vector512<float>.Zero),
            Epilogue.LeakyReLUDerivative => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), c, c * Slope),
            Epilogue.SigmoidDerivative => c * y * (Vector512<float>.One - y),
            Epilogue.TanhDerivative => c * (Vector512<float>.One - y * y),
            _ => c,
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Epilogue e, Vector256<float> c, Vector256<float> y) => e switch
        {
            Epilogue.ReLU => Vector256.Max(c, Vector256<float>.Zero),
            Epilogue.LeakyReLU => Vector256.ConditionalSelect(Vector256.GreaterThan(c, Vector256<float>.Zero), c, c * Slope),
            Epilogue.Sigmoid => FloatMath.Sigmoid(c),
            Epilogue.ReLUDerivative => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), c, Vector256<float>.Zero),
            Epilogue.LeakyReLUDerivative => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), c, c * Slope),
            Epilogue.SigmoidDerivative => c * y * (Vector256<float>.One - y),
            Epilogue.TanhDerivative => c * (Vector256<float>.One - y * y),
            _ => c,
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Apply(Epilogue e, Vector128<float> c, Vector128<float> y) => e switch
        {
            Epilogue.ReLU => Vector128.Max(c, Vector128<float>.Zero),
            Epilogue.LeakyReLU => Vector128.ConditionalSelect(Vector128.GreaterThan(c, Vector128<float>.Zero), c, c * Slope),
            Epilogue.Sigmoid => FloatMath.Sigmoid(c),
            Epilogue.ReLUDerivative => Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), c, Vector128<float>.Zero),
            Epilogue.LeakyReLUDerivative => Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), c, c * Slope),
            Epilogue.SigmoidDerivative => c * y * (Vector128<float>.One - y),
            Epilogue.TanhDerivative => c * (Vector128<float>.One - y * y),
            _ => c,
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(Epilogue e, float c, float y) => e switch
        {
            Epilogue.ReLU => c > 0 ? c : 0f,
            Epilogue.LeakyReLU => c > 0 ? c : c * Slope,
            Epilogue.Sigmoid => FloatMath.Sigmoid(c),
            Epilogue.ReLUDerivative => y > 0 ? c : 0f,
            Epilogue.LeakyReLUDerivative => y > 0 ? c : c * Slope,
            Epilogue.SigmoidDerivative => c * y * (1f - y),
            Epilogue.TanhDerivative => c * (1f - y * y),
            _ => c,
        };

        /// <summary>Whether the epilogue reads y.</summary>
        public static bool ReadsY(Epilogue e) => e >= Epilogue.ReLUDerivative;
    }
}

using System;

namespace NetGen.Kernels
{
    /// <summary>The skip connection of a residual block.</summary>
    public static class Residual
    {
        /// <summary><c>y = a + b</c> over the first <paramref name="n"/> values; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
        public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int n)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(n);
            Recurrent.Require(a.Length, n, nameof(a));
            Recurrent.Require(b.Length, n, nameof(b));
            Recurrent.Require(y.Length, n, nameof(y));
            Elementwise.Add(a.Slice(0, n), b.Slice(0, n), y.Slice(0, n));
        }
    }
}

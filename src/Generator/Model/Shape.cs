using System.Linq;

namespace NetGen.Generator.Model
{
    /// <summary>The shape of one sample (no batch dimension). Printed with the batch: <c>[B, 28, 28]</c>.</summary>
    internal sealed record Shape(EquatableArray<int> Dims)
    {
        public Shape(params int[] dims) : this(new EquatableArray<int>(dims))
        {
        }

        public int Rank => Dims.Count;

        /// <summary>Number of floats per sample.</summary>
        public long Size => Dims.Aggregate(1L, (size, d) => size * d);

        public bool IsFlat => Rank == 1;

        /// <summary><c>[B, 28, 28]</c>.</summary>
        public override string ToString() => "[B, " + string.Join(", ", Dims) + "]";
    }
}

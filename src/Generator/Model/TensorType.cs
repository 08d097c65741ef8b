using System.Linq;

namespace NetGen.Generator.Model
{
    /// <summary>What one value of a tensor is: a float, or an integer token id.</summary>
    internal enum ElementKind
    {
        Float,
        Token,
    }

    /// <summary>
    /// What an axis of a sample means. Rules are written against roles, not ranks: Dense on a
    /// [Time, Features] sequence applies per time step, while Dense on a [Channels, Height, Width]
    /// image needs a [Flatten] first.
    /// </summary>
    internal enum AxisRole
    {
        Features,
        Time,
        Channels,
        Height,
        Width,
        /// <summary>An axis of an input of rank 4 or more, which no layer gives a meaning.</summary>
        Other,
    }

    /// <summary>
    /// The type of one sample flowing between layers (the batch axis is implicit and comes first):
    /// its element kind and its axes, each a role and a size. Printed with the batch: <c>[B, 64, 128]</c>.
    /// </summary>
    internal sealed record TensorType(ElementKind Element, EquatableArray<AxisRole> Roles, EquatableArray<int> Dims)
    {
        /// <summary>A float vector of <paramref name="features"/>: what Dense layers read and write.</summary>
        public static TensorType Vector(int features) => new(ElementKind.Float, Roles1(AxisRole.Features), new EquatableArray<int>(new[] { features }));

        /// <summary>A float sequence [T, D].</summary>
        public static TensorType Sequence(int steps, int features) =>
            new(ElementKind.Float, new EquatableArray<AxisRole>(new[] { AxisRole.Time, AxisRole.Features }), new EquatableArray<int>(new[] { steps, features }));

        /// <summary>Token ids [T], each in [0, vocabulary).</summary>
        public static TensorType Tokens(int steps) => new(ElementKind.Token, Roles1(AxisRole.Time), new EquatableArray<int>(new[] { steps }));

        /// <summary>A float image [C, H, W].</summary>
        public static TensorType Image(int channels, int height, int width) =>
            new(ElementKind.Float, new EquatableArray<AxisRole>(new[] { AxisRole.Channels, AxisRole.Height, AxisRole.Width }),
                new EquatableArray<int>(new[] { channels, height, width }));

        /// <summary>
        /// The type <c>[Input(dims)]</c> declares: one dimension is a feature vector, two a one-channel
        /// image [H, W], three an image [C, H, W]; more have no role a layer knows.
        /// </summary>
        public static TensorType FromInput(int[] dims)
        {
            AxisRole[] roles = dims.Length switch
            {
                1 => new[] { AxisRole.Features },
                2 => new[] { AxisRole.Height, AxisRole.Width },
                3 => new[] { AxisRole.Channels, AxisRole.Height, AxisRole.Width },
                _ => Enumerable.Repeat(AxisRole.Other, dims.Length).ToArray(),
            };
            return new TensorType(ElementKind.Float, new EquatableArray<AxisRole>(roles), new EquatableArray<int>(dims));
        }

        private static EquatableArray<AxisRole> Roles1(AxisRole role) => new(new[] { role });

        public int Rank => Dims.Count;

        /// <summary>Values per sample.</summary>
        public long Size => Dims.Aggregate(1L, (size, d) => size * d);

        /// <summary>A float vector of features: [B, F].</summary>
        public bool IsFlat => Rank == 1 && Roles[0] == AxisRole.Features && Element == ElementKind.Float;

        /// <summary>Token ids [B, T].</summary>
        public bool IsTokens => Element == ElementKind.Token;

        /// <summary>Has a time axis (first): a float sequence [B, T, D] or token ids [B, T].</summary>
        public bool HasTime => Rank >= 1 && Roles[0] == AxisRole.Time;

        /// <summary>A float sequence [B, T, D].</summary>
        public bool IsSequence => Rank == 2 && HasTime && Element == ElementKind.Float;

        /// <summary>A float image [B, C, H, W].</summary>
        public bool IsImage => Rank == 3 && Roles[0] == AxisRole.Channels;

        /// <summary>The length of the time axis; 1 for a tensor without one.</summary>
        public int Steps => HasTime ? Dims[0] : 1;

        /// <summary>The length of the last axis: the features of a vector or of each step of a sequence.</summary>
        public int Features => Dims[Rank - 1];

        /// <summary>The same element kind and roles with other sizes (a layer that keeps the layout).</summary>
        public TensorType WithDims(params int[] dims) => this with { Dims = new EquatableArray<int>(dims) };

        /// <summary><c>[B, 28, 28]</c>; token ids print as <c>[B, 64] int</c>.</summary>
        public override string ToString() => "[B, " + string.Join(", ", Dims) + "]" + (IsTokens ? " token ids" : "");
    }
}

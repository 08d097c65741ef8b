using System;
using System.Collections.Immutable;

namespace NetGen
{
    /// <summary>One named tensor inside a network's flat parameter buffer, e.g. <c>dense.weight [500, 784]</c> at offset 0.</summary>
    public sealed class ParameterTensor
    {
        /// <summary>Describes a tensor of <paramref name="shape"/> stored from <paramref name="offset"/>.</summary>
        public ParameterTensor(string name, ImmutableArray<int> shape, int offset)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            Name = name;
            Shape = shape;
            Offset = offset;
            long length = 1;
            foreach (int d in shape)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d, nameof(shape));
                length *= d;
            }
            Length = checked((int)length);
        }

        /// <summary>PyTorch-style key: <c>{layer}.weight</c> or <c>{layer}.bias</c>.</summary>
        public string Name { get; }

        /// <summary>Dimensions, outermost first (a dense weight is <c>[out, in]</c>).</summary>
        public ImmutableArray<int> Shape { get; }

        /// <summary>Index of the first element in the flat buffer.</summary>
        public int Offset { get; }

        /// <summary>Number of elements.</summary>
        public int Length { get; }

        /// <summary>This tensor's slice of a flat buffer laid out like the parameters (parameters or gradients).</summary>
        public Span<float> Of(Span<float> buffer) => buffer.Slice(Offset, Length);

        /// <inheritdoc/>
        public override string ToString() => $"{Name} [{string.Join(", ", Shape)}] @ {Offset}";
    }
}

using System;
using System.Runtime.CompilerServices;

namespace NetGen
{
    /// <summary>
    /// A float buffer whose first element sits on a 64-byte boundary (one cache line, one Vector512)
    /// and never moves: it lives on the pinned object heap, so kernels may hold its address and
    /// optimizers may key their state by it.
    /// </summary>
    public sealed class AlignedBuffer
    {
        private const int AlignmentFloats = 16;
        private readonly float[] _storage;
        private readonly int _start;

        /// <summary>A zeroed buffer of <paramref name="length"/> floats.</summary>
        public AlignedBuffer(int length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            Length = length;
            _storage = GC.AllocateArray<float>(length + AlignmentFloats, pinned: true);
            _start = StartOffset(_storage);
        }

        /// <summary>
        /// <paramref name="buffer"/>, first replaced by a larger one if it holds fewer than <paramref name="floats"/>: a thread's
        /// scratch, grown when a larger product or layer comes along and otherwise reused, never allocated per step.
        /// </summary>
        internal static AlignedBuffer Grown(ref AlignedBuffer? buffer, long floats)
        {
            if (floats > int.MaxValue - AlignmentFloats)
            {
                throw new ArgumentOutOfRangeException(nameof(floats), floats, $"Scratch of {floats} floats: one buffer holds at most {int.MaxValue - AlignmentFloats}.");
            }
            if (buffer is null || buffer.Length < floats)
            {
                buffer = new AlignedBuffer((int)floats);
            }
            return buffer;
        }

        /// <summary>An empty buffer, for fields not yet sized.</summary>
        public static AlignedBuffer Empty { get; } = new(0);

        /// <summary>Number of floats.</summary>
        public int Length { get; }

        /// <summary>The whole buffer.</summary>
        public Span<float> Span => new(_storage, _start, Length);

        /// <summary>The first <paramref name="length"/> floats.</summary>
        public Span<float> Slice(int length) => new(_storage, _start, length);

        private static unsafe int StartOffset(float[] storage)
        {
            // Pinned object heap: the address is stable for the array's lifetime.
            nuint address = (nuint)Unsafe.AsPointer(ref storage[0]);
            nuint misalignment = address % 64;
            return misalignment == 0 ? 0 : (int)((64 - misalignment) / sizeof(float));
        }
    }
}

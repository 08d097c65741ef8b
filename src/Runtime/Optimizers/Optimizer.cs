using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen
{
    /// <summary>
    /// Updates a flat parameter buffer from its gradient. Per-parameter state (momentum, moments) is
    /// kept per buffer, keyed by the buffer's address: generated networks keep their parameters in
    /// pinned <see cref="AlignedBuffer"/>s, so one optimizer can step several networks. Buffers of
    /// your own must not move between steps (allocate them pinned or native).
    /// </summary>
    public abstract class Optimizer
    {
        private readonly List<OptimizerState> _states = new();
        private float _learningRate;

        /// <summary>Sets the initial learning rate.</summary>
        protected Optimizer(float learningRate) => LearningRate = learningRate;

        /// <summary>The step size; schedules change it between steps.</summary>
        public float LearningRate
        {
            get => _learningRate;
            set
            {
                if (!float.IsFinite(value) || value < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be a finite number ≥ 0.");
                }
                _learningRate = value;
            }
        }

        /// <summary>The state of every buffer this optimizer has stepped, in first-step order.</summary>
        public IReadOnlyList<OptimizerState> States => _states;

        /// <summary>How many floats of state each parameter needs (1 for momentum, 2 for Adam's moments).</summary>
        protected abstract int SlotsPerParameter { get; }

        /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
        public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
        {
            if (parameters.Length != gradients.Length)
            {
                throw new ArgumentException(
                    $"gradients has {gradients.Length} values; expected {parameters.Length}, one per parameter.", nameof(gradients));
            }
            OptimizerState state = GetState(parameters);
            state.StepCount++;
            Update(parameters, gradients, state);
        }

        /// <summary>Forgets all state, as if no step had been taken.</summary>
        public void Reset() => _states.Clear();

        /// <summary>Applies the update rule; <paramref name="state"/>'s step count already includes this step.</summary>
        protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, OptimizerState state);

        /// <summary>
        /// The state kept for <paramref name="parameters"/>, created (zeroed, step count 0) if this
        /// optimizer has not stepped that buffer yet. Checkpoints use it to save and restore the state.
        /// </summary>
        public unsafe OptimizerState GetState(Span<float> parameters)
        {
            nint key = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(parameters));
            foreach (OptimizerState s in _states)
            {
                if (s.Key == key)
                {
                    if (s.Length != parameters.Length)
                    {
                        throw new InvalidOperationException(
                            $"This optimizer last stepped a buffer of {s.Length} parameters at this address; now it has {parameters.Length}. " +
                            "Use one optimizer per network, or call Reset().");
                    }
                    return s;
                }
            }
            var created = new OptimizerState(key, parameters.Length, SlotsPerParameter);
            _states.Add(created);
            return created;
        }
    }

    /// <summary>An optimizer's state for one parameter buffer: its step count and per-parameter slots.</summary>
    public sealed class OptimizerState
    {
        private readonly AlignedBuffer[] _slots;

        internal OptimizerState(nint key, int length, int slots)
        {
            Key = key;
            Length = length;
            _slots = new AlignedBuffer[slots];
            for (int i = 0; i < slots; i++)
            {
                _slots[i] = new AlignedBuffer(length);
            }
        }

        internal nint Key { get; }

        /// <summary>Number of parameters in the buffer.</summary>
        public int Length { get; }

        /// <summary>Steps taken on this buffer (Adam's t).</summary>
        public long StepCount { get; set; }

        /// <summary>Number of per-parameter slots.</summary>
        public int SlotCount => _slots.Length;

        /// <summary>Slot <paramref name="index"/>: for SGD the momentum buffer; for Adam 0 = first moment, 1 = second moment.</summary>
        public Span<float> Slot(int index) => _slots[index].Span;
    }
}

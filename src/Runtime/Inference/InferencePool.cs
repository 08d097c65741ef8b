using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace NetGen
{
    /// <summary>
    /// Concurrent inference with one network: a bounded pool of inference copies
    /// (<see cref="IInferenceNetwork{TInput}.CreateInferenceCopy"/>) that share the network's parameters and each own
    /// a workspace. <see cref="Predict(ReadOnlySpan{TInput}, Span{float}, int)"/> rents an idle copy (waiting while all
    /// are busy), runs Forward on the calling thread and gives the copy back, so any number of threads may call it at
    /// once and each gets, bit for bit, what a lone Forward on the network gives. All members are thread-safe.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Memory: one copy of the parameters, whatever <see cref="Size"/>; each copy's workspace grows to the largest batch
    /// it has run (bound it with <see cref="MaxBatchSize"/>). Kernels add scratch per calling thread, grown once to the
    /// largest layer the thread has run and then reused: for LSTM and GRU layers a transposed copy of the largest recurrent
    /// (and LSTM input) weight matrix, for convolutions a few unfolded samples. With many request threads (ASP.NET's pool)
    /// that is a copy per thread of the largest recurrent weights, not of all parameters.
    /// </para>
    /// <para>
    /// Sharing makes the parameters read-only: once a pool exists, the network it was made from and every copy refuse
    /// training and checkpoint loading (<see cref="INetwork.SharesParameters"/>). The pool hands out no instance, so
    /// nothing written through it can change them. To serve new weights, load them into a new instance and make a new pool.
    /// </para>
    /// <para>
    /// The pool serves Forward only. The state a recurrent or causal Transformer network carries between <c>Step</c>
    /// calls belongs to one instance, so a pool would mix the streams of different callers; for generation give each
    /// stream its own <c>CreateInferenceCopy()</c>, which shares the parameters all the same.
    /// </para>
    /// </remarks>
    /// <typeparam name="TInput"><see cref="float"/> inputs, or <see cref="int"/> token ids.</typeparam>
    public sealed class InferencePool<TInput> where TInput : unmanaged
    {
        private readonly ConcurrentStack<IInferenceNetwork<TInput>> _idle = new();
        private readonly SemaphoreSlim _available;

        /// <summary>
        /// A pool of <paramref name="size"/> inference copies of <paramref name="network"/> (the processor count when 0),
        /// all made now. Batches of more than <paramref name="maxBatchSize"/> samples are refused.
        /// </summary>
        public InferencePool(IInferenceNetwork<TInput> network, int size = 0, int maxBatchSize = int.MaxValue)
        {
            ArgumentNullException.ThrowIfNull(network);
            if (size < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(size), size, $"size must be at least 1 (or 0 for the processor count, {Environment.ProcessorCount}); got {size}.");
            }
            if (maxBatchSize < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, $"maxBatchSize must be at least 1; got {maxBatchSize}.");
            }
            Size = size == 0 ? Environment.ProcessorCount : size;
            MaxBatchSize = maxBatchSize;
            InputSize = network.InputSize;
            OutputSize = network.OutputSize;
            InputShape = network.InputShape;
            NetworkName = network.GetType().Name;
            // Made here, one after another: making a copy claims the source instance for a moment.
            for (int i = 0; i < Size; i++)
            {
                _idle.Push(network.CreateInferenceCopy());
            }
            _available = new SemaphoreSlim(Size, Size);
        }

        /// <summary>Copies in the pool: at most this many calls run at once; more wait.</summary>
        public int Size { get; }

        /// <summary>The largest batch one call may pass.</summary>
        public int MaxBatchSize { get; }

        /// <summary>Input values (floats, or token ids) per sample.</summary>
        public int InputSize { get; }

        /// <summary>Floats per output sample.</summary>
        public int OutputSize { get; }

        /// <summary>The shape of one input sample, without the batch dimension.</summary>
        public IReadOnlyList<int> InputShape { get; }

        /// <summary>The class name of the network served, for messages.</summary>
        public string NetworkName { get; }

        /// <summary>
        /// Writes the outputs for <paramref name="batchSize"/> samples ([batchSize, OutputSize]) into <paramref name="outputs"/>,
        /// waiting while every copy is busy. Refused with an <see cref="ArgumentException"/> naming what is wrong, before
        /// any copy is taken: a batch size outside [1, <see cref="MaxBatchSize"/>], lengths that are not batchSize × the
        /// sample size, a NaN or ∞ among float inputs; token ids outside the vocabulary are refused by the network.
        /// </summary>
        public void Predict(ReadOnlySpan<TInput> inputs, Span<float> outputs, int batchSize)
        {
            Check(inputs, batchSize);
            Guard.Length(outputs.Length, batchSize, OutputSize, nameof(outputs), nameof(OutputSize));
            _available.Wait();
            Run(inputs, outputs, batchSize);
        }

        /// <summary>As <see cref="Predict(ReadOnlySpan{TInput}, Span{float}, int)"/>, into a new array.</summary>
        public float[] Predict(ReadOnlySpan<TInput> inputs, int batchSize)
        {
            Check(inputs, batchSize);
            float[] outputs = new float[(long)batchSize * OutputSize];
            _available.Wait();
            Run(inputs, outputs, batchSize);
            return outputs;
        }

        /// <summary>
        /// As <see cref="Predict(ReadOnlySpan{TInput}, int)"/>, waiting for a free copy without blocking a thread (for
        /// servers); the pass itself then runs on the thread that resumes. Bad input is refused before any wait.
        /// </summary>
        public async ValueTask<float[]> PredictAsync(ReadOnlyMemory<TInput> inputs, int batchSize, CancellationToken cancellationToken = default)
        {
            Check(inputs.Span, batchSize);
            float[] outputs = new float[(long)batchSize * OutputSize];
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            Run(inputs.Span, outputs, batchSize);
            return outputs;
        }

        /// <summary>The argument checks, made before a copy is taken so that bad input never waits for one.</summary>
        private void Check(ReadOnlySpan<TInput> inputs, int batchSize)
        {
            Guard.BatchSize(batchSize);
            if (batchSize > MaxBatchSize)
            {
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                    $"batchSize is {batchSize}; this pool of {NetworkName} takes at most {MaxBatchSize} samples per call.");
            }
            Guard.Length(inputs.Length, batchSize, InputSize, nameof(inputs), nameof(InputSize));
            if (typeof(TInput) == typeof(float))
            {
                Guard.Finite(MemoryMarshal.Cast<TInput, float>(inputs), InputSize, nameof(inputs));
            }
        }

        /// <summary>Runs one Forward on an idle copy; the caller holds one count of the semaphore, which this gives back.</summary>
        private void Run(ReadOnlySpan<TInput> inputs, Span<float> outputs, int batchSize)
        {
            IInferenceNetwork<TInput>? copy = null;
            try
            {
                // Holding a count of the semaphore means a copy is idle: the counts and the idle copies move together.
                if (!_idle.TryPop(out copy))
                {
                    throw new InvalidOperationException("InferencePool: no idle copy although one was available (a bug in NetGen).");
                }
                copy.Forward(inputs, outputs, batchSize);
            }
            finally
            {
                if (copy is not null)
                {
                    _idle.Push(copy);
                }
                _available.Release();
            }
        }
    }
}

using System;
using System.Runtime.ExceptionServices;
using System.Threading;

// The benchmark program times the fork/join itself (ForkJoinProbe), which no public API exposes.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("NetGen.Benchmarks")]

namespace NetGen.Kernels
{
    /// <summary>
    /// A persistent pool that shares the blocks of one job between the caller and idle cores,
    /// without allocating: the job is a function pointer and a pointer to the caller's arguments on
    /// its stack. Blocks are claimed one at a time from the two ends of the range, so a core that is
    /// busy elsewhere never holds the job up — the caller simply does more blocks itself — while on
    /// an idle machine each core keeps to the same end of every job. Which thread runs a block never
    /// changes what the block computes, so results do not depend on the timing.
    /// <para>
    /// Keep bodies thin: a function pointer to a method that has already run holds on to the code it
    /// had then (its first, unoptimized tier), so a body should only unpack its arguments and call an
    /// ordinary method with the loops, which tiered compilation then optimizes as usual.
    /// </para>
    /// Idle workers spin briefly (a training step forks many times in a row), then sleep.
    /// </summary>
    internal static unsafe class WorkerPool
    {
        /// <summary>The most threads a job can use: one per processor.</summary>
        public static readonly int MaxParts = Math.Max(1, Environment.ProcessorCount);

        private const int SpinIterations = 20_000; // about 50–100 µs of polling before a worker sleeps

        // s_control packs the job's generation (high 32 bits), whether it still admits workers
        // (bit 31) and how many workers are inside it (bits 0–30). One word, so a worker can check
        // "this job, still open" and register itself in a single compare-and-swap.
        private const long OpenBit = 1L << 31;
        private const long ActiveMask = OpenBit - 1;

        private static readonly object s_gate = new();
        private static Worker[] s_workers = Array.Empty<Worker>();
        private static long s_control;

        // The current job; written before s_control announces it.
        private static delegate*<void*, int, void> s_body;
        private static void* s_state;
        private static int s_blocks;
        private static int s_helpers;
        // The unclaimed blocks, [front, back] packed in one word (front in the low half): the caller
        // claims from the front, workers from the back, each with one compare-and-swap.
        private static long s_range;
        private static int s_done;
        private static Exception? s_failure;

        [ThreadStatic]
        private static bool t_inJob;

        /// <summary>
        /// Runs <c>body(state, block)</c> for every block in [0, <paramref name="blocks"/>) on up to
        /// <paramref name="threads"/> threads (the caller's included) and returns when all are done.
        /// A nested call, or one made while another thread's job is in flight, runs on the caller alone.
        /// </summary>
        public static void Run(int blocks, int threads, delegate*<void*, int, void> body, void* state)
        {
            int helpers = Math.Min(Math.Min(threads, MaxParts), blocks) - 1;
            if (helpers <= 0 || t_inJob || !Monitor.TryEnter(s_gate))
            {
                for (int block = 0; block < blocks; block++)
                {
                    body(state, block);
                }
                return;
            }
            try
            {
                EnsureWorkers(helpers);
                s_body = body;
                s_state = state;
                s_blocks = blocks;
                s_helpers = helpers;
                s_range = (long)(blocks - 1) << 32;
                s_done = 0;
                s_failure = null;
                long generation = (Volatile.Read(ref s_control) >> 32) + 1;
                Interlocked.Exchange(ref s_control, (generation << 32) | OpenBit);
                for (int w = 0; w < helpers; w++)
                {
                    s_workers[w].Wake();
                }

                t_inJob = true;
                try
                {
                    ClaimBlocks(fromFront: true);
                }
                finally
                {
                    t_inJob = false;
                    var spin = new SpinWait();
                    while (Volatile.Read(ref s_done) != blocks)
                    {
                        spin.SpinOnce(sleep1Threshold: -1);
                    }
                    // Close the job, then wait for any worker still inside to leave it: after this
                    // returns, nobody may read the arguments on the caller's stack.
                    long control;
                    do
                    {
                        control = Volatile.Read(ref s_control);
                    }
                    while (Interlocked.CompareExchange(ref s_control, control & ~OpenBit, control) != control);
                    spin = new SpinWait();
                    while ((Volatile.Read(ref s_control) & ActiveMask) != 0)
                    {
                        spin.SpinOnce(sleep1Threshold: -1);
                    }
                }
                if (s_failure is { } failure)
                {
                    ExceptionDispatchInfo.Capture(failure).Throw();
                }
            }
            finally
            {
                Monitor.Exit(s_gate);
            }
        }

        /// <summary>
        /// Runs blocks until none is left. The caller takes them from the front and workers from the back,
        /// so with two cores each keeps to its own half of the data in every job (its caches stay warm
        /// across the passes of a step), while either can finish the other's half if it falls behind.
        /// </summary>
        private static void ClaimBlocks(bool fromFront)
        {
            while (true)
            {
                int block = Claim(fromFront);
                if (block < 0)
                {
                    return;
                }
                try
                {
                    s_body(s_state, block);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref s_failure, e, null);
                }
                finally
                {
                    Interlocked.Increment(ref s_done);
                }
            }
        }

        /// <summary>Takes the block at one end of the unclaimed range; -1 once it is empty.</summary>
        private static int Claim(bool fromFront)
        {
            while (true)
            {
                long range = Volatile.Read(ref s_range);
                int front = (int)range, back = (int)(range >> 32);
                if (front > back)
                {
                    return -1;
                }
                long claimed = fromFront ? range + 1 : range - (1L << 32);
                if (Interlocked.CompareExchange(ref s_range, claimed, range) == range)
                {
                    return fromFront ? front : back;
                }
            }
        }

        private static void EnsureWorkers(int count)
        {
            if (s_workers.Length >= count)
            {
                return;
            }
            var workers = new Worker[count];
            Array.Copy(s_workers, workers, s_workers.Length);
            for (int i = s_workers.Length; i < count; i++)
            {
                workers[i] = new Worker(i, Volatile.Read(ref s_control) >> 32);
            }
            s_workers = workers;
        }

        private sealed class Worker
        {
            private readonly int _index;
            private readonly SemaphoreSlim _wake = new(0);
            private long _seen;
            private int _sleeping;

            public Worker(int index, long generation)
            {
                _index = index;
                _seen = generation;
                new Thread(Loop) { IsBackground = true, Name = $"NetGen worker {index + 1}" }.Start();
            }

            public void Wake()
            {
                if (Interlocked.Exchange(ref _sleeping, 0) == 1)
                {
                    _wake.Release();
                }
            }

            private void Loop()
            {
                t_inJob = true;
                while (true)
                {
                    long generation = WaitForJob();
                    _seen = generation;
                    if (_index < Volatile.Read(ref s_helpers) && TryEnter(generation))
                    {
                        ClaimBlocks(fromFront: false);
                        Interlocked.Decrement(ref s_control);
                    }
                }
            }

            /// <summary>Joins job <paramref name="generation"/> if it is still the current one and still open.</summary>
            private static bool TryEnter(long generation)
            {
                while (true)
                {
                    long control = Volatile.Read(ref s_control);
                    if (control >> 32 != generation || (control & OpenBit) == 0)
                    {
                        return false;
                    }
                    if (Interlocked.CompareExchange(ref s_control, control + 1, control) == control)
                    {
                        return true;
                    }
                }
            }

            private long WaitForJob()
            {
                while (true)
                {
                    for (int i = 0; i < SpinIterations; i++)
                    {
                        long generation = Volatile.Read(ref s_control) >> 32;
                        if (generation != _seen)
                        {
                            return generation;
                        }
                        Thread.SpinWait(1);
                    }
                    // Announce the nap (a full fence), then look once more so a job posted meanwhile is not missed.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref s_control) >> 32 != _seen)
                    {
                        if (Interlocked.Exchange(ref _sleeping, 0) == 0)
                        {
                            _wake.Wait(); // the poster saw us sleeping and released: consume it
                        }
                        continue;
                    }
                    _wake.Wait();
                }
            }
        }
    }
}

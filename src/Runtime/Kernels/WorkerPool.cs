using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen.Kernels
{
    /// <summary>
    /// A persistent pool that shares the blocks of one job between the caller and idle cores,
    /// without allocating: the job is a function pointer and a pointer to the caller's arguments on
    /// its stack. Blocks are claimed one at a time from a shared counter, so a core that is busy
    /// elsewhere never holds the job up — the caller simply does more blocks itself. Which thread
    /// runs a block never changes what the block computes, so results do not depend on the timing.
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
        private static int s_next;
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
                s_next = 0;
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
                    ClaimBlocks();
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

        private static void ClaimBlocks()
        {
            int blocks = s_blocks;
            int block;
            while ((block = Interlocked.Increment(ref s_next) - 1) < blocks)
            {
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
                        ClaimBlocks();
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

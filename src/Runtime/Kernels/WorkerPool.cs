using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

// The benchmark program times the fork/join itself (ForkJoinProbe), which no public API exposes.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("NetGen.Benchmarks")]

namespace NetGen.Kernels
{
    /// <summary>
    /// A persistent pool that shares the blocks of one job between the caller and idle cores,
    /// without allocating: the job is a function pointer and a pointer to the caller's arguments on
    /// its stack. Blocks are claimed in shrinking runs from the two ends of the range (a quarter of
    /// what is left, with two threads), so a job of 64 blocks costs about 15 claims rather than 64;
    /// a core that is busy elsewhere never holds the job up — the caller simply claims more itself —
    /// while on an idle machine each core keeps to the same end of every job. Which thread runs a
    /// block never changes what the block computes, so results do not depend on the timing.
    /// <para>
    /// A fork/join round trip costs a few hundred nanoseconds while the workers are awake: the caller
    /// publishes the job with two stores, works through its end of the range, and waits on one
    /// counter. The words that cores write (the announcement, the range, the completion count) sit on
    /// cache lines of their own. Idle workers poll for <see cref="SpinTime"/> after the last job they
    /// saw (a training step forks many times in a row), then sleep until the next job wakes them.
    /// </para>
    /// <para>
    /// Keep bodies thin: a function pointer to a method that has already run holds on to the code it
    /// had then (its first, unoptimized tier), so a body should only unpack its arguments and call an
    /// ordinary method with the loops, which tiered compilation then optimizes as usual.
    /// </para>
    /// </summary>
    internal static unsafe class WorkerPool
    {
        /// <summary>The most threads a job can use: one per processor.</summary>
        public static readonly int MaxParts = Math.Max(1, Environment.ProcessorCount);

        /// <summary>How long an idle worker keeps polling for the next job before it sleeps.</summary>
        public static readonly TimeSpan SpinTime = TimeSpan.FromMicroseconds(250);

        private static readonly long SpinTicks = (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);

        // The range word packs the unclaimed blocks [front, end) (24 bits each) and the low 16 bits
        // of the job's generation, so that a worker still holding an older job's announcement cannot
        // claim from this one: its compare-and-swap fails on the tag. (A worker stalled for exactly a
        // multiple of 65,536 jobs would pass it; it would then run blocks of the current job, with the
        // current arguments — correct work, only possibly beyond that job's thread count.)
        private const int IndexBits = 24;
        private const long IndexMask = (1L << IndexBits) - 1;
        private const int TagShift = 2 * IndexBits;

        /// <summary>Jobs with more blocks than this (none in practice) run on the caller alone.</summary>
        public const int MaxBlocks = (int)IndexMask;

        /// <summary>Spins of the caller waiting for the last blocks before it starts yielding its core.</summary>
        private const int JoinSpins = 4096;

        private static Worker[] s_workers = Array.Empty<Worker>();
        private static Shared s_shared;

        // The current job; written before the range and the announcement publish it.
        private static delegate*<void*, int, void> s_body;
        private static void* s_state;
        private static int s_participants;
        private static Exception? s_failure;

        /// <summary>1 while a job is in flight: a job posted from another thread meanwhile runs on its caller alone.</summary>
        private static int s_busy;

        [ThreadStatic]
        private static bool t_inJob;

        /// <summary>The words several cores write, a cache line pair (128 bytes, what Zen prefetches together) apart.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 4 * Line)]
        private struct Shared
        {
            private const int Line = 128;

            /// <summary>The job's generation (high 32 bits) and how many workers may join it (low 32): written by the caller, polled by the workers.</summary>
            [FieldOffset(1 * Line)] public long Control;

            /// <summary>The unclaimed blocks and the job's tag (see <see cref="Pack"/>): claimed from by everyone.</summary>
            [FieldOffset(2 * Line)] public long Range;

            /// <summary>Blocks finished: the caller returns when it reaches the block count.</summary>
            [FieldOffset(3 * Line)] public int Done;
        }

        /// <summary>
        /// Runs <c>body(state, block)</c> for every block in [0, <paramref name="blocks"/>) on up to
        /// <paramref name="threads"/> threads (the caller's included) and returns when all are done.
        /// A nested call, or one made while another thread's job is in flight, runs on the caller alone.
        /// An exception thrown by a block is rethrown here once every block has run.
        /// </summary>
        public static void Run(int blocks, int threads, delegate*<void*, int, void> body, void* state)
        {
            int helpers = Math.Min(Math.Min(threads, MaxParts), blocks) - 1;
            if (helpers <= 0 || blocks > MaxBlocks || t_inJob || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
            {
                for (int block = 0; block < blocks; block++)
                {
                    body(state, block);
                }
                return;
            }
            try
            {
                int tag = Fork(blocks, helpers, body, state);
                t_inJob = true;
                try
                {
                    ClaimBlocks(fromFront: true, tag);
                }
                finally
                {
                    t_inJob = false;
                    Join(blocks);
                }
                if (s_failure is { } failure)
                {
                    ExceptionDispatchInfo.Capture(failure).Throw();
                }
            }
            finally
            {
                Volatile.Write(ref s_busy, 0);
            }
        }

        /// <summary>Publishes a job: its arguments, then its range, then the announcement the workers poll; wakes sleepers. Returns the job's tag.</summary>
        private static int Fork(int blocks, int helpers, delegate*<void*, int, void> body, void* state)
        {
            EnsureWorkers(helpers);
            s_body = body;
            s_state = state;
            s_participants = helpers + 1;
            s_failure = null;
            // Every block of the previous job was counted before its caller returned, so nobody adds to Done now.
            s_shared.Done = 0;
            long generation = (Volatile.Read(ref s_shared.Control) >> 32) + 1;
            // Full fences: the arguments are visible before the range, and the range before the announcement.
            Interlocked.Exchange(ref s_shared.Range, Pack(0, blocks, Tag(generation)));
            Interlocked.Exchange(ref s_shared.Control, (generation << 32) | (uint)helpers);
            for (int w = 0; w < helpers; w++)
            {
                s_workers[w].Wake();
            }
            return Tag(generation);
        }

        /// <summary>
        /// Waits until every block is done. No worker can touch the caller's arguments after that: all
        /// blocks are claimed, and a later claim fails (an empty range, or the next job's tag).
        /// </summary>
        private static void Join(int blocks)
        {
            for (int spin = 0; Volatile.Read(ref s_shared.Done) != blocks; spin++)
            {
                if (spin < JoinSpins)
                {
                    Thread.SpinWait(1);
                }
                else
                {
                    // A worker descheduled in the middle of its blocks: let the scheduler run it (or anyone).
                    Thread.Yield();
                }
            }
        }

        /// <summary>
        /// Runs runs of blocks until none is left. The caller takes them from the front and workers from
        /// the back, so with two cores each keeps to its own half of the data in every job (its caches
        /// stay warm across the passes of a step), while either can finish the other's half if it falls behind.
        /// </summary>
        private static void ClaimBlocks(bool fromFront, int tag)
        {
            while (Claim(fromFront, tag, out int first, out int count))
            {
                // Read after the claim: a claim tagged with this job means the job is still the current one.
                delegate*<void*, int, void> body = s_body;
                void* state = s_state;
                try
                {
                    for (int block = first; block < first + count; block++)
                    {
                        try
                        {
                            body(state, block);
                        }
                        catch (Exception e)
                        {
                            Interlocked.CompareExchange(ref s_failure, e, null);
                        }
                    }
                }
                finally
                {
                    Interlocked.Add(ref s_shared.Done, count);
                }
            }
        }

        /// <summary>
        /// Takes a run of blocks at one end of the unclaimed range: a share of what is left that shrinks
        /// as the range does (guided scheduling), at least one block. False once the range is empty or
        /// belongs to another job.
        /// </summary>
        private static bool Claim(bool fromFront, int tag, out int first, out int count)
        {
            while (true)
            {
                long range = Volatile.Read(ref s_shared.Range);
                int front = (int)(range & IndexMask), end = (int)((range >> IndexBits) & IndexMask);
                if ((int)((ulong)range >> TagShift) != tag || front >= end)
                {
                    first = count = 0;
                    return false;
                }
                count = Math.Max(1, (end - front) / (2 * s_participants));
                first = fromFront ? front : end - count;
                long claimed = fromFront ? Pack(front + count, end, tag) : Pack(front, end - count, tag);
                if (Interlocked.CompareExchange(ref s_shared.Range, claimed, range) == range)
                {
                    return true;
                }
            }
        }

        /// <summary>The range word: the first unclaimed block in bits 0–23, one past the last in 24–47 (0 ≤ front ≤ end ≤ <see cref="MaxBlocks"/>), the tag in 48–63.</summary>
        private static long Pack(int front, int end, int tag) => (uint)front | ((long)end << IndexBits) | ((long)tag << TagShift);

        private static int Tag(long generation) => (int)(generation & 0xFFFF);

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
                workers[i] = new Worker(i, Volatile.Read(ref s_shared.Control) >> 32);
            }
            s_workers = workers;
        }

        /// <summary>A background thread (it never keeps the process alive) that joins the jobs it is let into.</summary>
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

            /// <summary>
            /// Called by the caller after it announced a job (a full fence): if the worker said it is going
            /// to sleep, one of the two — this call or the worker's own second look — takes the flag back.
            /// </summary>
            public void Wake()
            {
                if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
                {
                    _wake.Release();
                }
            }

            private void Loop()
            {
                t_inJob = true;
                while (true)
                {
                    long control = WaitForJob();
                    long generation = control >> 32;
                    _seen = generation;
                    if (_index < (int)control)
                    {
                        ClaimBlocks(fromFront: false, Tag(generation));
                    }
                }
            }

            /// <summary>Polls for a new announcement for <see cref="SpinTime"/>, then sleeps until woken; returns the announcement.</summary>
            private long WaitForJob()
            {
                while (true)
                {
                    long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                    for (int i = 1; ; i++)
                    {
                        long control = Volatile.Read(ref s_shared.Control);
                        if (control >> 32 != _seen)
                        {
                            return control;
                        }
                        Thread.SpinWait(1);
                        if ((i & 255) == 0 && Stopwatch.GetTimestamp() > deadline)
                        {
                            break;
                        }
                    }
                    // Announce the nap (a full fence), then look once more so a job posted meanwhile is not missed.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref s_shared.Control) >> 32 != _seen)
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

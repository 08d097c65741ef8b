using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen.Kernels
{
    /// <summary>
    /// A persistent pool that runs the parts of one job on several cores without allocating: the
    /// job is a function pointer and a pointer to the caller's arguments on its stack. The caller runs
    /// part 0 itself; each worker runs one other part. Idle workers spin briefly (a training step
    /// forks many times in a row), then sleep until the next job.
    /// </summary>
    internal static unsafe class WorkerPool
    {
        /// <summary>The most parts a job can have: one per processor.</summary>
        public static readonly int MaxParts = Math.Max(1, Environment.ProcessorCount);

        private const int SpinIterations = 20_000; // about 50–100 µs of polling before a worker sleeps

        private static readonly object s_gate = new();
        private static Worker[] s_workers = Array.Empty<Worker>();

        // The current job; written by the caller before it bumps s_generation.
        private static delegate*<void*, int, void> s_body;
        private static void* s_state;
        private static int s_parts;
        private static int s_pending;
        private static long s_generation;
        private static Exception? s_failure;

        [ThreadStatic]
        private static bool t_inJob;

        /// <summary>
        /// Runs <c>body(state, part)</c> for every part in [0, <paramref name="parts"/>) and returns when
        /// all are done. Parts run in parallel when the pool is free; otherwise (nested call, another
        /// thread's job in flight) the caller runs them all itself, in order.
        /// </summary>
        public static void Run(int parts, delegate*<void*, int, void> body, void* state)
        {
            parts = Math.Min(parts, MaxParts);
            if (parts <= 1 || t_inJob || !Monitor.TryEnter(s_gate))
            {
                for (int part = 0; part < parts; part++)
                {
                    body(state, part);
                }
                return;
            }
            try
            {
                EnsureWorkers(parts - 1);
                s_body = body;
                s_state = state;
                s_parts = parts;
                s_failure = null;
                Volatile.Write(ref s_pending, parts - 1);
                Interlocked.Increment(ref s_generation);
                for (int w = 0; w < parts - 1; w++)
                {
                    s_workers[w].Wake();
                }

                t_inJob = true;
                try
                {
                    body(state, 0);
                }
                finally
                {
                    t_inJob = false;
                    var spin = new SpinWait();
                    while (Volatile.Read(ref s_pending) != 0)
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
                workers[i] = new Worker(i + 1, Volatile.Read(ref s_generation));
            }
            s_workers = workers;
        }

        private sealed class Worker
        {
            private readonly int _part;
            private readonly SemaphoreSlim _wake = new(0);
            private long _seen;
            private int _sleeping;

            public Worker(int part, long generation)
            {
                _part = part;
                _seen = generation;
                new Thread(Loop) { IsBackground = true, Name = $"NetGen worker {part}" }.Start();
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
                    if (_part < s_parts)
                    {
                        try
                        {
                            s_body(s_state, _part);
                        }
                        catch (Exception e)
                        {
                            Interlocked.CompareExchange(ref s_failure, e, null);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref s_pending);
                        }
                    }
                }
            }

            private long WaitForJob()
            {
                while (true)
                {
                    for (int i = 0; i < SpinIterations; i++)
                    {
                        long generation = Volatile.Read(ref s_generation);
                        if (generation != _seen)
                        {
                            return generation;
                        }
                        Thread.SpinWait(1);
                    }
                    // Announce the nap (a full fence), then look once more so a job posted meanwhile is not missed.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref s_generation) != _seen)
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

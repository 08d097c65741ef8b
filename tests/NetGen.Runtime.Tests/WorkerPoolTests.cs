using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    /// <summary>
    /// The fork/join pool: every block runs exactly once, whatever the timing; a helper really takes
    /// part; failures, nested and concurrent jobs behave as documented. In the "Simd" collection,
    /// which runs alone, so that no other test holds the pool meanwhile.
    /// </summary>
    [Collection("Simd")]
    public class WorkerPoolTests
    {
        /// <summary>What the test bodies share with the test, through the job's state pointer.</summary>
        private unsafe struct Counts
        {
            public int* PerBlock;
            public int Total;
            public int Throwing;
            public int Inner;
        }

        private static unsafe void CountBlock(void* state, int block)
        {
            ref Counts counts = ref *(Counts*)state;
            Interlocked.Increment(ref counts.PerBlock[block]);
            Interlocked.Increment(ref counts.Total);
        }

        private static unsafe void CountOrThrow(void* state, int block)
        {
            CountBlock(state, block);
            if (block == ((Counts*)state)->Throwing)
            {
                throw new InvalidOperationException($"block {block} failed");
            }
        }

        [Fact]
        public async Task Many_rapid_jobs_of_varying_sizes_run_every_block_exactly_once()
        {
            // Runs on a thread of its own so that a deadlock fails the test (a TimeoutException) instead of hanging the run.
            await Task.Run(RapidJobs).WaitAsync(TimeSpan.FromMinutes(2));
        }

        private static unsafe void RapidJobs()
        {
            int[] perBlock = new int[300];
            fixed (int* p = perBlock)
            {
                var counts = new Counts { PerBlock = p };
                for (int job = 0; job < 100_000; job++)
                {
                    int blocks = job % 7 == 0 ? 1 + job % 300 : 1 + job % 13;
                    if (job % 5_000 == 4_999)
                    {
                        Thread.Sleep(2); // long enough for the helper to fall asleep: the next job must wake it
                    }
                    WorkerPool.Run(blocks, 2, &CountBlock, &counts);
                    Assert.Equal(blocks, counts.Total);
                    for (int b = 0; b < blocks; b++)
                    {
                        Assert.True(perBlock[b] == 1, $"job {job}: block {b} of {blocks} ran {perBlock[b]} times");
                        perBlock[b] = 0;
                    }
                    counts.Total = 0;
                }
            }
        }

        private static unsafe void WaitForTheOtherBlock(void* state, int block)
        {
            int* started = (int*)state;
            started[block] = Environment.CurrentManagedThreadId;
            Interlocked.MemoryBarrier();
            var clock = Stopwatch.StartNew();
            // The first block to start waits for the second: only a second thread can run it meanwhile.
            while (Volatile.Read(ref started[1 - block]) == 0 && clock.Elapsed < TimeSpan.FromSeconds(1))
            {
                Thread.SpinWait(10);
            }
        }

        [Fact]
        public unsafe void A_helper_thread_runs_blocks_beside_the_caller()
        {
            if (WorkerPool.MaxParts < 2)
            {
                return;
            }
            int[] started = new int[2];
            bool together = false;
            fixed (int* p = started)
            {
                // A busy machine may not schedule the helper in time once; it must within a few tries.
                for (int attempt = 0; attempt < 10 && !together; attempt++)
                {
                    started[0] = started[1] = 0;
                    WorkerPool.Run(2, 2, &WaitForTheOtherBlock, p);
                    together = started[0] != started[1];
                }
            }
            Assert.True(together, "both blocks always ran on the same thread");
        }

        [Fact]
        public unsafe void A_failing_block_is_rethrown_after_the_others_ran_and_the_pool_keeps_working()
        {
            int[] perBlock = new int[64];
            fixed (int* p = perBlock)
            {
                var counts = new Counts { PerBlock = p, Throwing = 37 };
                string? message = null;
                try
                {
                    WorkerPool.Run(64, 2, &CountOrThrow, &counts);
                }
                catch (InvalidOperationException e)
                {
                    message = e.Message;
                }
                Assert.Equal("block 37 failed", message);
                Assert.Equal(64, counts.Total);
                Assert.All(perBlock, n => Assert.Equal(1, n));

                Array.Clear(perBlock);
                counts.Total = 0;
                WorkerPool.Run(64, 2, &CountBlock, &counts);
                Assert.Equal(64, counts.Total);
                Assert.All(perBlock, n => Assert.Equal(1, n));
            }
        }

        /// <summary>A block that runs a job of its own: the inner job must run (on the block's thread) instead of waiting for the pool it is in.</summary>
        private static unsafe void RunNestedJob(void* state, int block)
        {
            ref Counts counts = ref *(Counts*)state;
            int* inner = stackalloc int[8];
            var nested = new Counts { PerBlock = inner };
            for (int i = 0; i < 8; i++)
            {
                inner[i] = 0;
            }
            WorkerPool.Run(8, 2, &CountBlock, &nested);
            if (nested.Total == 8)
            {
                Interlocked.Increment(ref counts.Inner);
            }
            CountBlock(state, block);
        }

        [Fact]
        public async Task A_job_inside_a_job_runs_on_its_caller_without_deadlock()
        {
            await Task.Run(NestedJobs).WaitAsync(TimeSpan.FromMinutes(1));
        }

        private static unsafe void NestedJobs()
        {
            int[] perBlock = new int[16];
            fixed (int* p = perBlock)
            {
                for (int repeat = 0; repeat < 1000; repeat++)
                {
                    Array.Clear(perBlock);
                    var counts = new Counts { PerBlock = p };
                    WorkerPool.Run(16, 2, &RunNestedJob, &counts);
                    Assert.Equal(16, counts.Total);
                    Assert.Equal(16, counts.Inner);
                }
            }
        }

        [Fact]
        public async Task Jobs_posted_from_two_threads_at_once_all_complete()
        {
            await Task.WhenAll(Task.Run(Post), Task.Run(Post)).WaitAsync(TimeSpan.FromMinutes(2));
        }

        private static unsafe void Post()
        {
            int[] perBlock = new int[40];
            fixed (int* p = perBlock)
            {
                var counts = new Counts { PerBlock = p };
                for (int job = 0; job < 20_000; job++)
                {
                    int blocks = 1 + job % 40;
                    WorkerPool.Run(blocks, 2, &CountBlock, &counts);
                    Assert.Equal(blocks, counts.Total);
                    for (int b = 0; b < blocks; b++)
                    {
                        Assert.Equal(1, perBlock[b]);
                        perBlock[b] = 0;
                    }
                    counts.Total = 0;
                }
            }
        }
    }
}

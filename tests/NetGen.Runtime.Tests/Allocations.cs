using System;

namespace NetGen.Runtime.Tests
{
    internal static class Allocations
    {
        /// <summary>
        /// The bytes one warm call of <paramref name="call"/> allocates on this thread: the fewest over a few calls after a
        /// first one. A steady cost shows in every call; a one-time start-up does not count — for instance the worker
        /// threads the kernels start the first time they split a job, which can fall on a later call when another test
        /// held the worker pool during the first (a job posted meanwhile runs on its caller alone).
        /// </summary>
        public static long PerWarmCall(Action call)
        {
            call();
            long fewest = long.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                call();
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return fewest;
        }
    }
}

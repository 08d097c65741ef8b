using System;
using NetGen.Kernels;

namespace NetGen
{
    /// <summary>
    /// How many threads NetGen's kernels may use, like <c>torch.set_num_threads</c>. Work is split
    /// into fixed parts that never divide a sum, so results are bit-identical whatever the setting.
    /// </summary>
    public static class Parallelism
    {
        private static int s_maxThreads = Environment.ProcessorCount;

        /// <summary>At most this many threads work on one product (the caller's included). Defaults to the processor count.</summary>
        public static int MaxThreads
        {
            get => s_maxThreads;
            set
            {
                if (value < 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), value, "MaxThreads must be at least 1.");
                }
                s_maxThreads = Math.Min(value, WorkerPool.MaxParts);
            }
        }

        /// <summary>
        /// The one rule for how many threads a job gets: as many as have at least <paramref name="minPerThread"/>
        /// units of its <paramref name="work"/> each (floating-point operations for products, values for memory
        /// passes), between 1 and <see cref="MaxThreads"/>. Kernels differ only in the minimum they pass.
        /// </summary>
        internal static int ThreadsFor(long work, long minPerThread) =>
            (int)Math.Min(MaxThreads, Math.Max(1, work / Math.Max(1, minPerThread)));

        /// <summary>Threads for a pass over <paramref name="values"/> floats (unfold, fold, pooling): one below 64 K values, else all.</summary>
        internal static int ThreadsForPass(long values) => values < 64 * 1024 ? 1 : MaxThreads;
    }
}

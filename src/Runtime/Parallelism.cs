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
    }
}

using System;

namespace NetGen.Kernels
{
    /// <summary>
    /// Moves between the batch-major layout users see (<c>[B, C, H, W]</c>, NCHW) and the channel-major
    /// layout spatial layers work in (<c>[C, B, H, W]</c>). Planes of H·W values move whole, a block of samples per work
    /// item: from 64 K values on all threads (each sample's planes are its own, so the copy does not depend on the split).
    /// </summary>
    public static unsafe class Layout
    {
        /// <summary>Samples per work item.</summary>
        private const int SamplesPerBlock = 8;

        private struct Job
        {
            public float* Source, Target;
            public int Batch, Channels, PlaneSize;
            public bool ToChannelMajor;
        }

        /// <summary>[B, C, S] → [C, B, S].</summary>
        public static void ToChannelMajor(ReadOnlySpan<float> batchMajor, Span<float> channelMajor, int batch, int channels, int planeSize) =>
            Run(batchMajor, channelMajor, batch, channels, planeSize, toChannelMajor: true);

        /// <summary>[C, B, S] → [B, C, S].</summary>
        public static void ToBatchMajor(ReadOnlySpan<float> channelMajor, Span<float> batchMajor, int batch, int channels, int planeSize) =>
            Run(channelMajor, batchMajor, batch, channels, planeSize, toChannelMajor: false);

        private static void Run(ReadOnlySpan<float> source, Span<float> target, int batch, int channels, int planeSize, bool toChannelMajor)
        {
            long values = (long)batch * channels * planeSize;
            if (batch < 0 || channels < 0 || planeSize < 0 || source.Length < values || target.Length < values)
            {
                throw new ArgumentException(
                    $"A layout change of {batch} samples × {channels} channels × {planeSize} values needs {values} of each; the source has {source.Length}, the target {target.Length}.");
            }
            fixed (float* from = source, to = target)
            {
                var job = new Job { Source = from, Target = to, Batch = batch, Channels = channels, PlaneSize = planeSize, ToChannelMajor = toChannelMajor };
                WorkerPool.Run((batch + SamplesPerBlock - 1) / SamplesPerBlock, Parallelism.ThreadsForPass(values), &RunBlock, &job);
            }
        }

        // A thin dispatcher (see WorkerPool): the loops are in MoveSamples.
        private static void RunBlock(void* state, int block) => MoveSamples(ref *(Job*)state, block);

        private static void MoveSamples(ref Job job, int block)
        {
            int first = block * SamplesPerBlock, end = Math.Min(job.Batch, first + SamplesPerBlock);
            for (int b = first; b < end; b++)
            {
                for (int c = 0; c < job.Channels; c++)
                {
                    long batchMajor = ((long)b * job.Channels + c) * job.PlaneSize, channelMajor = ((long)c * job.Batch + b) * job.PlaneSize;
                    long from = job.ToChannelMajor ? batchMajor : channelMajor, to = job.ToChannelMajor ? channelMajor : batchMajor;
                    new ReadOnlySpan<float>(job.Source + from, job.PlaneSize).CopyTo(new Span<float>(job.Target + to, job.PlaneSize));
                }
            }
        }
    }
}

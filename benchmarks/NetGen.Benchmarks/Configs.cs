using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace NetGen.Benchmarks
{
    /// <summary>Switches the program sets from its command line before BenchmarkDotNet builds any config.</summary>
    public static class Settings
    {
        /// <summary>True when the command line chose a job (<c>--job</c>/<c>-j</c>): then that job applies to every class.</summary>
        public static bool JobFromCommandLine { get; set; }
    }

    /// <summary>
    /// For benchmarks whose one invocation is a whole epoch (seconds): 1 warm-up epoch and 5 measured,
    /// one epoch per iteration, no pilot and no unrolling. A job given on the command line
    /// (<c>--job dry</c>, <c>--job short</c>) replaces it instead of running in addition to it.
    /// </summary>
    public sealed class EpochConfig : ManualConfig
    {
        public static readonly Job EpochJob = Job.Default
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithLaunchCount(1)
            .WithId("Epoch");

        public EpochConfig()
        {
            if (!Settings.JobFromCommandLine)
            {
                AddJob(EpochJob);
            }
        }
    }
}

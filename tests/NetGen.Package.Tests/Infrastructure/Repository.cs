using System;
using System.IO;
using System.Linq;
using System.Reflection;

// Each test runs `dotnet` (pack, build, publish) on both cores; running two at once only slows both.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace NetGen.Package.Tests.Infrastructure
{
    /// <summary>Where the repository is and which configuration this test assembly (and so the projects it references) was built in.</summary>
    internal static class Repository
    {
        public static string Root { get; } = Metadata("RepoRoot");

        public static string Configuration { get; } = Metadata("Configuration");

        public static string PathOf(params string[] parts) => Path.GetFullPath(Path.Combine([Root, .. parts]));

        /// <summary>The JIT build of a sample (built before the tests, as a project reference of this assembly).</summary>
        public static string SampleDll(string sample) =>
            PathOf("samples", sample, "bin", Configuration, "net10.0", sample + ".dll");

        private static string Metadata(string key) =>
            typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"The test assembly has no AssemblyMetadata '{key}'.");
    }
}

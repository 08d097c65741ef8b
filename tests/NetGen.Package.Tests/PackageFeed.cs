using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using NetGen.Package.Tests.Infrastructure;

namespace NetGen.Package.Tests
{
    /// <summary>
    /// NetGen, NetGen.Console and NetGen.Plotting packed once into a fresh folder, from the projects' existing
    /// build outputs, under a version no cache can already hold (0.1.0-test.&lt;ticks&gt;).
    /// </summary>
    public sealed class PackageFeed : IDisposable
    {
        private readonly TempDirectory _directory = new("feed");

        public PackageFeed()
        {
            Version = "0.1.0-test." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
            Folder = _directory.Combine("feed");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                foreach (string project in Projects)
                {
                    Command.RunDotNet(Repository.Root, null,
                        "pack", Repository.PathOf(project), "-c", Repository.Configuration, "--no-build", "--no-restore",
                        "-o", Folder, "-p:PackageVersion=" + Version,
                        "-p:NuspecOutputPath=" + _directory.Combine("nuspec") + Path.DirectorySeparatorChar)
                        .EnsureSuccess();
                }
            }
            catch
            {
                _directory.Dispose(); // xunit does not dispose a fixture whose constructor threw
                throw;
            }
            PackSeconds = clock.Elapsed.TotalSeconds;
        }

        /// <summary>The packed projects, relative to the repository root.</summary>
        public static IReadOnlyList<string> Projects { get; } =
        [
            Path.Combine("src", "Runtime", "NetGen.Runtime.csproj"),
            Path.Combine("src", "Console", "NetGen.Console.csproj"),
            Path.Combine("src", "Plotting", "NetGen.Plotting.csproj"),
        ];

        public string Version { get; }

        /// <summary>The folder holding the .nupkg and .snupkg files: a local package source.</summary>
        public string Folder { get; }

        public double PackSeconds { get; }

        public string Package(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

        public void Dispose() => _directory.Dispose();
    }
}

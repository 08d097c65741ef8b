using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using NetGen.Package.Tests.Infrastructure;

namespace NetGen.Package.Tests
{
    /// <summary>
    /// Publishes samples with NativeAOT for this machine's runtime identifier (linux-x64 in CI) into a temp artifacts folder, so the repository's own bin/
    /// and obj/ folders are left as they were; the samples share the libraries built for the first one.
    /// </summary>
    public sealed class AotPublisher : IDisposable
    {
        private readonly TempDirectory _artifacts = new("aot");

        /// <summary>Runs <c>dotnet publish -r linux-x64 -p:PublishAot=true -c Release</c> (with this machine's RID) on a sample; the native binary is at <see cref="Binary"/>.</summary>
        public CommandResult Publish(string sample) =>
            Command.RunDotNet(Repository.Root, null,
                "publish", Repository.PathOf("samples", sample, sample + ".csproj"),
                "-r", RuntimeInformation.RuntimeIdentifier, "-p:PublishAot=true", "-c", "Release",
                "--artifacts-path", _artifacts.Path, "--tl:off");

        public string Binary(string sample) =>
            _artifacts.Combine("publish", sample, "release_" + RuntimeInformation.RuntimeIdentifier, OperatingSystem.IsWindows() ? sample + ".exe" : sample);

        public void Dispose() => _artifacts.Dispose();
    }
}

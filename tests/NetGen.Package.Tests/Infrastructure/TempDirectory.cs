using System;
using System.IO;

namespace NetGen.Package.Tests.Infrastructure
{
    /// <summary>A fresh directory under the system's temp folder, deleted on dispose.</summary>
    internal sealed class TempDirectory : IDisposable
    {
        public TempDirectory(string purpose)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"netgen-{purpose}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

using System;
using System.IO;
using System.Runtime.InteropServices;

namespace NetGen.Checkpoints
{
    /// <summary>
    /// Replaces a file so that a crash at any moment (a kill, a power cut) leaves either the old file or the
    /// new one, and at most one temporary file beside it: <c>{target}.tmp</c>, a name fixed per target, so the
    /// next save of that target truncates and reuses it instead of leaving another. The new content is written
    /// to the temporary file, flushed to disk, renamed over the target, and then (on Linux) the directory is
    /// flushed so the rename itself survives a power cut.
    /// </summary>
    /// <remarks>Two processes saving the same target at the same moment are not supported: the second fails to open the temporary file.</remarks>
    internal static partial class DurableFile
    {
        /// <summary>The suffix of the temporary file written beside the target.</summary>
        public const string TemporarySuffix = ".tmp";

        /// <summary>The temporary file a save of <paramref name="fullPath"/> writes first.</summary>
        public static string TemporaryPath(string fullPath) => fullPath + TemporarySuffix;

        /// <summary>
        /// Writes <paramref name="path"/> through <paramref name="write"/>, durably and atomically. An exception
        /// (from <paramref name="write"/> or the file system) removes the temporary file and propagates.
        /// </summary>
        public static void Replace(string path, Action<Stream> write, Action<string>? beforeCommit = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            string full = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(full) ?? ".";
            Directory.CreateDirectory(directory);
            string temporary = TemporaryPath(full);
            try
            {
                // FileMode.Create truncates a temporary file a killed save left behind.
                using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                beforeCommit?.Invoke(temporary);
                File.Move(temporary, full, overwrite: true);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
            SyncDirectory(directory);
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        /// <summary>
        /// Flushes <paramref name="directory"/>'s entries to disk (fsync on the directory), so a completed rename is
        /// durable. Linux only (.NET has no API for it); best effort: a file system that refuses is not an error,
        /// as the file itself is already on disk.
        /// </summary>
        private static void SyncDirectory(string directory)
        {
            if (!OperatingSystem.IsLinux())
            {
                return;
            }
            const int ReadOnly = 0; // O_RDONLY: enough to fsync a directory.
            int descriptor = Open(directory, ReadOnly);
            if (descriptor < 0)
            {
                return;
            }
            _ = FileSync(descriptor);
            _ = Close(descriptor);
        }

        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
        private static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync")]
        private static partial int FileSync(int descriptor);

        [LibraryImport("libc", EntryPoint = "close")]
        private static partial int Close(int descriptor);
    }
}

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using NetGen.Checkpoints;
using Xunit.Abstractions;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// Kills a process with SIGKILL (<see cref="Process.Kill()"/>) while it saves a 64 MB checkpoint over and over
    /// (tests/NetGen.CrashTarget), at random moments, until 20 kills have landed in the middle of a save, and checks what a real crash leaves: the target, if one was
    /// ever completed, loads whole (every value equal to the generation in its metadata), and at most one
    /// temporary file exists (<c>{target}.tmp</c>), which the next normal save removes.
    /// </summary>
    [Collection(SerialCollection.Name)]
    public class CrashSafetyTests(ITestOutputHelper output)
    {
        private const int MidSaveKills = 20;
        private const int MaxKills = 80;
        private const int Megabytes = 64;

        [Fact]
        public void A_save_killed_at_random_moments_leaves_a_loadable_checkpoint_and_at_most_one_temporary_file()
        {
            using var dir = new TempDirectory();
            string target = dir.File("model.safetensors");
            var rng = new Rng(7);
            int generation = 0, lastSaved = -1, interrupted = 0;
            var clock = Stopwatch.StartNew();
            int kill = 0;
            for (; interrupted < MidSaveKills && kill < MaxKills; kill++)
            {
                using Process child = StartChild(target, generation);
                Assert.Equal("ready", child.StandardOutput.ReadLine());
                // Let some kills land before the first save completes (no target yet), most during later saves.
                Thread.Sleep(kill < 2 ? rng.NextInt(50) : 100 + rng.NextInt(800));
                child.Kill();
                child.WaitForExit();
                // Saves reported before the kill; the file may hold one more whose line was never read.
                string? line;
                while ((line = child.StandardOutput.ReadLine()) is not null)
                {
                    lastSaved = int.Parse(line["saved ".Length..], CultureInfo.InvariantCulture);
                }

                string[] others = Directory.GetFiles(dir.Path).Select(Path.GetFileName).Where(n => n != "model.safetensors").ToArray()!;
                Assert.True(others.Length <= 1, $"kill {kill}: {others.Length} stray files: {string.Join(", ", others)}");
                if (others.Length == 1)
                {
                    Assert.Equal("model.safetensors.tmp", others[0]);
                    interrupted++;
                }
                if (lastSaved >= 0)
                {
                    int loaded = CheckWhole(target);
                    Assert.True(loaded >= lastSaved, $"kill {kill}: the file holds generation {loaded}; {lastSaved} was saved");
                    generation = loaded + 1;
                }
                else if (File.Exists(target))
                {
                    generation = CheckWhole(target) + 1;
                }
            }
            output.WriteLine($"{kill} kills, {interrupted} mid-save (a temporary file left), last generation {generation - 1}, {clock.Elapsed.TotalSeconds:F1} s");
            // Kills continue until 20 have landed mid-save (a temporary file left behind), usually within 30 to 40.
            Assert.True(interrupted >= MidSaveKills, $"only {interrupted} of {kill} kills landed during a save");

            var writer = new SafeTensorsWriter();
            writer.Metadata["generation"] = "-1";
            writer.Add("w", [1], [-1f]);
            writer.Save(target);
            Assert.Equal(["model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
            Assert.Equal(-1, CheckWhole(target));
        }

        // Opens the checkpoint, checks every value equals its generation, returns the generation.
        private static int CheckWhole(string path)
        {
            using SafeTensorsFile file = SafeTensorsFile.Open(path);
            int generation = int.Parse(file.Metadata["generation"], CultureInfo.InvariantCulture);
            float[] values = file.ReadFloat32("w");
            Assert.All(new[] { values[0], values[values.Length / 2], values[^1] }, v => Assert.Equal(generation, v));
            Assert.Equal(values.Length, values.Count(v => v == generation));
            return generation;
        }

        private static Process StartChild(string target, int generation)
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "NetGen.CrashTarget.dll");
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { dll, target, Megabytes.ToString(CultureInfo.InvariantCulture), generation.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }
            return Process.Start(start) ?? throw new InvalidOperationException("could not start " + dll);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace NetGen.Package.Tests.Infrastructure
{
    /// <summary>What a finished child process printed (stdout and stderr interleaved as they came), its exit code and its wall time.</summary>
    public sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.TrimEntries);

        /// <summary>Throws, with everything the command printed, unless it exited with 0.</summary>
        public CommandResult EnsureSuccess()
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"`{CommandLine}` exited with {ExitCode} after {Elapsed.TotalSeconds:F1} s:\n{Output}");
            }
            return this;
        }
    }

    /// <summary>Runs a program to completion with a time limit, capturing its output.</summary>
    internal static class Command
    {
        /// <summary>The <c>dotnet</c> that runs these tests (the SDK sets DOTNET_HOST_PATH for test hosts).</summary>
        public static string DotNet { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

        public static CommandResult Run(string program, IEnumerable<string> arguments, string workingDirectory,
            IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 300)
        {
            var start = new ProcessStartInfo(program)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            // No MSBuild node or compiler server outlives a test; no first-run banners or telemetry.
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[key] = value;
            }

            string commandLine = program + " " + string.Join(' ', start.ArgumentList);
            var output = new StringBuilder();
            var clock = Stopwatch.StartNew();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new TimeoutException($"`{commandLine}` did not finish in {timeoutSeconds} s:\n{Snapshot(output)}");
            }
            process.WaitForExit(); // drains the output
            return new CommandResult(commandLine, process.ExitCode, Snapshot(output), clock.Elapsed);
        }

        public static CommandResult RunDotNet(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
            Run(DotNet, arguments, workingDirectory, environment);

        private static void Append(StringBuilder output, string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (output)
            {
                output.Append(line).Append('\n');
            }
        }

        private static string Snapshot(StringBuilder output)
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}

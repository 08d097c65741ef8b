using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using NetGen.Package.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NetGen.Package.Tests
{
    /// <summary>
    /// Samples published with NativeAOT: no trimming or AOT warning, the instruction set NetGen's build targets
    /// choose (x86-64-v3 on x64), and the same output as the sample's JIT build run at the same SIMD level:
    /// every loss, accuracy, report and sampled passage, with only times and rates left out.
    /// </summary>
    public partial class NativeAotTests(AotPublisher publisher, ITestOutputHelper output) : IClassFixture<AotPublisher>
    {
        [Fact]
        public void Quickstart_compiled_ahead_of_time_prints_what_its_JIT_build_prints() =>
            PublishRunAndCompare("Quickstart", ["--epochs", "2"], _ => { });

        [Fact]
        public void TextGeneration_compiled_ahead_of_time_prints_what_its_JIT_build_prints() =>
            // 20,000 bytes of the sample's text: 562 training windows, two epochs of a few seconds.
            PublishRunAndCompare("TextGeneration", ["--data", "austen-20k.txt", "--epochs", "2", "--out", "out"], directory =>
            {
                byte[] text = File.ReadAllBytes(Repository.PathOf("samples", "TextGeneration", "data", "austen.txt"));
                File.WriteAllBytes(Path.Combine(directory, "austen-20k.txt"), text.AsSpan(0, 20_000).ToArray());
            });

        private void PublishRunAndCompare(string sample, string[] arguments, Action<string> prepare)
        {
            CommandResult publish = publisher.Publish(sample).EnsureSuccess();
            output.WriteLine($"{sample}: NativeAOT publish {publish.Elapsed.TotalSeconds:F1} s, binary {new FileInfo(publisher.Binary(sample)).Length / 1e6:F1} MB");
            string[] warnings = publish.Lines.Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToArray();
            Assert.True(warnings.Length == 0, "The publish warned:\n" + string.Join('\n', warnings));

            using var aotDirectory = new TempDirectory("aot-run");
            using var jitDirectory = new TempDirectory("jit-run");
            prepare(aotDirectory.Path);
            prepare(jitDirectory.Path);

            CommandResult aot = Command.Run(publisher.Binary(sample), arguments, aotDirectory.Path).EnsureSuccess();
            (string aotSimd, string aotCode) = SimdLine(aot);
            Assert.Equal("NativeAOT", aotCode);
            if (Avx2.IsSupported && Fma.IsSupported)
            {
                // Without NetGen's default the SDK's x86-64-v2 would leave AVX2 and FMA out of the binary.
                Assert.Contains("AVX2, FMA", aotSimd, StringComparison.Ordinal);
            }

            // The JIT build at the binary's level: the instruction sets it was not compiled for are switched off.
            var environment = new Dictionary<string, string>();
            if (!aotSimd.Contains("AVX-512F", StringComparison.Ordinal))
            {
                environment["DOTNET_EnableAVX512"] = "0";
            }
            if (!aotSimd.Contains("AVX2", StringComparison.Ordinal))
            {
                environment["DOTNET_EnableAVX2"] = "0";
            }
            CommandResult jit = Command.RunDotNet(jitDirectory.Path, environment, [Repository.SampleDll(sample), .. arguments]).EnsureSuccess();
            (string jitSimd, string jitCode) = SimdLine(jit);
            Assert.Equal("JIT", jitCode);
            Assert.Equal(aotSimd, jitSimd);

            output.WriteLine($"{sample} {string.Join(' ', arguments)}: {aotSimd}");
            output.WriteLine($"  NativeAOT: {aot.Elapsed.TotalSeconds:F2} s in all, epochs {string.Join(", ", EpochSeconds(aot))} s");
            output.WriteLine($"  JIT:       {jit.Elapsed.TotalSeconds:F2} s in all, epochs {string.Join(", ", EpochSeconds(jit))} s");

            // Speed: the last epoch (the JIT's code warm by then). Within 10% is the aim, measured on a quiet machine
            // (README); here other test projects run beside us, so the guard is what a scalar fallback would break
            // (5-24 times slower): at most three times the JIT's, for epochs long enough to time.
            double aotEpoch = double.Parse(EpochSeconds(aot)[^1], CultureInfo.InvariantCulture);
            double jitEpoch = double.Parse(EpochSeconds(jit)[^1], CultureInfo.InvariantCulture);
            if (jitEpoch >= 0.5)
            {
                Assert.True(aotEpoch <= 3 * jitEpoch, $"The NativeAOT build's last epoch took {aotEpoch} s, the JIT's {jitEpoch} s: more than three times as long.");
            }

            string[] expected = Comparable(jit), actual = Comparable(aot);
            Assert.Contains(expected, l => l.StartsWith("Epoch 2/2 ", StringComparison.Ordinal));
            for (int i = 0; i < Math.Max(expected.Length, actual.Length); i++)
            {
                Assert.True(i < expected.Length && i < actual.Length && expected[i] == actual[i],
                    $"Line {i + 1} differs.\nJIT:       {(i < expected.Length ? expected[i] : "(none)")}\nNativeAOT: {(i < actual.Length ? actual[i] : "(none)")}\n\nJIT output:\n{jit.Output}\nNativeAOT output:\n{aot.Output}");
            }
        }

        /// <summary>"SIMD: Vector256 (AVX2, FMA), NativeAOT" → ("Vector256 (AVX2, FMA)", "NativeAOT").</summary>
        private static (string Simd, string Code) SimdLine(CommandResult run)
        {
            string line = run.Lines.SingleOrDefault(l => l.StartsWith("SIMD: ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException("No SIMD line in:\n" + run.Output);
            int comma = line.LastIndexOf(", ", StringComparison.Ordinal);
            return (line["SIMD: ".Length..comma], line[(comma + 2)..]);
        }

        /// <summary>The output with what depends on the clock (seconds, rates) and the code generation replaced, runs of spaces made one.</summary>
        private static string[] Comparable(CommandResult run) =>
            run.Lines
                .Where(l => !l.StartsWith("SIMD: ", StringComparison.Ordinal))
                .Select(l => Spaces().Replace(Seconds().Replace(Rate().Replace(l, "<rate>"), "<s>"), " "))
                .ToArray();

        private static string[] EpochSeconds(CommandResult run) =>
            run.Lines.Select(l => EpochTime().Match(l)).Where(m => m.Success).Select(m => m.Groups["s"].Value).ToArray();

        [GeneratedRegex(@"[0-9][0-9,]* samples/s")]
        private static partial Regex Rate();

        [GeneratedRegex(@"\b[0-9]+(\.[0-9]+)? s\b")]
        private static partial Regex Seconds();

        [GeneratedRegex(@" {2,}")]
        private static partial Regex Spaces();

        [GeneratedRegex(@"^Epoch +[0-9]+/[0-9]+ +(?<s>[0-9.]+) s ")]
        private static partial Regex EpochTime();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using NetGen.Package.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NetGen.Package.Tests
{
    /// <summary>
    /// The packages as a user gets them: their contents, and a project outside the repository that declares a
    /// network, builds with warnings as errors against the NetGen package alone, trains and predicts.
    /// </summary>
    public class PackageTests(PackageFeed feed, ITestOutputHelper output) : IClassFixture<PackageFeed>
    {
        private static readonly XNamespace Nuspec = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";

        [Fact]
        public void NetGen_holds_the_runtime_the_attributes_and_the_generator_as_an_analyzer()
        {
            output.WriteLine($"Packing the three packages took {feed.PackSeconds:F1} s.");
            Assert.Equal(
                new[] { "NetGen", "NetGen.Console", "NetGen.Plotting" }.SelectMany(id => new[] { $"{id}.{feed.Version}.nupkg", $"{id}.{feed.Version}.snupkg" }).Order(StringComparer.Ordinal),
                Directory.GetFiles(feed.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            string[] entries = Entries(feed.Package("NetGen"));
            foreach (string expected in new[]
            {
                "lib/net10.0/NetGen.Runtime.dll", "lib/net10.0/NetGen.Runtime.xml",
                "lib/net10.0/NetGen.Attributes.dll", "lib/net10.0/NetGen.Attributes.xml",
                "analyzers/dotnet/cs/NetGen.Generator.dll", "buildTransitive/NetGen.targets", "README.md",
            })
            {
                Assert.Contains(expected, entries);
            }
            // The generator is only an analyzer: never a reference, and nothing of Roslyn travels with it.
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));
            Assert.DoesNotContain(entries, e => e.Contains("CodeAnalysis", StringComparison.Ordinal));

            XElement metadata = Metadata(feed.Package("NetGen"));
            Assert.Equal("MIT", metadata.Element(Nuspec + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(Nuspec + "readme")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(Nuspec + "description")?.Value));
            Assert.Equal(["System.Numerics.Tensors"], Dependencies(metadata).Select(d => d.Id));
        }

        [Theory]
        [InlineData("NetGen.Console", "Spectre.Console")]
        [InlineData("NetGen.Plotting", "ScottPlot")]
        public void The_optional_packages_depend_on_NetGen_with_its_generator(string id, string library)
        {
            XElement metadata = Metadata(feed.Package(id));
            (string Id, string Version, string Include)[] dependencies = Dependencies(metadata);
            // include="All": the generator and the build targets reach a project that references only this package.
            Assert.Contains(("NetGen", feed.Version, "All"), dependencies);
            Assert.Contains(dependencies, d => d.Id == library);
            Assert.Contains($"lib/net10.0/{id}.dll", Entries(feed.Package(id)));
            Assert.Equal("README.md", metadata.Element(Nuspec + "readme")?.Value);
        }

        [Fact]
        public void A_project_outside_the_repository_declares_trains_and_predicts_with_the_package()
        {
            using var consumer = new TempDirectory("consumer");
            WriteConsumer(consumer);
            var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = consumer.Combine("packages") };

            CommandResult build = Command.RunDotNet(consumer.Path, environment, "build", "-c", "Release", "--tl:off").EnsureSuccess();
            output.WriteLine($"Restore and build: {build.Elapsed.TotalSeconds:F1} s");
            Assert.DoesNotContain(build.Lines, l => l.Contains(": warning ", StringComparison.Ordinal));
            // The generator ran from the package: its source is in the build, and the program uses what it wrote.
            Assert.True(Directory.GetFiles(consumer.Combine("obj"), "XorNet*.g.cs", SearchOption.AllDirectories).Length > 0,
                "No generated XorNet source under obj/.");

            CommandResult run = Command.RunDotNet(consumer.Path, null, Path.Combine("bin", "Release", "net10.0", "Consumer.dll")).EnsureSuccess();
            output.WriteLine(run.Output);
            string[] lines = run.Lines;
            Assert.Contains("parameters 42", lines); // 2·8 + 8 + 8·2 + 2
            string[] loss = lines.Single(l => l.StartsWith("loss ", StringComparison.Ordinal)).Split(' ');
            float first = float.Parse(loss[1], System.Globalization.CultureInfo.InvariantCulture);
            float last = float.Parse(loss[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(first, 0.3f, 2f);  // about ln 2 before training
            Assert.InRange(last, 0f, 0.1f);
            Assert.Equal(["predicted 0", "predicted 1", "predicted 1", "predicted 0"], lines.Where(l => l.StartsWith("predicted ", StringComparison.Ordinal)));
            Assert.Contains(lines, l => l.StartsWith("SIMD: ", StringComparison.Ordinal) && l.EndsWith(", JIT", StringComparison.Ordinal));

            // The package's build targets reach the project: an x64 NativeAOT publish gets x86-64-v3 unless told otherwise.
            Assert.Equal("x86-64-v3", Property(consumer, "IlcInstructionSet", "-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64"));
            Assert.Equal("native", Property(consumer, "IlcInstructionSet", "-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64", "-p:IlcInstructionSet=native"));
            Assert.Equal("", Property(consumer, "IlcInstructionSet", "-p:PublishAot=true", "-p:RuntimeIdentifier=linux-arm64"));
            Assert.Equal("", Property(consumer, "IlcInstructionSet", "-p:RuntimeIdentifier=linux-x64"));
        }

        private void WriteConsumer(TempDirectory consumer)
        {
            string machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            // The local feed besides the machine's own sources (inherited from the user's NuGet.Config); packages
            // restore into a fresh folder, reading what the machine already has through a fallback folder.
            File.WriteAllText(consumer.Combine("nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="netgen-test-feed" value="{feed.Folder}" />
                  </packageSources>
                  <fallbackPackageFolders>
                    <add key="machine" value="{machinePackages}" />
                  </fallbackPackageFolders>
                </configuration>
                """);
            File.WriteAllText(consumer.Combine("Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>disable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="NetGen" Version="{feed.Version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(consumer.Combine("Program.cs"), """
                using System;
                using System.Globalization;
                using NetGen;

                // XOR: four samples, two classes. XorNet's constructor, TrainStep, Forward and constants are generated.
                float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
                int[] labels = [0, 1, 1, 0];
                var model = new XorNet(seed: 7);
                var optimizer = new Adam(0.05f);
                float first = model.TrainStep(inputs, labels, 4, optimizer), last = first;
                for (int step = 1; step < 300; step++)
                {
                    last = model.TrainStep(inputs, labels, 4, optimizer);
                }
                var probabilities = new float[4 * XorNet.OutputSize];
                model.Forward(inputs, probabilities, 4);

                Console.WriteLine($"parameters {XorNet.ParameterCount}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss {first:F4} {last:F4}"));
                for (int i = 0; i < 4; i++)
                {
                    Console.WriteLine($"predicted {(probabilities[2 * i + 1] > probabilities[2 * i] ? 1 : 0)}");
                }
                Console.WriteLine(ExecutionInfo.Describe());

                [Network(Loss.CrossEntropy)]
                [Input(2)]
                [Dense(8, Activation.Tanh)]
                [Dense(2, Activation.Softmax)]
                public partial class XorNet;
                """);
        }

        private static string Property(TempDirectory project, string name, params string[] properties)
        {
            CommandResult result = Command.RunDotNet(project.Path, new Dictionary<string, string> { ["NUGET_PACKAGES"] = project.Combine("packages") },
                ["msbuild", "Consumer.csproj", "-getProperty:" + name, .. properties]).EnsureSuccess();
            return result.Output.Trim();
        }

        private static string[] Entries(string package)
        {
            using ZipArchive zip = ZipFile.OpenRead(package);
            return zip.Entries.Select(e => e.FullName).ToArray();
        }

        private static XElement Metadata(string package)
        {
            using ZipArchive zip = ZipFile.OpenRead(package);
            ZipArchiveEntry nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using Stream stream = nuspec.Open();
            return XDocument.Load(stream).Root!.Element(Nuspec + "metadata")!;
        }

        private static (string Id, string Version, string Include)[] Dependencies(XElement metadata) =>
            metadata.Descendants(Nuspec + "dependency")
                .Select(d => ((string?)d.Attribute("id") ?? "", (string?)d.Attribute("version") ?? "", (string?)d.Attribute("include") ?? ""))
                .ToArray();
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace NetGen.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Compiles user sources plus generated files strictly (nullable, every warning wave, warnings as
    /// errors, documentation comments checked), emits to memory and loads the result into a collectible
    /// load context so the generated network can be instantiated and run.
    /// </summary>
    internal static class NetworkRunner
    {
        /// <summary>The compilation of <paramref name="userSource"/> and <paramref name="generated"/>, strict.</summary>
        public static CSharpCompilation StrictCompilation(string userSource, IEnumerable<GeneratedFile> generated) =>
            CSharpCompilation.Create("NetGenGolden" + Guid.NewGuid().ToString("N"),
                new[] { CSharpSyntaxTree.ParseText(userSource, References.StrictParseOptions, "/src/User.cs") }
                    .Concat(generated.Select(f => CSharpSyntaxTree.ParseText(f.Text, References.StrictParseOptions, "/generated/" + f.HintName))),
                References.All,
                References.StrictOptions);

        /// <summary>Asserts the strict compilation has no diagnostic of warning or error severity (hidden and info are not reported by builds).</summary>
        public static void AssertCompilesClean(CSharpCompilation compilation)
        {
            Diagnostic[] reported = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).ToArray();
            Assert.True(reported.Length == 0, "The generated code does not compile cleanly with warnings as errors:" + Environment.NewLine + GeneratorRun.Describe(reported));
        }

        /// <summary>Emits <paramref name="compilation"/>, loads it collectibly and runs <paramref name="use"/> on it.</summary>
        public static void WithLoadedAssembly(CSharpCompilation compilation, Action<Assembly> use)
        {
            using var image = new MemoryStream();
            EmitResult emitted = compilation.Emit(image);
            Assert.True(emitted.Success, "Emit failed:" + Environment.NewLine + GeneratorRun.Describe(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            image.Position = 0;
            // Default resolution falls back to the default context, so NetGen.Runtime (and its INetwork)
            // is the very assembly this test references: the network can be used through the interface.
            var context = new AssemblyLoadContext("NetGenGolden", isCollectible: true);
            try
            {
                use(context.LoadFromStream(image));
            }
            finally
            {
                context.Unload();
            }
        }

        /// <summary>
        /// Creates <paramref name="typeName"/> with a seed, runs one TrainStep and one Forward on a small
        /// random batch and checks sizes and finiteness; returns the network for further checks.
        /// </summary>
        public static INetwork TrainOnceAndForward(Assembly assembly, string typeName, int batchSize = 3)
        {
            Type type = assembly.GetType(typeName, throwOnError: false)
                ?? throw new Xunit.Sdk.XunitException($"The emitted assembly has no type {typeName}; it has: {string.Join(", ", assembly.GetTypes().Select(t => t.FullName))}.");
            ConstructorInfo constructor = type.GetConstructor(new[] { typeof(int) })
                ?? throw new Xunit.Sdk.XunitException($"{typeName} has no constructor (int seed).");
            var network = (INetwork)constructor.Invoke(new object[] { 42 });
            var twin = (INetwork)constructor.Invoke(new object[] { 42 });
            Assert.True(network.Parameters.SequenceEqual(twin.Parameters), "The same seed must give the same parameters.");
            Assert.Equal(network.ParameterCount, network.Parameters.Length);
            Assert.Equal(network.ParameterCount, network.Gradients.Length);
            Assert.Equal(network.InputShape.Aggregate(1, (a, b) => a * b), network.InputSize);

            var rng = new Random(7);
            float[] inputs = Enumerable.Range(0, batchSize * network.InputSize).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            float[] before = network.Parameters.ToArray();
            var optimizer = new Sgd(0.01f);
            float[] outputs = new float[batchSize * network.OutputSize];
            Array.Fill(outputs, float.NaN);
            float loss;
            switch (network)
            {
                case INetwork<int> classifier:
                    Assert.Equal(Loss.CrossEntropy, network.Loss);
                    Assert.Equal(1, classifier.TargetSize);
                    int[] labels = Enumerable.Range(0, batchSize).Select(i => i % network.OutputSize).ToArray();
                    loss = classifier.TrainStep(inputs, labels, batchSize, optimizer);
                    classifier.Forward(inputs, outputs, batchSize);
                    break;
                case INetwork<float> regressor:
                    Assert.NotEqual(Loss.CrossEntropy, network.Loss);
                    Assert.Equal(network.OutputSize, regressor.TargetSize);
                    float[] targets = Enumerable.Range(0, batchSize * network.OutputSize).Select(_ => (float)rng.NextDouble()).ToArray();
                    loss = regressor.TrainStep(inputs, targets, batchSize, optimizer);
                    regressor.Forward(inputs, outputs, batchSize);
                    break;
                case INetwork<int, int> tokens:
                    // Token ids in, a class per sample or per step out.
                    Assert.Equal(Loss.CrossEntropy, network.Loss);
                    int vocabulary = (int)type.GetField("VocabularySize")!.GetValue(null)!;
                    int[] ids = Enumerable.Range(0, batchSize * network.InputSize).Select(_ => rng.Next(vocabulary)).ToArray();
                    int classes = network.OutputSize / tokens.TargetSize;
                    int[] stepLabels = Enumerable.Range(0, batchSize * tokens.TargetSize).Select(_ => rng.Next(classes)).ToArray();
                    loss = tokens.TrainStep(ids, stepLabels, batchSize, optimizer);
                    tokens.Forward(ids, outputs, batchSize);
                    break;
                default:
                    throw new Xunit.Sdk.XunitException($"{typeName} implements neither INetwork<int>, INetwork<float> nor INetwork<int, int>.");
            }
            Assert.True(float.IsFinite(loss) && loss >= 0, $"TrainStep returned loss {loss}.");
            Assert.True(network.Gradients.ToArray().All(float.IsFinite), "A gradient is not finite.");
            Assert.True(network.Parameters.ToArray().All(float.IsFinite), "A parameter is not finite after the step.");
            Assert.False(network.Parameters.SequenceEqual(before), "TrainStep did not change any parameter.");

            Assert.Equal(batchSize * network.OutputSize, outputs.Length);
            Assert.True(outputs.All(float.IsFinite), "Forward wrote a value that is not finite: " + string.Join(", ", outputs));
            return network;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Tests.Infrastructure
{
    /// <summary>
    /// What every in-memory compilation of the suite compiles against, built once: the trusted platform
    /// assemblies of the test host, the NetGen runtime and attributes, and System.Numerics.Tensors.
    /// </summary>
    internal static class References
    {
        private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Create);

        public static ImmutableArray<MetadataReference> All => s_all.Value;

        /// <summary>The language version the repository compiles with (LangVersion=latest).</summary>
        public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

        /// <summary>As <see cref="ParseOptions"/>, with documentation comments checked (GenerateDocumentationFile).</summary>
        public static CSharpParseOptions StrictParseOptions { get; } = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

        /// <summary>A library with nullable annotations on: what the diagnostic and robustness tests compile with.</summary>
        public static CSharpCompilationOptions Options { get; } =
            new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

        /// <summary>
        /// A library with nullable annotations on, every warning wave enabled and every warning an error,
        /// as in a project with TreatWarningsAsErrors and GenerateDocumentationFile.
        /// </summary>
        public static CSharpCompilationOptions StrictOptions { get; } =
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable,
                    warningLevel: 9999,
                    generalDiagnosticOption: ReportDiagnostic.Error,
                    optimizationLevel: OptimizationLevel.Release)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    // Assembly-version unification across the host's assemblies is the SDK's concern (it
                    // silences these two by default); nothing in NetGen's output can cause them.
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                });

        private static ImmutableArray<MetadataReference> Create()
        {
            var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
                ?? throw new InvalidOperationException("The host gave no TRUSTED_PLATFORM_ASSEMBLIES.");
            foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                paths.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }
            // The three NetGen-facing assemblies by type, whatever the host listed.
            foreach (Type type in new[] { typeof(NetGen.INetwork), typeof(NetGen.NetworkAttribute), typeof(System.Numerics.Tensors.TensorPrimitives) })
            {
                string location = type.Assembly.Location;
                paths[Path.GetFileNameWithoutExtension(location)] = location;
            }
            return paths.Values
                .Where(p => !Path.GetFileName(p).StartsWith("NetGen.Generator", StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToImmutableArray();
        }
    }
}

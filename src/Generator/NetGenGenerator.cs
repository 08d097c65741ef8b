using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Layers;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Shapes;

namespace NetGen.Generator
{
    /// <summary>
    /// The pipeline, and only the pipeline: find classes with [Network], parse and check them into a
    /// cacheable <see cref="NetworkSpec"/> plus located diagnostics, then emit one file per network.
    /// Diagnostics travel apart from the spec so a moved line re-reports them without re-emitting.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetGenGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline's steps, for the incrementality tests.</summary>
        public static class Steps
        {
            public const string Networks = "NetGen.Networks";
            public const string Specs = "NetGen.Specs";
            public const string Diagnostics = "NetGen.Diagnostics";
            public const string Named = "NetGen.Named";
        }

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<NetworkResult> networks = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    NetworkParser.NetworkAttributeFullName,
                    static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                    static (syntax, cancellationToken) => Analyze(syntax, cancellationToken))
                .WithTrackingName(Steps.Networks);

            IncrementalValuesProvider<NetworkSpec> specs = networks
                .Where(static r => r.Spec is not null)
                .Select(static (r, _) => r.Spec!)
                .WithTrackingName(Steps.Specs);

            IncrementalValuesProvider<EquatableArray<Diagnostic>> diagnostics = networks
                .Select(static (r, _) => r.Diagnostics)
                .WithTrackingName(Steps.Diagnostics);

            // Roslyn compares hint names ignoring case, so Demo.Net and Demo.NET need telling apart.
            IncrementalValueProvider<EquatableArray<string>> hintNames = specs
                .Select(static (spec, _) => spec.HintName)
                .Collect()
                .Select(static (names, _) => new EquatableArray<string>(names.ToArray()));

            // Each spec with its final hint name: adding or renaming another network reruns this step,
            // but a network whose spec and name are unchanged is not emitted again.
            IncrementalValuesProvider<NamedSpec> named = specs
                .Combine(hintNames)
                .Select(static (pair, _) => new NamedSpec(pair.Left, HintNames.Unique(pair.Left.HintName, pair.Right)))
                .WithTrackingName(Steps.Named);

            context.RegisterSourceOutput(named, static (output, network) => EmitSource(output, network.Spec, network.HintName));
            context.RegisterSourceOutput(diagnostics, static (output, list) =>
            {
                foreach (Diagnostic diagnostic in list)
                {
                    output.ReportDiagnostic(diagnostic);
                }
            });
        }

        private static NetworkResult Analyze(GeneratorAttributeSyntaxContext syntax, System.Threading.CancellationToken cancellationToken)
        {
            var diagnostics = new List<Diagnostic>();
            NetworkSpec? spec = null;
            try
            {
                NetworkDeclaration? declaration = NetworkParser.Parse(syntax, diagnostics, cancellationToken);
                if (declaration is not null)
                {
                    spec = NetworkChecker.Check(declaration, diagnostics);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The generator must never throw: an IDE feeds it half-typed code on every keystroke.
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, syntax.TargetNode.GetLocation(),
                    syntax.TargetSymbol.Name, e.GetType().Name + ": " + e.Message));
                spec = null;
            }
            return new NetworkResult(spec, new EquatableArray<Diagnostic>(diagnostics));
        }

        private static void EmitSource(SourceProductionContext output, NetworkSpec spec, string hintName)
        {
            try
            {
                string source = NetworkEmitter.Emit(spec);
                output.AddSource(hintName, SourceText.From(source, Encoding.UTF8));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None,
                    spec.DisplayName, e.GetType().Name + ": " + e.Message));
            }
        }
    }

    /// <summary>What the parse-and-check step yields for one class: a spec to emit (null on error) and its diagnostics.</summary>
    internal sealed record NetworkResult(NetworkSpec? Spec, EquatableArray<Diagnostic> Diagnostics);

    /// <summary>A spec with the hint name its file gets (made unique among the compilation's networks).</summary>
    internal sealed record NamedSpec(NetworkSpec Spec, string HintName);
}

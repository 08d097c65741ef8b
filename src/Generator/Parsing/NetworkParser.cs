using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetGen.Generator.Parsing
{
    /// <summary>
    /// Reads a class carrying [Network] into a <see cref="NetworkDeclaration"/>: checks the class
    /// itself (partial, not nested, not generic, …) and collects its NetGen attributes in source
    /// order with their argument values and locations. Attributes the compiler could not bind
    /// (missing or mistyped arguments) make it return null and say nothing: the compiler already
    /// reports them.
    /// </summary>
    internal static class NetworkParser
    {
        public const string NetworkAttributeFullName = "NetGen.NetworkAttribute";

        /// <summary>The attributes NetGen reads, by class name, mapped to the kind the checker knows them by: the inputs and every layer kind.</summary>
        private static readonly Dictionary<string, string> LayerKinds = new[] { "Input", "TokenInput" }
            .Concat(Layers.LayerKinds.All.Select(k => k.Attribute))
            .ToDictionary(kind => kind + "Attribute");

        private static readonly SymbolDisplayFormat EscapedName = new(
            globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

        private static readonly SymbolDisplayFormat PlainName = new(
            globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces);

        public static NetworkDeclaration? Parse(GeneratorAttributeSyntaxContext context, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
            {
                return null;
            }

            // A type with [Network] on two partial declarations is the compiler's error (CS0579);
            // only the first of them generates, so the output has one file per type.
            AttributeData? network = type.GetAttributes()
                .Where(a => IsNetGenAttribute(a.AttributeClass, "NetworkAttribute"))
                .OrderBy(a => SourceOrder(a, type))
                .FirstOrDefault();
            if (network?.ApplicationSyntaxReference is not { } networkReference || !IsOn(declaration, networkReference))
            {
                return null;
            }

            Location classLocation = declaration.Identifier.GetLocation();
            if (!CheckClass(type, declaration, classLocation, diagnostics))
            {
                return null;
            }

            LayerAttribute? networkAttribute = Read(network, "Network", cancellationToken);
            if (networkAttribute is null)
            {
                return null;
            }

            var attributes = new List<LayerAttribute>();
            bool unbound = false;
            foreach (AttributeData data in type.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!TryGetLayerKind(data.AttributeClass, out string kind) || data.ApplicationSyntaxReference is not { } reference)
                {
                    continue;
                }
                if (!IsOn(declaration, reference))
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SplitAcrossPartials,
                        reference.GetSyntax(cancellationToken).GetLocation(), kind, type.Name));
                    continue;
                }
                LayerAttribute? attribute = Read(data, kind, cancellationToken);
                if (attribute is null)
                {
                    unbound = true;
                    continue;
                }
                attributes.Add(attribute);
            }
            if (unbound)
            {
                return null;
            }
            attributes.Sort((a, b) => a.Location.SourceSpan.Start.CompareTo(b.Location.SourceSpan.Start));

            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString(EscapedName) : null;
            // Hint names use the plain (unescaped) names: '@' is not allowed in them.
            string plainName = ns is null ? type.Name : type.ContainingNamespace!.ToDisplayString(PlainName) + "." + type.Name;
            return new NetworkDeclaration(ns, type.ToDisplayString(EscapedName).Split('.').Last(), type.Name, plainName + ".g.cs",
                classLocation, networkAttribute, attributes);
        }

        private static bool CheckClass(INamedTypeSymbol type, TypeDeclarationSyntax declaration, Location classLocation, List<Diagnostic> diagnostics)
        {
            if (declaration is StructDeclarationSyntax or InterfaceDeclarationSyntax
                || declaration is RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: (int)SyntaxKind.StructKeyword })
            {
                return false; // [Network] targets classes only: the compiler reports CS0592
            }
            if (declaration is RecordDeclarationSyntax)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotAClass, classLocation, type.Name));
                return false;
            }
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotPartial, classLocation, type.Name));
                return false;
            }
            if (type.IsFileLocal)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.FileLocal, classLocation, type.Name));
                return false;
            }
            if (type.ContainingType is not null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.Nested, classLocation, type.Name, type.ContainingType.Name));
                return false;
            }
            if (type.TypeParameters.Length > 0)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.Generic, classLocation, type.Name));
                return false;
            }
            if (type.IsStatic || type.IsAbstract)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.StaticOrAbstract, classLocation, type.Name,
                    type.IsStatic ? "static" : "abstract"));
                return false;
            }
            if (type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax { ParameterList: not null }))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ConstructorConflict, classLocation, type.Name, "has a primary constructor"));
                return false;
            }
            if (type.InstanceConstructors.FirstOrDefault(c => !c.IsImplicitlyDeclared && c.Parameters.Length == 1
                    && c.Parameters[0].Type.SpecialType == SpecialType.System_Int32) is { } clash)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ConstructorConflict, clash.Locations.FirstOrDefault() ?? classLocation,
                    type.Name, "declares a constructor taking one int"));
                return false;
            }
            return true;
        }

        /// <summary>
        /// The attribute's arguments by parameter or property name, each with its syntax location, or
        /// null if the compiler could not bind the attribute.
        /// </summary>
        private static LayerAttribute? Read(AttributeData data, string kind, CancellationToken cancellationToken)
        {
            IMethodSymbol? constructor = data.AttributeConstructor;
            if (constructor is null
                || data.ConstructorArguments.Length != constructor.Parameters.Length
                || data.ConstructorArguments.Any(HasError)
                || data.NamedArguments.Any(a => HasError(a.Value)))
            {
                return null;
            }
            var syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            Location attributeLocation = syntax?.GetLocation() ?? Location.None;
            SeparatedSyntaxList<AttributeArgumentSyntax> written = syntax?.ArgumentList?.Arguments ?? default;
            List<AttributeArgumentSyntax> constructorSyntax = written.TakeWhile(a => a.NameEquals is null).ToList();

            var arguments = new Dictionary<string, Argument>();
            ImmutableArray<IParameterSymbol> parameters = constructor.Parameters;
            for (int p = 0; p < parameters.Length; p++)
            {
                IParameterSymbol parameter = parameters[p];
                TypedConstant value = data.ConstructorArguments[p];
                // The syntax for this parameter: named (`units: 10`) or at its position; for a params
                // array, every positional argument from its position on.
                var mine = new List<AttributeArgumentSyntax>();
                for (int i = 0; i < constructorSyntax.Count; i++)
                {
                    AttributeArgumentSyntax a = constructorSyntax[i];
                    bool matches = a.NameColon is { } named
                        ? named.Name.Identifier.ValueText == parameter.Name
                        : i == p || (parameter.IsParams && i > p);
                    if (matches)
                    {
                        mine.Add(a);
                    }
                }
                Location location = mine.Count > 0 ? mine[0].GetLocation() : attributeLocation;
                arguments[parameter.Name] = value.Kind == TypedConstantKind.Array
                    ? new Argument(null, value.IsNull ? ImmutableArray<object?>.Empty : value.Values.Select(v => v.Value).ToImmutableArray(), location,
                        !value.IsNull && mine.Count == value.Values.Length ? mine.Select(a => a.GetLocation()).ToImmutableArray() : ImmutableArray<Location>.Empty,
                        isExplicit: mine.Count > 0)
                    : new Argument(value.Value, ImmutableArray<object?>.Empty, location, ImmutableArray<Location>.Empty, isExplicit: mine.Count > 0);
            }
            foreach (KeyValuePair<string, TypedConstant> named in data.NamedArguments)
            {
                AttributeArgumentSyntax? a = written.FirstOrDefault(s => s.NameEquals?.Name.Identifier.ValueText == named.Key);
                arguments[named.Key] = new Argument(named.Value.Kind == TypedConstantKind.Array ? null : named.Value.Value,
                    ImmutableArray<object?>.Empty, a?.GetLocation() ?? attributeLocation, ImmutableArray<Location>.Empty, isExplicit: true);
            }
            return new LayerAttribute(kind, attributeLocation, arguments);
        }

        private static bool HasError(TypedConstant constant) =>
            constant.Kind == TypedConstantKind.Error
            || (constant.Kind == TypedConstantKind.Array && !constant.IsNull && constant.Values.Any(HasError));

        private static bool TryGetLayerKind(INamedTypeSymbol? attributeClass, out string kind)
        {
            kind = "";
            return attributeClass is not null
                && IsNetGenNamespace(attributeClass)
                && LayerKinds.TryGetValue(attributeClass.Name, out kind!);
        }

        private static bool IsNetGenAttribute(INamedTypeSymbol? attributeClass, string name) =>
            attributeClass is not null && attributeClass.Name == name && IsNetGenNamespace(attributeClass);

        private static bool IsNetGenNamespace(INamedTypeSymbol type) =>
            type.ContainingType is null
            && type.ContainingNamespace is { Name: "NetGen" } ns
            && ns.ContainingNamespace is { IsGlobalNamespace: true };

        /// <summary>Whether an attribute is written in this declaration's own attribute lists.</summary>
        private static bool IsOn(TypeDeclarationSyntax declaration, SyntaxReference reference) =>
            reference.SyntaxTree == declaration.SyntaxTree
            && declaration.AttributeLists.Any(list => list.FullSpan.Contains(reference.Span));

        private static (int, int) SourceOrder(AttributeData attribute, INamedTypeSymbol type)
        {
            SyntaxReference? reference = attribute.ApplicationSyntaxReference;
            if (reference is null)
            {
                return (int.MaxValue, 0);
            }
            int tree = type.DeclaringSyntaxReferences.Select(r => r.SyntaxTree).ToList().IndexOf(reference.SyntaxTree);
            return (tree < 0 ? int.MaxValue : tree, reference.Span.Start);
        }
    }
}

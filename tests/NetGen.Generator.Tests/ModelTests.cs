using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Model;

namespace NetGen.Generator.Tests
{
    /// <summary>
    /// The cached model holds values only, and the generator's mirror enums match the public ones.
    /// </summary>
    public class ModelTests
    {
        /// <summary>Roslyn types that pin a compilation (or a tree) in memory and defeat caching.</summary>
        private static readonly Type[] Forbidden =
        {
            typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel), typeof(Compilation),
            typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(SyntaxReference), typeof(AttributeData), typeof(TypedConstant), typeof(Diagnostic),
        };

        private static readonly Assembly GeneratorAssembly = typeof(NetGenGenerator).Assembly;

        /// <summary>Every problem found walking the type graph from <paramref name="root"/>, and every type visited.</summary>
        private static (List<string> Problems, HashSet<Type> Visited) Walk(Type root)
        {
            var problems = new List<string>();
            var visited = new HashSet<Type>();
            var queue = new Queue<(Type Type, string Path)>();
            queue.Enqueue((root, root.Name));
            while (queue.Count > 0)
            {
                (Type type, string path) = queue.Dequeue();
                if (type.IsByRef || type.IsPointer)
                {
                    type = type.GetElementType()!;
                }
                if (!visited.Add(type))
                {
                    continue;
                }
                if (type == typeof(object) || type.FullName == "System.Dynamic.IDynamicMetaObjectProvider")
                {
                    problems.Add($"{path}: {type.Name} can hold anything, including a symbol or a syntax node.");
                    continue;
                }
                Type? forbidden = Forbidden.FirstOrDefault(f => f.IsAssignableFrom(type) || (type.IsInterface && type.IsAssignableFrom(f)));
                if (forbidden is not null)
                {
                    problems.Add($"{path}: {type.FullName} is or can hold a {forbidden.Name}.");
                    continue;
                }
                if (type.IsArray)
                {
                    queue.Enqueue((type.GetElementType()!, path + "[]"));
                    continue;
                }
                if (type.IsGenericType)
                {
                    foreach (Type argument in type.GetGenericArguments())
                    {
                        queue.Enqueue((argument, $"{path}<{argument.Name}>"));
                    }
                }
                if (type.Assembly != GeneratorAssembly)
                {
                    continue; // BCL types (string, int, enums of the BCL): their generic arguments were walked above.
                }
                // Every instance field (including compiler-generated backing fields) and property, up the base chain.
                for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
                {
                    foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        queue.Enqueue((field.FieldType, $"{path}.{field.Name}"));
                    }
                    foreach (PropertyInfo property in t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        queue.Enqueue((property.PropertyType, $"{path}.{property.Name}"));
                    }
                }
                // Abstract or open records: every derived type in the generator (each layer kind).
                if (!type.IsSealed && !type.IsValueType)
                {
                    foreach (Type derived in GeneratorAssembly.GetTypes().Where(d => d != type && type.IsAssignableFrom(d)))
                    {
                        queue.Enqueue((derived, $"{path} as {derived.Name}"));
                    }
                }
            }
            return (problems, visited);
        }

        [Fact]
        public void NetworkSpec_holds_no_symbol_syntax_location_or_compilation()
        {
            (List<string> problems, HashSet<Type> visited) = Walk(typeof(NetworkSpec));
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

            // The walk reached every part of the model, so the check above means something.
            Type[] expected = { typeof(LayerSpec), typeof(DenseSpec), typeof(FlattenSpec), typeof(TensorType), typeof(ParameterSpec),
                typeof(EquatableArray<LayerSpec>), typeof(EquatableArray<ParameterSpec>), typeof(EquatableArray<int>),
                typeof(LossKind), typeof(ActivationKind), typeof(InitializerKind) };
            Assert.All(expected, t => Assert.True(visited.Contains(t), $"The walk never reached {t.Name}."));
            Type[] layerKinds = GeneratorAssembly.GetTypes().Where(t => typeof(LayerSpec).IsAssignableFrom(t) && !t.IsAbstract).ToArray();
            Assert.All(layerKinds, t => Assert.Contains(t, visited));
        }

        [Fact]
        public void Walk_finds_a_location_where_there_is_one()
        {
            // NetworkResult carries located diagnostics on purpose (they travel apart from the spec).
            (List<string> problems, _) = Walk(typeof(NetworkResult));
            Assert.Contains(problems, p => p.Contains("Diagnostic", StringComparison.Ordinal));
        }

        [Fact]
        public void Model_types_compare_by_value()
        {
            (_, HashSet<Type> visited) = Walk(typeof(NetworkSpec));
            foreach (Type type in visited.Where(t => t.Assembly == GeneratorAssembly && !t.IsEnum && !t.IsArray))
            {
                Type equatable = typeof(IEquatable<>).MakeGenericType(type);
                Assert.True(equatable.IsAssignableFrom(type), $"{type.Name} does not implement IEquatable<{type.Name}>.");
                Assert.True(type.IsSealed || type.IsAbstract || type.IsValueType, $"{type.Name} is neither sealed nor abstract.");
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
                {
                    continue; // The one place an array may live: compared element by element.
                }
                for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
                {
                    foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        bool collection = field.FieldType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(field.FieldType)
                            && !(field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() == typeof(EquatableArray<>));
                        Assert.False(collection, $"{type.Name}.{field.Name} is a {field.FieldType.Name}, compared by reference; use EquatableArray<T>.");
                    }
                }
            }
        }

        [Fact]
        public void EquatableArray_compares_elements()
        {
            var a = new EquatableArray<int>(new[] { 1, 2, 3 });
            var b = new EquatableArray<int>(new List<int> { 1, 2, 3 });
            Assert.True(a == b);
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
            Assert.False(a == new EquatableArray<int>(new[] { 1, 2, 4 }));
            Assert.False(a == new EquatableArray<int>(new[] { 1, 2 }));
            Assert.True(default(EquatableArray<int>) == EquatableArray<int>.Empty);
            Assert.Empty(default(EquatableArray<int>));
        }

        public static TheoryData<Type, Type> MirrorEnums => new()
        {
            { typeof(LossKind), typeof(Loss) },
            { typeof(ActivationKind), typeof(Activation) },
            { typeof(InitializerKind), typeof(Initializer) },
        };

        [Theory]
        [MemberData(nameof(MirrorEnums))]
        public void Mirror_enum_matches_the_public_enum(Type mirror, Type publicEnum)
        {
            static IEnumerable<(string Name, long Value)> Members(Type e) =>
                Enum.GetNames(e)
                    .Select(n => (Name: n, Value: Convert.ToInt64(Enum.Parse(e, n), System.Globalization.CultureInfo.InvariantCulture)))
                    .OrderBy(m => m.Value).ThenBy(m => m.Name, StringComparer.Ordinal);

            Assert.Equal(Members(publicEnum), Members(mirror));
            Assert.Equal(Enum.GetUnderlyingType(publicEnum), Enum.GetUnderlyingType(mirror));
        }
    }
}

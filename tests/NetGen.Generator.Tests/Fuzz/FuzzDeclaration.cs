using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;

namespace NetGen.Generator.Tests.Fuzz
{
    /// <summary>
    /// One attribute of a fuzzed declaration as written in source: <c>[Kind]</c> or <c>[Kind(arguments)]</c>,
    /// each argument a piece of C# (<c>3</c>, <c>int.MaxValue</c>, <c>Activation.ReLU</c>, <c>Stride = 2</c>).
    /// </summary>
    internal sealed record FuzzAttribute(string Kind, ImmutableArray<string> Arguments, bool Parentheses)
    {
        public static FuzzAttribute Of(string kind, params string[] arguments) => new(kind, arguments.ToImmutableArray(), arguments.Length > 0);

        public override string ToString() =>
            Parentheses || Arguments.Length > 0 ? $"[{Kind}({string.Join(", ", Arguments)})]" : $"[{Kind}]";

        public bool Equals(FuzzAttribute? other) =>
            other is not null && Kind == other.Kind && Parentheses == other.Parentheses && Arguments.SequenceEqual(other.Arguments);

        public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>
    /// A fuzzed network declaration: attributes in source order on a <c>partial</c> class. It may be
    /// anything from a well-formed network to layers in a random order with absurd sizes, a missing or
    /// doubled [Input] or [Network]; every one must be handled by the generator without an exception.
    /// </summary>
    internal sealed record FuzzDeclaration(ImmutableArray<FuzzAttribute> Attributes)
    {
        public const string Namespace = "Fuzz";

        /// <summary>The declaration as a class named <paramref name="className"/>, with a doc comment so strict compilation accepts it.</summary>
        public string ClassSource(string className)
        {
            var text = new StringBuilder();
            text.Append("/// <summary>A fuzzed network.</summary>\n");
            foreach (FuzzAttribute attribute in Attributes)
            {
                text.Append(attribute).Append('\n');
            }
            return text.Append("public partial class ").Append(className).Append(";\n").ToString();
        }

        /// <summary>A whole compilation unit holding just this declaration, as class <c>Net</c>: what a failure prints.</summary>
        public string Source() => FileHeader + ClassSource("Net");

        /// <summary>
        /// A declaration from attribute lines such as <c>[Dense(3, Activation.ReLU)]</c>, one per line; arguments
        /// are split at top-level commas (no nested calls or string literals with commas).
        /// </summary>
        public static FuzzDeclaration Parse(string lines) =>
            new(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line =>
            {
                string inner = line.Substring(1, line.Length - 2);
                int open = inner.IndexOf('(', StringComparison.Ordinal);
                return open < 0
                    ? FuzzAttribute.Of(inner)
                    : new FuzzAttribute(inner.Substring(0, open),
                        inner.Substring(open + 1, inner.Length - open - 2).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray(),
                        true);
            }).ToImmutableArray());

        public const string FileHeader = "using NetGen;\n\nnamespace " + Namespace + ";\n\n";

        /// <summary>Smaller variants, simplest first: one attribute dropped, one argument dropped, one number made 1.</summary>
        public IEnumerable<FuzzDeclaration> Shrinks()
        {
            for (int i = 0; i < Attributes.Length; i++)
            {
                yield return new FuzzDeclaration(Attributes.RemoveAt(i));
            }
            for (int i = 0; i < Attributes.Length; i++)
            {
                FuzzAttribute attribute = Attributes[i];
                for (int a = attribute.Arguments.Length - 1; a >= 0; a--)
                {
                    yield return new FuzzDeclaration(Attributes.SetItem(i, attribute with { Arguments = attribute.Arguments.RemoveAt(a) }));
                }
            }
            for (int i = 0; i < Attributes.Length; i++)
            {
                FuzzAttribute attribute = Attributes[i];
                for (int a = 0; a < attribute.Arguments.Length; a++)
                {
                    string argument = attribute.Arguments[a];
                    string? simpler = SimplerNumber(argument);
                    if (simpler is not null)
                    {
                        yield return new FuzzDeclaration(Attributes.SetItem(i, attribute with { Arguments = attribute.Arguments.SetItem(a, simpler) }));
                    }
                }
            }
        }

        public bool Equals(FuzzDeclaration? other) => other is not null && Attributes.SequenceEqual(other.Attributes);

        public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

        public override string ToString() => string.Join(" ", Attributes);

        /// <summary>"Stride = 7" → "Stride = 1", "int.MaxValue" → "1"; null when there is nothing simpler.</summary>
        private static string? SimplerNumber(string argument)
        {
            int equals = argument.IndexOf(" = ", StringComparison.Ordinal);
            string prefix = equals < 0 ? "" : argument.Substring(0, equals + 3);
            string value = equals < 0 ? argument : argument.Substring(equals + 3);
            bool isInteger = value is "int.MaxValue" or "int.MinValue" || int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _);
            return isInteger && value != "1" ? prefix + "1" : null;
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Text;
using NetGen.Generator.Layers;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Shapes
{
    /// <summary>
    /// Layer names and the C# identifiers derived from them. Unnamed layers get Keras-style names
    /// (<c>dense</c>, <c>dense_1</c>, …) that avoid every name the user chose.
    /// </summary>
    internal sealed class Naming
    {
        private readonly HashSet<string> _explicitNames;
        private readonly HashSet<string> _used = new();
        private readonly HashSet<string> _identifiers = new();
        private readonly Dictionary<string, int> _nextDefault = new();

        public Naming(IEnumerable<LayerAttribute> attributes) =>
            _explicitNames = new HashSet<string>(attributes.Select(a => a.String("Name")).Where(n => n is not null)!);

        public static bool IsValid(string name) =>
            name.Length > 0
            && (char.IsLetter(name[0]) || name[0] == '_')
            && name.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_'));

        /// <summary>Claims <paramref name="name"/>; false if an earlier layer has it.</summary>
        public bool TryClaim(string name) => _used.Add(name);

        /// <summary>The next free default name for a layer of <paramref name="kind"/>.</summary>
        public string NextDefault(string kind)
        {
            string stem = LayerKinds.ForAttribute(kind)?.DefaultName ?? kind.ToLowerInvariant();
            _nextDefault.TryGetValue(stem, out int n);
            while (true)
            {
                string candidate = n == 0 ? stem : stem + "_" + n;
                n++;
                if (!_explicitNames.Contains(candidate) && _used.Add(candidate))
                {
                    _nextDefault[stem] = n;
                    return candidate;
                }
            }
        }

        /// <summary>A unique PascalCase stem for the generated members of a layer: <c>dense_1</c> → <c>Dense1</c>.</summary>
        public string Identifier(string name, int index)
        {
            var pascal = new StringBuilder();
            foreach (string part in name.Split(new[] { '_' }, System.StringSplitOptions.RemoveEmptyEntries))
            {
                pascal.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
            }
            string stem = pascal.Length == 0 || char.IsDigit(pascal[0]) ? "Layer" + index : pascal.ToString();
            string identifier = stem;
            for (int k = 2; !_identifiers.Add(identifier); k++)
            {
                identifier = stem + "_" + k;
            }
            return identifier;
        }
    }
}

using System;

namespace NetGen.Generator.Emit
{
    /// <summary>File names for generated sources, which Roslyn requires to be unique ignoring case.</summary>
    internal static class HintNames
    {
        /// <summary>
        /// <paramref name="hintName"/> itself, unless another network's differs from it only in case;
        /// then a suffix derived from its exact spelling (stable across runs) tells them apart.
        /// </summary>
        public static string Unique(string hintName, Model.EquatableArray<string> all)
        {
            foreach (string other in all)
            {
                if (!string.Equals(other, hintName, StringComparison.Ordinal)
                    && string.Equals(other, hintName, StringComparison.OrdinalIgnoreCase))
                {
                    string stem = hintName.Substring(0, hintName.Length - ".g.cs".Length);
                    return $"{stem}.{Fnv1a(hintName):x8}.g.cs";
                }
            }
            return hintName;
        }

        private static uint Fnv1a(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = unchecked((hash ^ c) * 16777619);
            }
            return hash;
        }
    }
}

using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Shapes
{
    /// <summary>What every layer's rules share while the network is checked: the diagnostics so far and the names in use.</summary>
    internal sealed class CheckContext
    {
        private readonly List<Diagnostic> _diagnostics;

        public CheckContext(List<Diagnostic> diagnostics, Naming naming)
        {
            _diagnostics = diagnostics;
            Naming = naming;
        }

        public Naming Naming { get; }

        /// <summary>The vocabulary size of a [TokenInput] network (0 otherwise), for the rules of layers that read token ids.</summary>
        public int Vocabulary { get; set; }

        /// <summary>The layer checked just before the current one (null for the first, or when it failed its check).</summary>
        public Model.LayerSpec? Previous { get; set; }

        public bool HasErrors { get; private set; }

        public void Report(DiagnosticDescriptor descriptor, Location location, params object?[] args)
        {
            _diagnostics.Add(Diagnostic.Create(descriptor, location, args));
            HasErrors |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
        }

        /// <summary>A positive size argument, or null after reporting NG0010 (absent arguments give <paramref name="absent"/>).</summary>
        public int? PositiveInt(LayerAttribute attribute, string argument, string what, int? absent = null)
        {
            int? value = attribute[argument] is null ? absent : attribute.Int(argument);
            if (value is null)
            {
                return null;
            }
            if (value <= 0)
            {
                Report(DiagnosticDescriptors.NonPositiveSize, attribute.LocationOf(argument), what, value);
                return null;
            }
            return value;
        }

        /// <summary>An int argument that must satisfy <paramref name="valid"/>, or null after reporting NG0031.</summary>
        public int? CheckedInt(LayerAttribute attribute, string argument, string what, int absent, System.Func<int, bool> valid, string constraint)
        {
            int value = attribute[argument] is null ? absent : attribute.Int(argument) ?? absent;
            if (!valid(value))
            {
                Report(DiagnosticDescriptors.InvalidValue, attribute.LocationOf(argument), what, constraint, value);
                return null;
            }
            return value;
        }

        /// <summary>A float argument that must satisfy <paramref name="valid"/>, or null after reporting NG0031.</summary>
        public float? CheckedFloat(LayerAttribute attribute, string argument, string what, float absent, System.Func<float, bool> valid, string constraint)
        {
            float value = attribute[argument] is null ? absent : attribute.Float(argument) ?? absent;
            if (!valid(value))
            {
                Report(DiagnosticDescriptors.InvalidValue, attribute.LocationOf(argument), what, constraint,
                    value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                return null;
            }
            return value;
        }

        /// <summary>A normalization's <c>Epsilon</c> (1e-5 when absent): finite and above 0, or null after reporting NG0031.</summary>
        public float? Epsilon(LayerAttribute attribute, string name) =>
            CheckedFloat(attribute, "Epsilon", $"The epsilon of {attribute.Kind} '{name}'", 1e-5f, v => v > 0 && !float.IsInfinity(v), "above 0");

        /// <summary>A defined value of an enum argument, or null after reporting NG0011. Absent arguments give <paramref name="absent"/>.</summary>
        public TEnum? Enum<TEnum>(LayerAttribute attribute, string argument, string publicEnumName, TEnum absent)
            where TEnum : struct, Enum
        {
            Argument? a = attribute[argument];
            if (a is null)
            {
                return absent;
            }
            if (a.Value is int raw && System.Enum.IsDefined(typeof(TEnum), raw))
            {
                return (TEnum)(object)raw;
            }
            Report(DiagnosticDescriptors.UndefinedEnumValue, a.Location, a.Value ?? "null", publicEnumName);
            return null;
        }
    }
}

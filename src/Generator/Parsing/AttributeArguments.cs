using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Parsing
{
    /// <summary>One argument of an attribute as written, with where to point when it is wrong.</summary>
    internal sealed class Argument
    {
        public Argument(object? value, ImmutableArray<object?> elements, Location location, ImmutableArray<Location> elementLocations, bool isExplicit)
        {
            Value = value;
            Elements = elements;
            Location = location;
            ElementLocations = elementLocations;
            IsExplicit = isExplicit;
        }

        /// <summary>The constant (an int for enums), or null for arrays.</summary>
        public object? Value { get; }

        /// <summary>For array (params) arguments, the elements; otherwise empty.</summary>
        public ImmutableArray<object?> Elements { get; }

        /// <summary>The argument's syntax, or the attribute's when the value is a default.</summary>
        public Location Location { get; }

        /// <summary>For array arguments, each element's syntax where there is one.</summary>
        public ImmutableArray<Location> ElementLocations { get; }

        /// <summary>False when the value is a parameter's default, not written in source.</summary>
        public bool IsExplicit { get; }

        public Location ElementLocation(int index) =>
            index < ElementLocations.Length ? ElementLocations[index] : Location;
    }

    /// <summary>
    /// A NetGen attribute as written on the class: its kind (<c>Dense</c>, <c>Input</c>, …), where it
    /// is, and its arguments by constructor-parameter or property name. Transient: it holds
    /// locations, so it never enters the cached model.
    /// </summary>
    internal sealed class LayerAttribute
    {
        private readonly Dictionary<string, Argument> _arguments;

        public LayerAttribute(string kind, Location location, Dictionary<string, Argument> arguments)
        {
            Kind = kind;
            Location = location;
            _arguments = arguments;
        }

        public string Kind { get; }

        public Location Location { get; }

        public Argument? this[string name] => _arguments.TryGetValue(name, out Argument? a) ? a : null;

        /// <summary>The integer value of an int or enum argument, if it is one.</summary>
        public int? Int(string name) => this[name]?.Value is int i ? i : null;

        public string? String(string name) => this[name]?.Value as string;

        /// <summary>The value of a float argument, if it is one.</summary>
        public float? Float(string name) => this[name]?.Value is float f ? f : null;

        /// <summary>The value of a bool argument, if it is one.</summary>
        public bool? Bool(string name) => this[name]?.Value is bool b ? b : null;

        /// <summary>Where an argument is, or the attribute itself if it was not written.</summary>
        public Location LocationOf(string name) => this[name]?.Location ?? Location;
    }
}

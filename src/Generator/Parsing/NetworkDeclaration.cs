using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Parsing
{
    /// <summary>
    /// A network class as declared: names, the loss, and its NetGen attributes in source order, each
    /// with its locations. The shape checker turns it into a <see cref="Model.NetworkSpec"/>.
    /// </summary>
    internal sealed class NetworkDeclaration
    {
        public NetworkDeclaration(string? ns, string className, string displayName, string hintName, Location classLocation,
            LayerAttribute network, IReadOnlyList<LayerAttribute> attributes)
        {
            Namespace = ns;
            ClassName = className;
            DisplayName = displayName;
            HintName = hintName;
            ClassLocation = classLocation;
            Network = network;
            Attributes = attributes;
        }

        public string? Namespace { get; }

        /// <summary>The class name as C# needs it (<c>@class</c>).</summary>
        public string ClassName { get; }

        /// <summary>The class name as people read it (<c>class</c>).</summary>
        public string DisplayName { get; }

        public string HintName { get; }

        public Location ClassLocation { get; }

        /// <summary>The [Network] attribute (its <c>loss</c> argument).</summary>
        public LayerAttribute Network { get; }

        /// <summary>[Input] and the layer attributes, in source order.</summary>
        public IReadOnlyList<LayerAttribute> Attributes { get; }
    }
}

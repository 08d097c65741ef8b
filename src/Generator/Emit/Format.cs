using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit
{
    /// <summary>Invariant-culture text for numbers, shapes and formulas in generated code and comments.</summary>
    internal static class Format
    {
        public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A float as C# source: <c>0.25f</c>, round-tripping its exact value.</summary>
        public static string FloatLiteral(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

        /// <summary>A float for people: <c>0.25</c>.</summary>
        public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>100,480.</summary>
        public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        /// <summary>[128, 784] (a tensor without batch dimension).</summary>
        public static string Dims(EquatableArray<int> dims) => "[" + string.Join(", ", dims.Select(d => Int(d))) + "]";

        public static string CamelCase(string identifier) =>
            identifier.Length == 0 ? identifier : char.ToLowerInvariant(identifier[0]) + identifier.Substring(1);

        /// <summary>The activation as a function name in formulas: relu, sigmoid, …</summary>
        public static string FunctionName(ActivationKind activation) => activation switch
        {
            ActivationKind.ReLU => "relu",
            ActivationKind.LeakyReLU => "leaky_relu",
            ActivationKind.Sigmoid => "sigmoid",
            ActivationKind.Tanh => "tanh",
            ActivationKind.Softmax => "softmax",
            ActivationKind.Gelu => "gelu",
            _ => "",
        };
    }
}

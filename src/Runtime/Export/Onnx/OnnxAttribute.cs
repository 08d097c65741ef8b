namespace NetGen.Export.Onnx
{
    /// <summary>One attribute of a node (onnx.proto's <c>AttributeProto</c>): an integer, a float or a list of integers.</summary>
    internal sealed class OnnxAttribute
    {
        /// <summary>onnx.proto's <c>AttributeProto.AttributeType</c> values used here.</summary>
        private enum Kind
        {
            Float = 1,
            Int = 2,
            Ints = 7,
        }

        private readonly string _name;
        private readonly Kind _kind;
        private readonly long _integer;
        private readonly float _real;
        private readonly long[] _integers;

        private OnnxAttribute(string name, Kind kind, long integer, float real, long[] integers)
        {
            _name = name;
            _kind = kind;
            _integer = integer;
            _real = real;
            _integers = integers;
        }

        /// <summary>An integer attribute, e.g. <c>axis</c>.</summary>
        public static OnnxAttribute Int(string name, long value) => new(name, Kind.Int, value, 0, System.Array.Empty<long>());

        /// <summary>A float attribute, e.g. <c>epsilon</c>.</summary>
        public static OnnxAttribute Float(string name, float value) => new(name, Kind.Float, 0, value, System.Array.Empty<long>());

        /// <summary>A list of integers, e.g. <c>pads</c>.</summary>
        public static OnnxAttribute Ints(string name, params long[] values) => new(name, Kind.Ints, 0, 0, values);

        /// <summary>Writes the fields of the <c>AttributeProto</c>: name (1), the value (f 2, i 3 or ints 8), type (20).</summary>
        public void Write(ProtoWriter attribute)
        {
            attribute.String(1, _name);
            switch (_kind)
            {
                case Kind.Float:
                    attribute.Float(2, _real);
                    break;
                case Kind.Int:
                    attribute.Int(3, _integer);
                    break;
                default:
                    attribute.PackedInts(8, _integers);
                    break;
            }
            attribute.Int(20, (int)_kind);
        }
    }
}

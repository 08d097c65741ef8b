using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace NetGen.Export.Onnx
{
    /// <summary>ONNX tensor element types (onnx.proto's <c>TensorProto.DataType</c>) the exporter uses.</summary>
    internal enum OnnxType
    {
        Float = 1,
        Int64 = 7,
    }

    /// <summary>
    /// Builds an ONNX graph in memory — inputs, constant tensors (initializers), nodes, outputs — and writes it as
    /// a <c>ModelProto</c> (onnx.proto's field numbers) of IR version 8, default domain at opset <see cref="Opset"/>.
    /// Node outputs are named after the layer being lowered (<see cref="Scope"/>), so a model viewer shows where
    /// each node came from.
    /// </summary>
    internal sealed class OnnxGraph
    {
        /// <summary>The operator set: 17 has LayerNormalization and runs on ONNX Runtime since 1.13.</summary>
        public const int Opset = 17;

        /// <summary>The IR version that goes with opset 17.</summary>
        public const int IrVersion = 8;

        /// <summary>Protocol buffers cannot hold a message of 2 GiB or more; the model must stay below.</summary>
        private const long MaxModelBytes = int.MaxValue - (64 << 20);

        private readonly string _name;
        private readonly List<Node> _nodes = new();
        private readonly List<Tensor> _initializers = new();
        private readonly List<ValueInfo> _inputs = new();
        private readonly List<ValueInfo> _outputs = new();
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private long _initializerBytes;
        private int _counter;

        public OnnxGraph(string name) => _name = name;

        /// <summary>The prefix of the names given to nodes and their outputs: the layer being lowered.</summary>
        public string Scope { get; set; } = "";

        /// <summary>A graph input of <paramref name="type"/>; a null dimension is the symbolic <c>batch</c>.</summary>
        public string Input(string name, OnnxType type, params int?[] dims)
        {
            Claim(name);
            _inputs.Add(new ValueInfo(name, type, dims));
            return name;
        }

        /// <summary>Makes <paramref name="value"/> the graph output <paramref name="name"/> (through an Identity node).</summary>
        public void Output(string value, string name, OnnxType type, params int?[] dims)
        {
            Claim(name);
            _nodes.Add(new Node("Identity", new[] { value }, new[] { name }, name, Array.Empty<OnnxAttribute>()));
            _outputs.Add(new ValueInfo(name, type, dims));
        }

        /// <summary>A float constant of shape <paramref name="dims"/> (the values are copied).</summary>
        public string Floats(string name, ReadOnlySpan<int> dims, ReadOnlySpan<float> values)
        {
            long count = 1;
            foreach (int d in dims)
            {
                count *= d;
            }
            if (count != values.Length)
            {
                throw new ArgumentException($"Constant '{name}' of shape [{string.Join(", ", dims.ToArray())}] needs {count} values; got {values.Length}.", nameof(values));
            }
            Claim(name);
            return AddInitializer(name, OnnxType.Float, dims.ToArray(), MemoryMarshal.AsBytes(values).ToArray());
        }

        /// <summary>A float scalar constant.</summary>
        public string Scalar(float value) =>
            AddInitializer(Fresh("const"), OnnxType.Float, Array.Empty<int>(), BitConverter.GetBytes(value));

        /// <summary>A 1-D int64 constant (shapes, axes) or a scalar when <paramref name="scalar"/> is set.</summary>
        public string Longs(long[] values, bool scalar = false)
        {
            int[] dims = scalar ? Array.Empty<int>() : new[] { values.Length };
            return AddInitializer(Fresh("const"), OnnxType.Int64, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }

        /// <summary>A node with one output; returns the output's name.</summary>
        public string Op(string opType, string[] inputs, params OnnxAttribute[] attributes) => Op(opType, inputs, 1, attributes)[0];

        /// <summary>A node with <paramref name="outputs"/> outputs; returns their names.</summary>
        public string[] Op(string opType, string[] inputs, int outputs, params OnnxAttribute[] attributes)
        {
            string node = Fresh(opType);
            string[] names = outputs == 1 ? new[] { node } : Enumerable.Range(0, outputs).Select(i => Fresh(node + ":" + i)).ToArray();
            _nodes.Add(new Node(opType, inputs, names, node, attributes));
            return names;
        }

        /// <summary>Writes the model: a <c>ModelProto</c> holding this graph.</summary>
        public void WriteModel(Stream stream, string producerVersion)
        {
            if (_initializerBytes > MaxModelBytes)
            {
                throw new NotSupportedException(
                    $"The network '{_name}' has {_initializerBytes} bytes of parameters; an ONNX file (a protocol buffer) holds less than 2 GiB.");
            }
            var model = new ProtoWriter();
            model.Int(1, IrVersion);
            model.String(2, "NetGen");
            model.String(3, producerVersion);
            model.Message(7, WriteGraph);
            model.Message(8, opset => opset.Int(2, Opset)); // the default domain ("") at Opset
            model.CopyTo(stream);
        }

        private void WriteGraph(ProtoWriter graph)
        {
            foreach (Node node in _nodes)
            {
                graph.Message(1, node.Write);
            }
            graph.String(2, _name);
            foreach (Tensor tensor in _initializers)
            {
                graph.Message(5, tensor.Write);
            }
            foreach (ValueInfo input in _inputs)
            {
                graph.Message(11, input.Write);
            }
            foreach (ValueInfo output in _outputs)
            {
                graph.Message(12, output.Write);
            }
        }

        /// <summary>Adds a constant under a name already claimed.</summary>
        private string AddInitializer(string name, OnnxType type, int[] dims, byte[] raw)
        {
            _initializers.Add(new Tensor(name, type, dims, raw));
            _initializerBytes += raw.Length;
            return name;
        }

        /// <summary>A new name in the current scope: <c>{Scope}/{stem}</c>, numbered when taken.</summary>
        private string Fresh(string stem)
        {
            string prefix = Scope.Length == 0 ? stem : Scope + "/" + stem;
            string name = prefix;
            while (_names.Contains(name))
            {
                name = prefix + "_" + (++_counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            _names.Add(name);
            return name;
        }

        private void Claim(string name)
        {
            if (!_names.Add(name))
            {
                throw new InvalidOperationException($"The ONNX graph already has a value named '{name}'.");
            }
        }

        /// <summary>onnx.proto's <c>NodeProto</c>.</summary>
        private sealed record Node(string OpType, string[] Inputs, string[] Outputs, string Name, OnnxAttribute[] Attributes)
        {
            public void Write(ProtoWriter node)
            {
                foreach (string input in Inputs)
                {
                    node.String(1, input);
                }
                foreach (string output in Outputs)
                {
                    node.String(2, output);
                }
                node.String(3, Name);
                node.String(4, OpType);
                foreach (OnnxAttribute attribute in Attributes)
                {
                    node.Message(5, attribute.Write);
                }
            }
        }

        /// <summary>onnx.proto's <c>TensorProto</c>, its values as little-endian <c>raw_data</c>.</summary>
        private sealed record Tensor(string Name, OnnxType Type, int[] Dims, byte[] Raw)
        {
            public void Write(ProtoWriter tensor)
            {
                tensor.PackedInts(1, Dims.Select(d => (long)d).ToArray());
                tensor.Int(2, (int)Type);
                tensor.String(8, Name);
                tensor.Bytes(9, Raw);
            }
        }

        /// <summary>onnx.proto's <c>ValueInfoProto</c> of a tensor; a null dimension is the symbolic <c>batch</c>.</summary>
        private sealed record ValueInfo(string Name, OnnxType Type, int?[] Dims)
        {
            public void Write(ProtoWriter value)
            {
                value.String(1, Name);
                value.Message(2, type => type.Message(1, tensor =>
                {
                    tensor.Int(1, (int)Type);
                    tensor.Message(2, shape =>
                    {
                        foreach (int? d in Dims)
                        {
                            shape.Message(1, dim =>
                            {
                                if (d is int size)
                                {
                                    dim.Int(1, size);
                                }
                                else
                                {
                                    dim.String(2, "batch");
                                }
                            });
                        }
                    });
                }));
            }
        }
    }
}

using System;
using System.IO;
using NetGen.Checkpoints;
using NetGen.Export.Onnx;

namespace NetGen
{
    /// <summary>
    /// Writes a network as an ONNX model (opset 17, IR version 8) for ONNX Runtime and other ONNX tools: the
    /// network in inference mode (dropout off, batch norm with its running statistics), its current parameters
    /// and buffers as constants. The model's input <c>input</c> is what <c>Forward</c> takes — float
    /// <c>[batch, …InputShape]</c> (images NCHW), or int64 token ids <c>[batch, T]</c> for a token-input network — and
    /// its output <c>output</c> is float <c>[batch, …OutputShape]</c>, the values <c>Forward</c> writes; <c>batch</c>
    /// is a symbolic dimension. Padding tokens (<c>Embedding(PaddingIndex = …)</c>) are masked as attention keys and
    /// left out of sequence pooling as in NetGen; as there, a sample made only of padding has no defined output.
    /// </summary>
    public static class OnnxExport
    {
        /// <summary>The ONNX operator set the exported models use.</summary>
        public const int Opset = OnnxGraph.Opset;

        /// <summary>
        /// Writes <paramref name="network"/> as an ONNX model to the file at <paramref name="path"/>, atomically (a
        /// temporary file renamed over it, as checkpoints are: a failure leaves any existing file as it was). The whole
        /// model is built first: a layer ONNX cannot express throws <see cref="NotSupportedException"/> naming it, a NaN
        /// or ∞ weight throws <see cref="InvalidOperationException"/> naming the tensor, and no file is written.
        /// </summary>
        public static void ExportOnnx(this INetwork network, string path)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentException.ThrowIfNullOrEmpty(path);
            using MemoryStream model = Build(network);
            DurableFile.Replace(path, file => model.CopyTo(file));
        }

        /// <summary>
        /// Writes <paramref name="network"/> as an ONNX model to <paramref name="stream"/>. The whole model is built
        /// first: a layer ONNX cannot express throws <see cref="NotSupportedException"/> naming it before any byte is written.
        /// </summary>
        public static void ExportOnnx(this INetwork network, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(stream);
            using MemoryStream model = Build(network);
            model.CopyTo(stream);
        }

        private static MemoryStream Build(INetwork network)
        {
            Checkpoint.RequireFinite(network);
            if (!BitConverter.IsLittleEndian)
            {
                throw new NotSupportedException("ONNX export writes tensors as little-endian bytes and runs only on little-endian machines.");
            }
            OnnxGraph graph = OnnxLowering.Lower(network);
            var model = new MemoryStream();
            graph.WriteModel(model, typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "");
            model.Position = 0;
            return model;
        }
    }
}

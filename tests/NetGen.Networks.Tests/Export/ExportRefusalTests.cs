using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Networks.Tests.Export
{
    /// <summary>Exports of a diverged network are refused before anything is written, as checkpoints are.</summary>
    public class ExportRefusalTests
    {
        [Fact]
        public void A_network_holding_NaN_exports_nothing_and_leaves_existing_files_alone()
        {
            var network = new MnistMlp(seed: 1);
            network.Parameters[123] = float.NaN;
            string folder = Path.Combine(Path.GetTempPath(), "netgen-export-refusal-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                string onnx = Path.Combine(folder, "model.onnx");
                File.WriteAllText(onnx, "the previous model");
                var refused = Assert.Throws<InvalidOperationException>(() => network.ExportOnnx(onnx));
                Assert.Contains("NaN", refused.Message);
                Assert.Contains("\"dense.weight\"", refused.Message);
                Assert.Equal("the previous model", File.ReadAllText(onnx));
                Assert.Throws<InvalidOperationException>(() => network.ExportOnnx(new MemoryStream()));

                string torch = Path.Combine(folder, "torch");
                Assert.Throws<InvalidOperationException>(() => network.ExportPyTorch(torch));
                Assert.False(Directory.Exists(torch) && Directory.EnumerateFileSystemEntries(torch).Any());
                Assert.Equal(new[] { onnx }, Directory.GetFileSystemEntries(folder));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}

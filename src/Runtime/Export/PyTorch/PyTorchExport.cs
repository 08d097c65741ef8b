using System;
using System.Collections.Immutable;
using System.IO;
using System.Text;
using NetGen.Checkpoints;
using NetGen.Data;

namespace NetGen
{
    /// <summary>
    /// Exports a generated network to PyTorch, to train it beyond one machine (<c>DistributedDataParallel</c>)
    /// and bring the weights back with <see cref="Checkpoint.Load(INetwork, string, Optimizer?)"/>.
    /// <see cref="ExportPyTorch"/> writes three files into a directory, named after the network's class
    /// (<c>Demo.TinyGpt</c> → <c>tiny_gpt</c>):
    /// <list type="bullet">
    /// <item><c>tiny_gpt.py</c>: class <c>TinyGpt(nn.Module)</c>, the same layers with the same <c>state_dict</c>
    /// keys and shapes as <see cref="INetwork.ParameterLayout"/> and <see cref="INetwork.BufferLayout"/>. Its
    /// <c>forward</c> takes what NetGen's <c>Forward</c> takes (floats <c>[B, …InputShape]</c> or int64 token ids
    /// <c>[B, T]</c>) and returns what it returns (probabilities after a final Softmax or Sigmoid);
    /// <c>forward(x, logits=True)</c> stops before that final activation and <c>criterion(logits, targets)</c> is
    /// NetGen's loss on it (cross-entropy or binary cross-entropy on the logits, mean squared error), so
    /// PyTorch trains what NetGen trains. <c>load(path)</c> and <c>save(path)</c> read and write safetensors with a
    /// small reader and writer in the file itself (PyTorch alone, no <c>safetensors</c> package).</item>
    /// <item><c>tiny_gpt.safetensors</c>: the network's current weights (<see cref="Checkpoint.Save(INetwork, string, Optimizer?, TrainingState?, System.Collections.Generic.IReadOnlyDictionary{string, string}?)"/>).</item>
    /// <item><c>train_ddp.py</c>: trains the module with <c>DistributedDataParallel</c> (gloo or nccl) on data in a
    /// safetensors file, under <c>torchrun</c> or on local processes, and saves the result as safetensors that
    /// NetGen loads (see docs/scale-out.md).</item>
    /// </list>
    /// </summary>
    public static class PyTorchExport
    {
        /// <summary>The name of the distributed training script <see cref="ExportPyTorch"/> writes.</summary>
        public const string TrainingScriptName = "train_ddp.py";

        /// <summary>
        /// Writes <c>{module}.py</c>, <c>{module}.safetensors</c> (the current weights) and <c>train_ddp.py</c>
        /// into <paramref name="directory"/> (created if missing; files of the same names are replaced), where
        /// <c>{module}</c> is <see cref="ModuleName"/>. Checks names, layers and weights before it writes anything, and
        /// writes each file atomically (a temporary file renamed over it), the weights first.
        /// </summary>
        /// <exception cref="ArgumentException">A layer or class name is not a Python identifier the module can use.</exception>
        /// <exception cref="NotSupportedException">The architecture holds a layer this exporter does not know.</exception>
        /// <exception cref="InvalidOperationException">A parameter or buffer holds NaN or ∞ (the network has diverged).</exception>
        public static void ExportPyTorch(this INetwork network, string directory)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentException.ThrowIfNullOrEmpty(directory);
            NetworkArchitecture architecture = network.Architecture;
            string module = ModuleName(architecture);
            string source = PyTorchModuleSource.Write(architecture);
            string script = PyTorchScripts.TrainDdp(module, PyTorchModuleSource.ClassName(architecture));
            Checkpoint.RequireFinite(network);
            Directory.CreateDirectory(directory);
            Checkpoint.Save(network, Path.Combine(directory, module + ".safetensors"));
            var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
            DurableFile.Replace(Path.Combine(directory, module + ".py"), file => file.Write(utf8.GetBytes(source)));
            DurableFile.Replace(Path.Combine(directory, TrainingScriptName), file => file.Write(utf8.GetBytes(script)));
        }

        /// <summary>
        /// Writes <paramref name="data"/> as the safetensors file <c>train_ddp.py --data</c> reads: <c>inputs</c>
        /// <c>[N, FeatureSize]</c> and <c>targets</c> <c>[N, TargetSize]</c>, both F32 (token ids and labels are exact
        /// in float32 up to 2^24; the script turns them back into int64). Atomic, like <see cref="SafeTensorsWriter.Save"/>.
        /// </summary>
        /// <exception cref="NotSupportedException">Inputs or targets are neither <see cref="float"/> nor <see cref="int"/>.</exception>
        /// <exception cref="ArgumentException">An integer is beyond ±2^24, where float32 would change it.</exception>
        public static void SavePyTorchData<TInput, TTarget>(this Dataset<TInput, TTarget> data, string path)
            where TInput : unmanaged where TTarget : unmanaged
        {
            ArgumentNullException.ThrowIfNull(data);
            ArgumentException.ThrowIfNullOrEmpty(path);
            var writer = new SafeTensorsWriter();
            writer.Metadata["format"] = "pt";
            writer.Add("inputs", ImmutableArray.Create(data.Count, data.FeatureSize), AsFloats(data.Features, "inputs"));
            writer.Add("targets", ImmutableArray.Create(data.Count, data.TargetSize), AsFloats(data.Targets, "targets"));
            writer.Save(path);
        }

        /// <summary>The values as float32: floats as they are, integers checked to be exact.</summary>
        private static float[] AsFloats<T>(ReadOnlySpan<T> values, string what) where T : unmanaged
        {
            if (typeof(T) == typeof(float))
            {
                return System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values).ToArray();
            }
            if (typeof(T) != typeof(int))
            {
                throw new NotSupportedException($"The {what} are {typeof(T).Name}; SavePyTorchData writes float or int values.");
            }
            ReadOnlySpan<int> integers = System.Runtime.InteropServices.MemoryMarshal.Cast<T, int>(values);
            var floats = new float[integers.Length];
            for (int i = 0; i < integers.Length; i++)
            {
                if (Math.Abs((long)integers[i]) > 1 << 24)
                {
                    throw new ArgumentException($"The {what} hold {integers[i]} at index {i}; float32 keeps integers exact only within ±{1 << 24}.");
                }
                floats[i] = integers[i];
            }
            return floats;
        }

        /// <summary>The text of the <c>{module}.py</c> that <see cref="ExportPyTorch"/> writes for <paramref name="architecture"/>.</summary>
        /// <exception cref="ArgumentException">A layer or class name is not a Python identifier the module can use.</exception>
        /// <exception cref="NotSupportedException">The architecture holds a layer this exporter does not know.</exception>
        public static string ModuleSource(NetworkArchitecture architecture)
        {
            ArgumentNullException.ThrowIfNull(architecture);
            return PyTorchModuleSource.Write(architecture);
        }

        /// <summary>
        /// The Python module name of an exported network: its class name in snake case
        /// (<c>Demo.Text.TinyGpt</c> → <c>tiny_gpt</c>, <c>MnistMlp</c> → <c>mnist_mlp</c>).
        /// </summary>
        public static string ModuleName(NetworkArchitecture architecture)
        {
            ArgumentNullException.ThrowIfNull(architecture);
            string name = PyTorchModuleSource.ClassName(architecture);
            var snake = new StringBuilder(name.Length + 8);
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool wordStart = char.IsUpper(c) && i > 0
                    && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
                if (wordStart && snake.Length > 0 && snake[^1] != '_')
                {
                    snake.Append('_');
                }
                snake.Append(char.ToLowerInvariant(c));
            }
            string module = snake.ToString();
            if (Array.IndexOf(ShadowedModules, module) >= 0)
            {
                throw new ArgumentException(
                    $"Network {architecture.Name} would export as {module}.py, which hides Python's own module '{module}' " +
                    "from the exported code; rename the class.", nameof(architecture));
            }
            return module;
        }

        /// <summary>Modules the exported files import (or are): an exported <c>{module}.py</c> must not take their names.</summary>
        // Python puts the script's own folder first on its import path, so a file named like a standard module would
        // also hide it from torch: the common standard-library names are refused too.
        private static readonly string[] ShadowedModules =
        {
            "abc", "argparse", "array", "ast", "asyncio", "base64", "bisect", "builtins", "calendar", "code", "codecs", "collections",
            "concurrent", "contextlib", "copy", "copyreg", "csv", "ctypes", "dataclasses", "datetime", "decimal", "difflib", "dis", "email",
            "enum", "errno", "fractions", "functools", "gc", "glob", "gzip", "hashlib", "heapq", "hmac", "html", "http", "importlib",
            "inspect", "io", "itertools", "json", "keyword", "linecache", "locale", "logging", "math", "multiprocessing", "numbers",
            "numpy", "operator", "os", "pathlib", "pickle", "pkgutil", "platform", "pprint", "queue", "random", "re", "reprlib", "secrets",
            "select", "shutil", "signal", "site", "socket", "sqlite3", "stat", "statistics", "string", "struct", "subprocess", "sys",
            "tarfile", "tempfile", "textwrap", "threading", "time", "timeit", "token", "tokenize", "torch", "traceback", "train_ddp",
            "types", "typing", "unittest", "urllib", "uuid", "warnings", "weakref", "xml", "zipfile", "zlib",
        };
    }
}

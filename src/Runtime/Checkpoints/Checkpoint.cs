using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using NetGen.Checkpoints;

namespace NetGen
{
    /// <summary>What <see cref="Checkpoint.Load(INetwork, string, Optimizer?)"/> found besides the parameters.</summary>
    public sealed class CheckpointInfo
    {
        internal CheckpointInfo(IReadOnlyDictionary<string, string> metadata, TrainingState? training, string? optimizerKind)
        {
            Metadata = metadata;
            Training = training;
            OptimizerKind = optimizerKind;
        }

        /// <summary>The file's <c>__metadata__</c> strings.</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>The training state saved with the file (pass it as <see cref="FitOptions.Resume"/>), or null.</summary>
        public TrainingState? Training { get; }

        /// <summary>The optimizer whose state the file holds (e.g. "Adam"), or null.</summary>
        public string? OptimizerKind { get; }
    }

    /// <summary>
    /// Saves and loads networks as safetensors files that PyTorch tooling reads: one F32 tensor per entry of
    /// <see cref="INetwork.ParameterLayout"/> and <see cref="INetwork.BufferLayout"/>, under the same
    /// <c>state_dict</c> keys (<c>hidden.weight</c>, <c>hidden.bias</c>, …), and <c>"format": "pt"</c> in the
    /// metadata. Optionally the optimizer's state goes in too, as tensors named
    /// <c>optimizer.{slot}.{parameter}</c> (PyTorch's slot names: <c>exp_avg</c>, <c>exp_avg_sq</c>,
    /// <c>momentum_buffer</c>, <c>square_avg</c>) with its kind, step count and learning rate in the
    /// metadata, and the <see cref="TrainingState"/> (<c>training.*</c> metadata, with the state of the
    /// network's <see cref="INetwork.TrainingRng"/> when it has dropout), so training resumes exactly.
    /// Writes are atomic and durable (see <see cref="SafeTensorsWriter.Save"/>), and refuse a network whose parameters
    /// or buffers hold NaN or ±∞ (<see cref="InvalidOperationException"/> naming the tensor and index). Loading checks everything before it changes anything: a file that does not fit
    /// the network (a missing or extra tensor, a wrong shape or dtype) or is malformed raises
    /// <see cref="InvalidDataException"/> naming the tensor, and the network is left as it was.
    /// </summary>
    public static class Checkpoint
    {
        /// <summary>The prefix of optimizer-state tensors.</summary>
        public const string OptimizerPrefix = "optimizer.";

        /// <summary>Writes <paramref name="network"/> (and optionally its optimizer and training state) to <paramref name="path"/> atomically.</summary>
        public static void Save(INetwork network, string path, Optimizer? optimizer = null, TrainingState? training = null,
            IReadOnlyDictionary<string, string>? metadata = null)
        {
            SafeTensorsWriter writer = CreateWriter(network, optimizer, training, metadata);
            writer.Save(path);
        }

        /// <summary>Writes the same content as <see cref="Save(INetwork, string, Optimizer?, TrainingState?, IReadOnlyDictionary{string, string}?)"/> to a stream (not atomic).</summary>
        public static void Save(INetwork network, Stream stream, Optimizer? optimizer = null, TrainingState? training = null,
            IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            CreateWriter(network, optimizer, training, metadata).WriteTo(stream);
        }

        /// <summary>
        /// Loads the parameters (and buffers) in <paramref name="path"/> into <paramref name="network"/>; with
        /// <paramref name="optimizer"/>, also the optimizer state saved with them (refused if there is none or
        /// it belongs to another kind of optimizer). Optimizer tensors in the file are ignored otherwise.
        /// </summary>
        public static CheckpointInfo Load(INetwork network, string path, Optimizer? optimizer = null)
        {
            ArgumentNullException.ThrowIfNull(network);
            using SafeTensorsFile file = SafeTensorsFile.Open(path);
            return Load(network, file, optimizer);
        }

        /// <summary>As <see cref="Load(INetwork, string, Optimizer?)"/>, from a seekable stream.</summary>
        public static CheckpointInfo Load(INetwork network, Stream stream, Optimizer? optimizer = null)
        {
            ArgumentNullException.ThrowIfNull(network);
            using SafeTensorsFile file = SafeTensorsFile.Open(stream);
            return Load(network, file, optimizer);
        }

        private static SafeTensorsWriter CreateWriter(INetwork network, Optimizer? optimizer, TrainingState? training, IReadOnlyDictionary<string, string>? metadata)
        {
            ArgumentNullException.ThrowIfNull(network);
            var writer = new SafeTensorsWriter();
            writer.Metadata["format"] = "pt";
            writer.Metadata["netgen.network"] = network.GetType().Name;
            Span<float> parameters = network.Parameters;
            foreach (ParameterTensor t in network.ParameterLayout)
            {
                CheckFinite(network, t, t.Of(parameters), "parameter");
                writer.Add(t.Name, t.Shape, t.Of(parameters));
            }
            Span<float> buffers = network.Buffers;
            foreach (ParameterTensor t in network.BufferLayout)
            {
                CheckFinite(network, t, t.Of(buffers), "buffer");
                writer.Add(t.Name, t.Shape, t.Of(buffers));
            }
            if (optimizer is not null)
            {
                OptimizerState state = optimizer.GetState(parameters);
                string[] slots = SlotNames(optimizer, state.SlotCount);
                for (int s = 0; s < slots.Length; s++)
                {
                    Span<float> slot = state.Slot(s);
                    foreach (ParameterTensor t in network.ParameterLayout)
                    {
                        writer.Add($"{OptimizerPrefix}{slots[s]}.{t.Name}", t.Shape, t.Of(slot));
                    }
                }
                writer.Metadata["optimizer"] = optimizer.GetType().Name;
                writer.Metadata["optimizer.step"] = state.StepCount.ToString(CultureInfo.InvariantCulture);
                writer.Metadata["optimizer.lr"] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture);
            }
            if (training is not null)
            {
                writer.Metadata["training.epoch"] = training.Epoch.ToString(CultureInfo.InvariantCulture);
                writer.Metadata["training.global_step"] = training.GlobalStep.ToString(CultureInfo.InvariantCulture);
                writer.Metadata["training.initial_lr"] = training.InitialLearningRate.ToString("R", CultureInfo.InvariantCulture);
                writer.Metadata["training.seed"] = training.Seed.ToString(CultureInfo.InvariantCulture);
                if (network.TrainingRng is { } rng)
                {
                    writer.Metadata["training.rng"] = rng.State.ToString();
                }
            }
            if (metadata is not null)
            {
                foreach (KeyValuePair<string, string> entry in metadata)
                {
                    writer.Metadata[entry.Key] = entry.Value;
                }
            }
            return writer;
        }

        /// <summary>
        /// Refuses to save a NaN or ±∞ parameter or buffer, naming the tensor and the index: such a network has
        /// diverged, and saving it would replace a good checkpoint with one that predicts nothing.
        /// </summary>
        /// <summary>Every parameter and buffer finite, or the <see cref="InvalidOperationException"/> a save gives (exporters write nothing then).</summary>
        internal static void RequireFinite(INetwork network)
        {
            Span<float> parameters = network.Parameters, buffers = network.Buffers;
            foreach (ParameterTensor t in network.ParameterLayout)
            {
                CheckFinite(network, t, t.Of(parameters), "parameter");
            }
            foreach (ParameterTensor t in network.BufferLayout)
            {
                CheckFinite(network, t, t.Of(buffers), "buffer");
            }
        }

        private static void CheckFinite(INetwork network, ParameterTensor tensor, ReadOnlySpan<float> values, string kind)
        {
            if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values))
            {
                return;
            }
            int flat = 0;
            while (float.IsFinite(values[flat]))
            {
                flat++;
            }
            int[] index = new int[tensor.Shape.Length];
            for (int d = index.Length - 1, rest = flat; d >= 0; d--)
            {
                index[d] = rest % tensor.Shape[d];
                rest /= tensor.Shape[d];
            }
            throw new InvalidOperationException(
                $"{network.GetType().Name}'s {kind} \"{tensor.Name}\" holds {values[flat].ToString(CultureInfo.InvariantCulture)} at [{string.Join(", ", index)}] " +
                "(and the save was refused, so any existing file is untouched): the network has diverged. Fit throws TrainingDivergedException " +
                "before such a step unless FitOptions.OnNonFinite is Ignore; reload the last good checkpoint and train with a lower learning rate or gradient clipping.");
        }

        private static CheckpointInfo Load(INetwork network, SafeTensorsFile file, Optimizer? optimizer)
        {
            if (network.SharesParameters)
            {
                throw new InvalidOperationException(
                    $"Cannot load {file.Source} into this {network.GetType().Name}: its parameters are shared with inference copies " +
                    "(CreateInferenceCopy, InferencePool), which may be reading them right now, so they are read-only. " +
                    "Load the checkpoint into a new instance and make new copies (a new InferencePool) from it.");
            }
            string source = file.Source;
            // Every tensor in the file must be one the network (or, with an optimizer, its state) expects.
            var expected = new HashSet<string>(StringComparer.Ordinal);
            foreach (ParameterTensor t in network.ParameterLayout)
            {
                expected.Add(t.Name);
            }
            foreach (ParameterTensor t in network.BufferLayout)
            {
                expected.Add(t.Name);
            }
            foreach (SafeTensorInfo t in file.Tensors)
            {
                bool optimizerTensor = t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !expected.Contains(t.Name);
                if (!expected.Contains(t.Name) && !optimizerTensor)
                {
                    throw new InvalidDataException($"{source}: tensor \"{t.Name}\" is not part of {network.GetType().Name}, whose tensors are {string.Join(", ", expected)}.");
                }
            }

            // Stage everything, then commit: a refused file leaves the network untouched.
            float[] parameters = new float[network.Parameters.Length];
            foreach (ParameterTensor t in network.ParameterLayout)
            {
                ReadInto(file, t.Name, t.Shape, t.Of(parameters), network);
            }
            float[] buffers = new float[network.Buffers.Length];
            foreach (ParameterTensor t in network.BufferLayout)
            {
                ReadInto(file, t.Name, t.Shape, t.Of(buffers), network);
            }

            file.Metadata.TryGetValue("optimizer", out string? kind);
            Action? commitOptimizer = null;
            if (optimizer is not null)
            {
                commitOptimizer = StageOptimizer(network, file, optimizer, kind);
            }
            TrainingState? training = ReadTraining(file);
            RngState? rngState = null;
            if (network.TrainingRng is not null && file.Metadata.TryGetValue("training.rng", out string? rngText))
            {
                try
                {
                    rngState = RngState.Parse(rngText);
                }
                catch (FormatException e)
                {
                    throw new InvalidDataException($"{source}: metadata training.rng \"{rngText}\" is not a random-generator state: {e.Message}", e);
                }
                catch (OverflowException e)
                {
                    throw new InvalidDataException($"{source}: metadata training.rng \"{rngText}\" is not a random-generator state: {e.Message}", e);
                }
                if ((rngState.Value.S0 | rngState.Value.S1 | rngState.Value.S2 | rngState.Value.S3) == 0)
                {
                    throw new InvalidDataException($"{source}: metadata training.rng is all zeros, which no generator reaches.");
                }
            }

            parameters.CopyTo(network.Parameters);
            buffers.CopyTo(network.Buffers);
            commitOptimizer?.Invoke();
            if (rngState is { } restored)
            {
                network.TrainingRng!.State = restored;
            }
            return new CheckpointInfo(file.Metadata, training, kind);
        }

        private static Action StageOptimizer(INetwork network, SafeTensorsFile file, Optimizer optimizer, string? kind)
        {
            string source = file.Source;
            string wanted = optimizer.GetType().Name;
            if (kind is null)
            {
                throw new InvalidDataException($"{source}: the file holds no optimizer state; load without an optimizer, or save with one.");
            }
            if (kind != wanted)
            {
                throw new InvalidDataException($"{source}: the optimizer state is {kind}'s; it cannot be loaded into {wanted}.");
            }
            long step = ParseLong(file, "optimizer.step");
            float? rate = file.Metadata.TryGetValue("optimizer.lr", out string? lrText)
                ? float.TryParse(lrText, NumberStyles.Float, CultureInfo.InvariantCulture, out float lr) && float.IsFinite(lr) && lr >= 0 ? lr
                    : throw new InvalidDataException($"{source}: metadata optimizer.lr \"{lrText}\" is not a learning rate.")
                : null;
            OptimizerState state = optimizer.GetState(network.Parameters);
            string[] slots = SlotNames(optimizer, state.SlotCount);
            var staged = new float[slots.Length][];
            for (int s = 0; s < slots.Length; s++)
            {
                staged[s] = new float[state.Length];
                foreach (ParameterTensor t in network.ParameterLayout)
                {
                    ReadInto(file, $"{OptimizerPrefix}{slots[s]}.{t.Name}", t.Shape, t.Of(staged[s]), network);
                }
            }
            foreach (SafeTensorInfo t in file.Tensors)
            {
                if (t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !Array.Exists(slots, s => t.Name.StartsWith($"{OptimizerPrefix}{s}.", StringComparison.Ordinal)))
                {
                    throw new InvalidDataException($"{source}: tensor \"{t.Name}\" is not part of this {wanted}'s state (slots: {string.Join(", ", slots)}).");
                }
            }
            return () =>
            {
                for (int s = 0; s < slots.Length; s++)
                {
                    staged[s].CopyTo(state.Slot(s));
                }
                state.StepCount = step;
                if (rate is float r)
                {
                    optimizer.LearningRate = r;
                }
            };
        }

        private static TrainingState? ReadTraining(SafeTensorsFile file)
        {
            if (!file.Metadata.ContainsKey("training.epoch"))
            {
                return null;
            }
            long epoch = ParseLong(file, "training.epoch");
            string text = Require(file, "training.initial_lr");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double initial) || !double.IsFinite(initial) || initial < 0)
            {
                throw new InvalidDataException($"{file.Source}: metadata training.initial_lr \"{text}\" is not a learning rate.");
            }
            if (epoch > int.MaxValue)
            {
                throw new InvalidDataException($"{file.Source}: metadata training.epoch {epoch} is out of range.");
            }
            return new TrainingState
            {
                Epoch = (int)epoch,
                GlobalStep = ParseLong(file, "training.global_step"),
                InitialLearningRate = initial,
                Seed = long.TryParse(Require(file, "training.seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long seed) ? seed
                    : throw new InvalidDataException($"{file.Source}: metadata training.seed is not an integer."),
            };
        }

        private static void ReadInto(SafeTensorsFile file, string name, ImmutableArray<int> shape, Span<float> destination, INetwork network)
        {
            if (!file.TryGetTensor(name, out SafeTensorInfo info))
            {
                throw new InvalidDataException($"{file.Source}: tensor \"{name}\" [{string.Join(", ", shape)}] of {network.GetType().Name} is missing.");
            }
            if (info.DType != "F32")
            {
                throw new InvalidDataException($"{file.Source}: tensor \"{name}\" is {info.DType}; NetGen networks hold F32 (in PyTorch, convert with .float() before saving).");
            }
            bool same = info.Shape.Length == shape.Length;
            for (int i = 0; same && i < shape.Length; i++)
            {
                same = info.Shape[i] == shape[i];
            }
            if (!same)
            {
                throw new InvalidDataException(
                    $"{file.Source}: tensor \"{name}\" has shape [{string.Join(", ", info.Shape)}]; {network.GetType().Name} needs [{string.Join(", ", shape)}].");
            }
            file.ReadFloat32(name, destination);
        }

        private static string Require(SafeTensorsFile file, string key) =>
            file.Metadata.TryGetValue(key, out string? value) ? value : throw new InvalidDataException($"{file.Source}: metadata \"{key}\" is missing.");

        private static long ParseLong(SafeTensorsFile file, string key)
        {
            string text = Require(file, key);
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= 0
                ? value
                : throw new InvalidDataException($"{file.Source}: metadata {key} \"{text}\" is not a non-negative integer.");
        }

        private static string[] SlotNames(Optimizer optimizer, int count)
        {
            string[] known = optimizer switch
            {
                Adam => ["exp_avg", "exp_avg_sq"],
                Sgd => ["momentum_buffer"],
                RmsProp => ["square_avg", "momentum_buffer"],
                _ => [],
            };
            var names = new string[count];
            for (int i = 0; i < count; i++)
            {
                names[i] = i < known.Length ? known[i] : $"slot{i}";
            }
            return names;
        }
    }
}

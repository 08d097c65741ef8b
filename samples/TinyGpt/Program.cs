// A decoder-only character model, GPT's layout at toy scale: byte tokens → Embedding 128 + a learned position
// table → 2 causal pre-norm Transformer blocks (4 heads, feed-forward 512) → LayerNorm → softmax over the next byte at every one of 64
// positions, trained with Fit on the same Jane Austen text as samples/TextGeneration (embedded in the
// executable), the last 10% of the text held out. Prints one line per epoch, two generated passages
// (temperature 0.5 and 1.0, with the key/value-cached Step), writes the training curves (PNG), the history
// (CSV) and a checkpoint (safetensors), and ends with the held-out loss in nats per character.
//
//   dotnet run --project samples/TinyGpt -c Release [-- --data FILE] [--epochs N] [--minutes M] [--out DIR] [--threads N]
//
// The output directory defaults to samples/TinyGpt/out when run from the repository root (ignored by git),
// else ./out.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using NetGen;
using NetGen.Data;
using NetGen.Text;

const int Seed = 42, BatchSize = 32, PassageLength = 300;
const double HeldOutFraction = 0.1;
// Training windows start every 32 tokens, as in TextGeneration, so each token is seen at two positions of a
// window per pass; held-out windows do not overlap, so every held-out byte is scored exactly once.
const int TrainStride = 32, HeldOutStride = TinyGpt.SequenceLength;
// An epoch is one of 8 interleaved shards of the training windows (a pass over the text is 8 epochs), so that
// an epoch is short and the wall-clock budget, checked between epochs, is honoured closely.
const int Shards = 8;
const string Prompt = "It is a truth";

string? dataPath = null;
string outDir = Directory.Exists(Path.Combine("samples", "TinyGpt")) ? Path.Combine("samples", "TinyGpt", "out") : "out";
int epochs = 40;
double minutes = 10;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: dataPath = args[++i]; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0: epochs = e; i++; break;
        case "--minutes" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m > 0:
            minutes = m; i++; break;
        case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t > 0: Parallelism.MaxThreads = t; i++; break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: TinyGpt [--data FILE] [--epochs N] [--minutes M] [--out DIR] [--threads N]");
            return 2;
    }
}

// The text as byte tokens, cut by position: the last 10% is held out and never trained on.
int[] tokens;
try
{
    tokens = dataPath is null ? TextCorpus.FromBytes(EmbeddedCorpus()) : TextCorpus.Load(dataPath);
}
catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"Cannot read the text: {e.Message}");
    return 1;
}
// Enough text for one held-out window and, in the training part, one window per shard.
int minimumTokens = Math.Max((int)Math.Ceiling((TinyGpt.SequenceLength + 1) / HeldOutFraction),
    (int)Math.Ceiling(((Shards - 1) * TrainStride + TinyGpt.SequenceLength + 1) / (1 - HeldOutFraction)) + 1);
if (tokens.Length < minimumTokens)
{
    Console.Error.WriteLine($"The text has {tokens.Length:N0} bytes; this sample needs at least {minimumTokens:N0}, " +
        $"so that the held-out last {HeldOutFraction * 100:0}% holds one window of {TinyGpt.SequenceLength + 1} bytes " +
        $"and the rest one training window for each of the {Shards} shards.");
    return 1;
}
(int[] trainTokens, int[] heldOutTokens) = TextWindows.Split(tokens, HeldOutFraction);
var shards = new RotatingShards(trainTokens, TrainStride, Shards);
Dataset<int, int> heldOut = Windows(heldOutTokens, HeldOutStride);
Directory.CreateDirectory(outDir);
Console.WriteLine($"{(dataPath ?? "Pride and Prejudice + Persuasion (embedded)")}: {tokens.Length:N0} bytes; " +
    $"{trainTokens.Length:N0} to train on ({shards.WindowCount:N0} windows, stride {TrainStride}, " +
    $"{Shards} shards of {shards.Epoch.Count:N0}: one per epoch), " +
    $"the last {heldOutTokens.Length:N0} held out ({heldOut.Count:N0} windows); {Parallelism.MaxThreads} threads.");

// Batches of 32 (more steps in the same time; the budget, not the data, is what runs out). Adam at 3e-3 after
// a linear warmup of 50 steps, annealed per step along a cosine to 1e-4; gradients clipped to norm 1. No dropout:
// in a few minutes this model underfits, it does not overfit.
var model = new TinyGpt(seed: Seed);
int stepsPerEpoch = (shards.Epoch.Count + BatchSize - 1) / BatchSize;
int steps = epochs * stepsPerEpoch;
int warmup = Math.Min(50, steps / 2);
var clock = Stopwatch.StartNew();
History history = model.Fit(shards.Epoch, new FitOptions
{
    Epochs = epochs,
    BatchSize = BatchSize,
    Optimizer = new Adam(3e-3f),
    Schedule = LearningRateSchedule.Warmup(warmup, LearningRateSchedule.Cosine(tMax: steps - warmup, minimum: 1e-4).Per(ScheduleInterval.Step)),
    ClipGradientNorm = 1f,
    Validation = heldOut,
    Seed = Seed,
    Callbacks = { shards, new TimeBudget(TimeSpan.FromMinutes(minutes)) },
    Progress = new SpectreProgress(),
});
double trainSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine();
int epochsRun = history.Epochs.Count;
Console.WriteLine($"Trained {epochsRun} epoch{(epochsRun == 1 ? "" : "s")} in {trainSeconds:F0} s ({trainSeconds / epochsRun:F0} s per epoch).");

foreach (float temperature in new[] { 0.5f, 1.0f })
{
    Console.WriteLine();
    Console.WriteLine($"Temperature {temperature.ToString("0.0", CultureInfo.InvariantCulture)}:");
    Console.WriteLine(Generate(model, Prompt, PassageLength, temperature, Seed));
}

string checkpoint = Path.Combine(outDir, "tiny-gpt.safetensors");
string curves = Path.Combine(outDir, "tiny-gpt-curves.png");
string csv = Path.Combine(outDir, "tiny-gpt-history.csv");
model.Save(checkpoint);
history.SaveCsv(csv);
TrainingCurves.SavePng(history, curves, title: $"Tiny GPT on {(dataPath is null ? "Jane Austen" : Path.GetFileName(dataPath))}");

// The mean cross-entropy of every held-out byte given the bytes before it in its 64-byte window, exactly as
// TextGeneration measures it; with ASCII text one byte is one character. Measured on the checkpoint reloaded
// into a fresh network, which must score exactly as the trained one.
double heldOutLoss = model.Evaluate(heldOut).Loss;
var reloaded = TinyGpt.Load(checkpoint);
double reloadedLoss = reloaded.Evaluate(heldOut).Loss;
bool same = reloadedLoss == heldOutLoss;
Console.WriteLine();
Console.WriteLine($"Wrote {curves}, {csv}, {checkpoint}.");
Console.WriteLine(same ? "The reloaded checkpoint scores the held-out text exactly as the trained network."
    : $"The reloaded checkpoint scores {reloadedLoss:F6} on the held-out text; the trained network {heldOutLoss:F6}.");
Console.WriteLine($"Held-out loss: {reloadedLoss.ToString("F3", CultureInfo.InvariantCulture)} nats per character");
return same ? 0 : 1;

// The corpus shipped inside the executable (TextGeneration's file, linked by the project).
static byte[] EmbeddedCorpus()
{
    using Stream stream = typeof(TinyGpt).Assembly.GetManifestResourceStream("austen.txt")!;
    using var bytes = new MemoryStream();
    stream.CopyTo(bytes);
    return bytes.ToArray();
}

// Next-token samples: 64 input tokens, and as targets the 64 tokens one step later.
static Dataset<int, int> Windows(int[] tokens, int stride)
{
    (int[] inputs, int[] targets, _) = TextWindows.Make(tokens, TinyGpt.SequenceLength, stride);
    return Dataset.FromTokens(inputs, targets, TinyGpt.SequenceLength, TinyGpt.TargetSize);
}

// The prompt followed by `length` sampled bytes. Step feeds one token at a time and keeps each attention
// layer's keys and values, so a new token costs one position, not a re-run of the window. A stream holds at most
// SequenceLength tokens (the position table's length): when it is full, ResetState starts it afresh and the
// last 48 tokens are fed again, a sliding window that keeps 48 to 63 tokens of context. Same seed, same passage.
static string Generate(TinyGpt model, string prompt, int length, float temperature, long seed)
{
    const int Keep = TinyGpt.SequenceLength * 3 / 4;
    var sampler = new Sampler(seed);
    var decoder = new ByteDecoder();
    var text = new StringBuilder(prompt);
    int[] promptTokens = ByteEncoding.Encode(prompt);
    int[] context = new int[promptTokens.Length + length];
    promptTokens.CopyTo(context, 0);
    int count = promptTokens.Length;

    model.ResetState();
    int fed = Math.Min(count, TinyGpt.SequenceLength);
    ReadOnlySpan<float> probabilities = Feed(model, context.AsSpan(count - fed, fed));
    for (int i = 0; i < length; i++)
    {
        int next = sampler.Sample(probabilities, temperature);
        context[count++] = next;
        text.Append(decoder.Append(next));
        if (fed == TinyGpt.SequenceLength)
        {
            model.ResetState();
            fed = Math.Min(count, Keep);
            probabilities = Feed(model, context.AsSpan(count - fed, fed));
        }
        else
        {
            probabilities = model.Step(context.AsSpan(count - 1, 1), batchSize: 1);
            fed++;
        }
    }
    return text.Append(decoder.Flush()).ToString();
}

// Feeds `tokens` to the stream one at a time; returns the next-token probabilities after the last one.
static ReadOnlySpan<float> Feed(TinyGpt model, ReadOnlySpan<int> tokens)
{
    ReadOnlySpan<float> probabilities = default;
    for (int t = 0; t < tokens.Length; t++)
    {
        probabilities = model.Step(tokens.Slice(t, 1), batchSize: 1);
    }
    return probabilities;
}

/// <summary>
/// Byte tokens (any UTF-8 text) → Embedding 128 + a learned position table → 2 causal pre-norm Transformer blocks
/// (4 heads of 32, ReLU feed-forward 512) → LayerNorm → the next byte's probabilities at each of the 64 positions.
/// </summary>
[Network(Loss.CrossEntropy)]
[TokenInput(64, vocabularySize: ByteEncoding.VocabularySize)]
[Embedding(128)]
[PositionalEmbedding]
[TransformerEncoder(heads: 4, feedForward: 512, Dropout = 0f, NormFirst = true, Activation = Activation.ReLU, Causal = true)]
[TransformerEncoder(heads: 4, feedForward: 512, Dropout = 0f, NormFirst = true, Activation = Activation.ReLU, Causal = true)]
[LayerNorm]
[Dense(ByteEncoding.VocabularySize, Activation.Softmax)]
public partial class TinyGpt;

/// <summary>
/// The training windows, one shard per epoch: all windows of the text (stride <c>stride</c>) dealt into
/// <c>shards</c> interleaved shards (window i goes to shard i mod shards), and before epoch e the shard
/// e mod shards is copied into <see cref="Epoch"/>, the dataset Fit trains on. (A dataset wraps the arrays it is
/// given without copying, and Fit's loader reads them batch by batch, so rewriting them before an epoch changes
/// what that epoch trains on; Fit still shuffles within the epoch.) Windows beyond a whole number per shard are
/// left out: at most shards − 1 of them.
/// </summary>
internal sealed class RotatingShards : Callback
{
    private readonly int[] _inputs, _targets;       // every window: [WindowCount, SequenceLength]
    private readonly int[] _epochInputs, _epochTargets; // the current shard: [Epoch.Count, SequenceLength]
    private readonly int _shards;

    /// <summary>Cuts <paramref name="tokens"/> into windows every <paramref name="stride"/> tokens, dealt into <paramref name="shards"/> shards.</summary>
    public RotatingShards(int[] tokens, int stride, int shards)
    {
        (_inputs, _targets, int count) = TextWindows.Make(tokens, TinyGpt.SequenceLength, stride);
        _shards = shards;
        WindowCount = count;
        int perShard = count / shards;
        _epochInputs = new int[perShard * TinyGpt.SequenceLength];
        _epochTargets = new int[perShard * TinyGpt.TargetSize];
        Epoch = Dataset.FromTokens(_epochInputs, _epochTargets, TinyGpt.SequenceLength, TinyGpt.TargetSize);
        Fill(0);
    }

    /// <summary>Every window of the text.</summary>
    public int WindowCount { get; }

    /// <summary>The windows of the current epoch's shard.</summary>
    public Dataset<int, int> Epoch { get; }

    /// <inheritdoc/>
    public override void OnEpochBegin(TrainingContext context, int epoch) => Fill(epoch % _shards);

    private void Fill(int shard)
    {
        const int T = TinyGpt.SequenceLength;
        for (int j = 0; j < Epoch.Count; j++)
        {
            int window = shard + j * _shards;
            _inputs.AsSpan(window * T, T).CopyTo(_epochInputs.AsSpan(j * T, T));
            _targets.AsSpan(window * T, T).CopyTo(_epochTargets.AsSpan(j * T, T));
        }
    }
}

/// <summary>
/// A wall-clock budget for <c>Fit</c>: after each epoch, stops training if the next epoch, taking as long as
/// the last one did, would end past the budget. (Fit stops only between epochs, so this is as close as a
/// callback gets without overrunning.)
/// </summary>
internal sealed class TimeBudget(TimeSpan budget) : Callback
{
    private readonly Stopwatch _clock = new();

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext context) => _clock.Restart();

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        TimeSpan elapsed = _clock.Elapsed;
        if (log.Epoch + 1 < context.Epochs && elapsed + TimeSpan.FromSeconds(log.Seconds) > budget)
        {
            context.StopTraining = true;
            context.Log($"Stopping after epoch {log.Epoch + 1}: {elapsed.TotalMinutes:F1} min elapsed, another epoch would exceed the {budget.TotalMinutes:0.#}-minute budget.");
        }
    }
}

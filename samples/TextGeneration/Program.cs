// A character-level language model: byte tokens → Embedding 64 → LSTM 128 → LSTM 128 → softmax over the
// next byte at every one of 64 time steps, trained with Fit on Jane Austen (embedded in the executable),
// the last 10% of the text held out. Prints one line per epoch, two generated passages (temperature 0.5
// and 1.0), writes the training curves (PNG), the history (CSV) and a checkpoint (safetensors), and ends
// with the held-out loss in nats per character.
//
//   dotnet run --project samples/TextGeneration -c Release [-- --data FILE] [--epochs N] [--minutes M] [--out DIR] [--threads N]
//
// The output directory defaults to samples/TextGeneration/out when run from the repository root
// (ignored by git), else ./out.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using NetGen;
using NetGen.Data;
using NetGen.Text;

const int Seed = 42, BatchSize = 64, PassageLength = 300;
const double HeldOutFraction = 0.1;
// Training windows start every 32 tokens, so each token is seen twice per epoch, at two different
// positions of a window (early, with little context, and late, with much); held-out windows do not
// overlap, so every held-out byte is scored exactly once.
const int TrainStride = 32, HeldOutStride = CharModel.SequenceLength;
const string Prompt = "It is a truth";

string? dataPath = null;
string outDir = Directory.Exists(Path.Combine("samples", "TextGeneration")) ? Path.Combine("samples", "TextGeneration", "out") : "out";
int epochs = 8;
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
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: TextGeneration [--data FILE] [--epochs N] [--minutes M] [--out DIR] [--threads N]");
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
int minimumTokens = (int)Math.Ceiling((CharModel.SequenceLength + 1) / HeldOutFraction);
if (tokens.Length < minimumTokens)
{
    Console.Error.WriteLine($"The text has {tokens.Length:N0} bytes; this sample needs at least {minimumTokens:N0}, " +
        $"so that the held-out last {HeldOutFraction * 100:0}% holds one window of {CharModel.SequenceLength + 1} bytes.");
    return 1;
}
(int[] trainTokens, int[] heldOutTokens) = TextWindows.Split(tokens, HeldOutFraction);
Dataset<int, int> train = Windows(trainTokens, TrainStride);
Dataset<int, int> heldOut = Windows(heldOutTokens, HeldOutStride);
Directory.CreateDirectory(outDir);
Console.WriteLine($"{(dataPath ?? "Pride and Prejudice + Persuasion (embedded)")}: {tokens.Length:N0} bytes; " +
    $"{trainTokens.Length:N0} to train on ({train.Count:N0} windows, stride {TrainStride}), " +
    $"the last {heldOutTokens.Length:N0} held out ({heldOut.Count:N0} windows); {Parallelism.MaxThreads} threads.");

// Adam at 3e-3, annealed per step along a cosine to 1e-4; gradients clipped to norm 1 (LSTM gradients spike).
var model = new CharModel(seed: Seed);
int steps = epochs * ((train.Count + BatchSize - 1) / BatchSize);
var clock = Stopwatch.StartNew();
History history = model.Fit(train, new FitOptions
{
    Epochs = epochs,
    BatchSize = BatchSize,
    Optimizer = new Adam(3e-3f),
    Schedule = LearningRateSchedule.Cosine(tMax: steps, minimum: 1e-4).Per(ScheduleInterval.Step),
    ClipGradientNorm = 1f,
    Validation = heldOut,
    Seed = Seed,
    Callbacks = { new TimeBudget(TimeSpan.FromMinutes(minutes)) },
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

string checkpoint = Path.Combine(outDir, "char-model.safetensors");
string curves = Path.Combine(outDir, "char-model-curves.png");
string csv = Path.Combine(outDir, "char-model-history.csv");
model.Save(checkpoint);
history.SaveCsv(csv);
TrainingCurves.SavePng(history, curves, title: $"Character LSTM on {(dataPath is null ? "Jane Austen" : Path.GetFileName(dataPath))}");

// The mean cross-entropy of every held-out byte given the bytes before it in its 64-byte window
// (each window starts from a zero LSTM state); with ASCII text one byte is one character.
// Measured on the checkpoint reloaded into a fresh network, which must score exactly as the trained one.
double heldOutLoss = model.Evaluate(heldOut).Loss;
var reloaded = CharModel.Load(checkpoint);
double reloadedLoss = reloaded.Evaluate(heldOut).Loss;
bool same = reloadedLoss == heldOutLoss;
Console.WriteLine();
Console.WriteLine($"Wrote {curves}, {csv}, {checkpoint}.");
Console.WriteLine(same ? "The reloaded checkpoint scores the held-out text exactly as the trained network."
    : $"The reloaded checkpoint scores {reloadedLoss:F6} on the held-out text; the trained network {heldOutLoss:F6}.");
Console.WriteLine($"Held-out loss: {reloadedLoss.ToString("F3", CultureInfo.InvariantCulture)} nats per character");
return same ? 0 : 1;

// The corpus shipped inside the executable.
static byte[] EmbeddedCorpus()
{
    using Stream stream = typeof(CharModel).Assembly.GetManifestResourceStream("austen.txt")!;
    using var bytes = new MemoryStream();
    stream.CopyTo(bytes);
    return bytes.ToArray();
}

// Next-token samples: 64 input tokens, and as targets the 64 tokens one step later.
static Dataset<int, int> Windows(int[] tokens, int stride)
{
    (int[] inputs, int[] targets, _) = TextWindows.Make(tokens, CharModel.SequenceLength, stride);
    return Dataset.FromTokens(inputs, targets, CharModel.SequenceLength, CharModel.TargetSize);
}

// The prompt followed by `length` sampled bytes: the prompt is fed one token at a time to build up the
// LSTM state, then every sampled byte is fed back in. Same seed, same passage.
static string Generate(CharModel model, string prompt, int length, float temperature, long seed)
{
    var sampler = new Sampler(seed);
    var decoder = new ByteDecoder();
    var text = new StringBuilder(prompt);
    model.ResetState();
    int[] token = new int[1];
    ReadOnlySpan<float> probabilities = default;
    foreach (int t in ByteEncoding.Encode(prompt))
    {
        token[0] = t;
        probabilities = model.Step(token, batchSize: 1);
    }
    for (int i = 0; i < length; i++)
    {
        token[0] = sampler.Sample(probabilities, temperature);
        text.Append(decoder.Append(token[0]));
        probabilities = model.Step(token, batchSize: 1);
    }
    return text.Append(decoder.Flush()).ToString();
}

/// <summary>
/// Byte tokens (any UTF-8 text) → Embedding 64 → LSTM 128 → LSTM 128 → the next byte's probabilities at
/// each of the 64 time steps.
/// </summary>
[Network(Loss.CrossEntropy)]
[TokenInput(64, vocabularySize: ByteEncoding.VocabularySize)]
[Embedding(64)]
[Lstm(128, ReturnSequences = true)]
[Lstm(128, ReturnSequences = true)]
[Dense(ByteEncoding.VocabularySize, Activation.Softmax)]
public partial class CharModel;

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

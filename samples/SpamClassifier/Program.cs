// Spam or ham: a small Transformer encoder over the first 128 words of an e-mail (its subject and the start
// of its body, markup dropped), trained with Fit on the SpamAssassin public mail corpus, 80% of each class to
// train on and 20% held out (seeded). Prints one line per epoch, the report on the held-out messages
// (accuracy, precision/recall/F1 per class, confusion matrix), then the spam probability of two new messages.
//
//   samples/SpamClassifier/get-data.sh [DIR]         # once: the corpus into samples/SpamClassifier/data (or DIR)
//   dotnet run --project samples/SpamClassifier -c Release [-- --data DIR] [--epochs N] [--threads N]
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NetGen;
using NetGen.Data;

const int Seed = 42, BatchSize = 32;
const double TestFraction = 0.2;
string[] classNames = { "ham", "spam" };

bool fromRepositoryRoot = Directory.Exists(Path.Combine("samples", "SpamClassifier"));
string dataDir = fromRepositoryRoot ? Path.Combine("samples", "SpamClassifier", "data") : "data";
string getData = fromRepositoryRoot ? "samples/SpamClassifier/get-data.sh" : "./get-data.sh";
bool dataGiven = false;
int epochs = 5;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: dataDir = args[++i]; dataGiven = true; break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0: epochs = e; i++; break;
        case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t > 0: Parallelism.MaxThreads = t; i++; break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: SpamClassifier [--data DIR] [--epochs N] [--threads N]");
            return 2;
    }
}

if (!SpamCorpus.IsPresent(dataDir))
{
    Console.Error.WriteLine($"The SpamAssassin corpus is not in {dataDir} (one folder per group: {string.Join(", ", SpamCorpus.Groups)}). Get it with:");
    Console.Error.WriteLine(dataGiven ? $"{getData} {dataDir}" : getData);
    return 1;
}
List<MailMessage> messages = SpamCorpus.Load(dataDir);

// Each message as its first 128 words; a message whose words repeat an earlier one's (the corpus has
// some resent messages) is dropped, so that no test message is also a training message.
var clock = Stopwatch.StartNew();
var seen = new HashSet<string>();
var sequences = new List<(string[] Words, int Label)>();
foreach (MailMessage message in messages)
{
    string[] words = WordTokenizer.Words(message.Text, SpamClassifier.SequenceLength);
    if (seen.Add(string.Join(' ', words)))
    {
        sequences.Add((words, message.IsSpam ? 1 : 0));
    }
}
double tokenizeSeconds = clock.Elapsed.TotalSeconds;

// Stratified split: 20% of the ham and 20% of the spam held out, chosen by the seed.
(List<(string[] Words, int Label)> trainSet, List<(string[] Words, int Label)> testSet) = StratifiedSplit(sequences, TestFraction, Seed);
var tokenizer = WordTokenizer.Build(trainSet.Select(s => s.Words), SpamClassifier.VocabularySize);
Dataset<int, int> train = ToDataset(trainSet, tokenizer).WithClassNames(classNames);
Dataset<int, int> test = ToDataset(testSet, tokenizer).WithClassNames(classNames);
Console.WriteLine($"SpamAssassin corpus in {dataDir}: {messages.Count:N0} messages " +
    $"({messages.Count(m => !m.IsSpam):N0} ham, {messages.Count(m => m.IsSpam):N0} spam), {messages.Count - sequences.Count} repeats dropped, " +
    $"tokenized in {tokenizeSeconds:F1} s.");
Console.WriteLine($"{train.Count:N0} to train on, {test.Count:N0} held out ({Counts(testSet)}); " +
    $"vocabulary: the {tokenizer.VocabularySize - 2:N0} most frequent words of the training messages, " +
    $"{tokenizer.Coverage(trainSet.Select(s => s.Words)) * 100:F1}% of their words, {tokenizer.Coverage(testSet.Select(s => s.Words)) * 100:F1}% of the held-out ones; " +
    $"{Parallelism.MaxThreads} threads.");

// AdamW (lr 1e-3, weight decay 0.01), the learning rate annealed per step along a cosine to 1e-5 over all epochs.
var model = new SpamClassifier(seed: Seed);
clock.Restart();
History history = model.Fit(train, new FitOptions
{
    Epochs = epochs,
    BatchSize = BatchSize,
    Optimizer = new AdamW(1e-3f, weightDecay: 0.01f),
    Schedule = LearningRateSchedule.Cosine(tMax: epochs * ((train.Count + BatchSize - 1) / BatchSize), minimum: 1e-5).Per(ScheduleInterval.Step),
    Seed = Seed,
    Progress = new SpectreProgress(),
});
double trainSeconds = clock.Elapsed.TotalSeconds;

ClassificationReport report = model.Evaluate(test);
Console.WriteLine();
Console.WriteLine($"Held-out messages ({test.Count:N0}, never trained on), after {trainSeconds:F0} s of training " +
    $"({trainSeconds / history.Epochs.Count:F0} s per epoch):");
Console.WriteLine(report);

Console.WriteLine("New messages:");
Classify("Subject: Lunch on Thursday?\n\nHi Tom, are we still on for lunch on Thursday? The usual place at noon works for me. Cheers, Anna");
Classify("Subject: You have been selected!!!\n\nCONGRATULATIONS! You have won a FREE vacation. Click here now to claim your prize, limited time offer, no purchase necessary!");
Console.WriteLine($"Test accuracy: {report.Accuracy * 100:F2}%");
return 0;

// Prints the network's spam probability for an e-mail (headers optional: Subject is the only one read).
void Classify(string text)
{
    int[] tokens = new int[SpamClassifier.SequenceLength];
    tokenizer.Encode(WordTokenizer.Words(text, SpamClassifier.SequenceLength), tokens);
    ReadOnlySpan<float> probabilities = model.Forward(tokens, batchSize: 1);
    string firstLine = text.Split('\n')[0];
    Console.WriteLine($"  P(spam) = {probabilities[1]:F4}  {firstLine}");
}

// Splits each class separately: a seeded shuffle of its sequences, the first `testFraction` of them held out.
// The training sequences are returned shuffled across classes (Fit shuffles again every epoch).
static (List<(string[], int)> Train, List<(string[], int)> Test) StratifiedSplit(List<(string[] Words, int Label)> sequences, double testFraction, long seed)
{
    var rng = new Rng(seed);
    var train = new List<(string[], int)>();
    var test = new List<(string[], int)>();
    foreach (int label in new[] { 0, 1 })
    {
        (string[], int)[] ofClass = sequences.Where(s => s.Label == label).Select(s => (s.Words, s.Label)).ToArray();
        rng.Shuffle<(string[], int)>(ofClass);
        int testCount = (int)Math.Round(ofClass.Length * testFraction);
        test.AddRange(ofClass[..testCount]);
        train.AddRange(ofClass[testCount..]);
    }
    return (train, test);
}

// [N × 128] vocabulary ids, padded, and one label per message.
static Dataset<int, int> ToDataset(List<(string[] Words, int Label)> sequences, WordTokenizer tokenizer)
{
    int length = SpamClassifier.SequenceLength;
    int[] tokens = new int[sequences.Count * length];
    int[] labels = new int[sequences.Count];
    for (int i = 0; i < sequences.Count; i++)
    {
        tokenizer.Encode(sequences[i].Words, tokens.AsSpan(i * length, length));
        labels[i] = sequences[i].Label;
    }
    return Dataset.FromTokens(tokens, labels, length);
}

static string Counts(List<(string[] Words, int Label)> sequences) =>
    $"{sequences.Count(s => s.Label == 0):N0} ham, {sequences.Count(s => s.Label == 1):N0} spam";

/// <summary>
/// A Transformer text classifier: 128 token ids (0 = padding) → a 64-wide embedding plus a learned position
/// embedding → two encoder blocks (4 heads, feed-forward 256, padding masked) → the mean over the non-padding
/// positions → ham/spam probabilities.
/// </summary>
[Network(Loss.CrossEntropy)]
[TokenInput(128, vocabularySize: 8000)]
[Embedding(64, PaddingIndex = 0)]
[PositionalEmbedding]                                         // learned [T, D] added to the tokens, like BERT
[TransformerEncoder(heads: 4, feedForward: 256, Dropout = 0.1f)]
[TransformerEncoder(heads: 4, feedForward: 256, Dropout = 0.1f)]
[GlobalAveragePool1D]                                         // mean over the non-padding positions
[Dense(2, Activation.Softmax)]
public partial class SpamClassifier;

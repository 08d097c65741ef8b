using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

/// <summary>
/// Lowercased words (letters and digits, with an inner apostrophe) and the symbols <c>$ ! %</c>, cut to the
/// network's vocabulary: id 0 is padding, id 1 every word outside the vocabulary, ids 2… the words seen most
/// often in the training messages, most frequent first (ties in ordinal order).
/// </summary>
internal sealed partial class WordTokenizer
{
    /// <summary>The padding id (the embedding's <c>PaddingIndex</c>: masked in attention and pooling).</summary>
    public const int Padding = 0;

    /// <summary>The id of every word outside the vocabulary.</summary>
    public const int Unknown = 1;

    private readonly Dictionary<string, int> _ids;

    private WordTokenizer(Dictionary<string, int> ids, int vocabularySize)
    {
        _ids = ids;
        VocabularySize = vocabularySize;
    }

    /// <summary>The number of ids, padding and unknown included.</summary>
    public int VocabularySize { get; }

    /// <summary>The first <paramref name="sequenceLength"/> words of what the network reads of <paramref name="message"/>.</summary>
    public static string[] Words(string message, int sequenceLength) =>
        Word().Matches(MailText.ForModel(message).ToLowerInvariant()).Take(sequenceLength).Select(m => m.Value).ToArray();

    /// <summary>The vocabulary of the <paramref name="vocabularySize"/> − 2 most frequent words of <paramref name="trainingMessages"/>.</summary>
    public static WordTokenizer Build(IEnumerable<string[]> trainingMessages, int vocabularySize)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string[] message in trainingMessages)
        {
            foreach (string word in message)
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int next = Unknown + 1;
        foreach (string word in counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key).Take(vocabularySize - 2))
        {
            ids[word] = next++;
        }
        return new WordTokenizer(ids, vocabularySize);
    }

    /// <summary>Writes <paramref name="words"/> as ids into <paramref name="tokens"/>, padded at the end.</summary>
    public void Encode(IReadOnlyList<string> words, Span<int> tokens)
    {
        tokens.Fill(Padding);
        for (int i = 0; i < words.Count; i++)
        {
            tokens[i] = _ids.GetValueOrDefault(words[i], Unknown);
        }
    }

    /// <summary>The fraction of the words in <paramref name="messages"/> that are in the vocabulary.</summary>
    public double Coverage(IEnumerable<string[]> messages)
    {
        long known = 0, total = 0;
        foreach (string[] message in messages)
        {
            total += message.Length;
            known += message.Count(_ids.ContainsKey);
        }
        return total == 0 ? 1 : (double)known / total;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:'[\p{L}]+)?|[$!%]")]
    private static partial Regex Word();
}

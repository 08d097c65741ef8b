using System;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

/// <summary>
/// What the network reads of an e-mail: the Subject header and the start of the body as a reader would see
/// it (MIME boundaries and part headers, quoted-printable soft line breaks and HTML markup removed), every
/// other header dropped, whitespace runs collapsed to one space. Base64 parts and other encodings are left
/// as they are.
/// </summary>
internal static partial class MailText
{
    /// <summary>Characters of the raw body kept: enough for 128 words but for markup-heavy mail, and cheap to clean up.</summary>
    public const int MaxBodyChars = 4000;

    /// <summary>
    /// <c>"Subject: &lt;subject&gt;\n&lt;body&gt;"</c> for a message with headers; a text whose first line is not a
    /// header (<c>Name: value</c> or an mbox <c>From </c> line) is all body, with an empty subject.
    /// </summary>
    public static string ForModel(string message)
    {
        string text = message.Replace("\r\n", "\n", StringComparison.Ordinal);
        string subject = "", body = text;
        if (HeaderLine().IsMatch(text))
        {
            int end = text.IndexOf("\n\n", StringComparison.Ordinal);
            string headers = end < 0 ? text : text[..end];
            body = end < 0 ? "" : text[(end + 2)..];
            subject = Subject(headers);
        }
        if (body.Length > MaxBodyChars)
        {
            body = body[..MaxBodyChars];
        }
        return $"Subject: {Collapse(subject)}\n{Collapse(Readable(body))}";
    }

    // The Subject header's value, its folded continuation lines joined; "" when there is none.
    private static string Subject(string headers)
    {
        var value = new StringBuilder();
        bool inSubject = false;
        foreach (string line in headers.Split('\n'))
        {
            if (inSubject && line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                value.Append(' ').Append(line.Trim());
            }
            else if (inSubject)
            {
                break;
            }
            else if (line.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))
            {
                inSubject = true;
                value.Append(line.AsSpan("Subject:".Length).Trim());
            }
        }
        return value.ToString();
    }

    // The body as a reader sees it: MIME boundaries and part headers dropped, quoted-printable soft line
    // breaks joined, HTML markup (tags, comments, style and script) dropped and entities decoded.
    private static string Readable(string body)
    {
        string text = MimeLine().Replace(body, " ");
        text = text.Replace("=\n", "", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.OrdinalIgnoreCase)
            .Replace("=20", " ", StringComparison.Ordinal);
        text = HtmlBlock().Replace(text, " ");
        text = HtmlTag().Replace(text, " ");
        return WebUtility.HtmlDecode(text);
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\A(From |[!-9;-~]+:)")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^(--\S*|Content-[\w-]+:.*|X-MIME-Autoconverted:.*)$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex MimeLine();

    [GeneratedRegex(@"<!--.*?-->|<(style|script)\b.*?</\1\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex HtmlBlock();

    [GeneratedRegex(@"<[^<>]*>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

using System;
using System.Collections.Generic;
using System.Text;

namespace NetGen.Generator.Emit
{
    /// <summary>
    /// An indentation-aware text writer for generated C#; always "\n" line endings. Lines longer than
    /// <see cref="MaxWidth"/> are wrapped so a reader can take them in: a trailing comment moves above its
    /// code, comments break between words, code breaks after a comma or between statements. Code holding
    /// a string or character literal, and text of several lines, is written as it is.
    /// </summary>
    internal sealed class SourceWriter
    {
        /// <summary>The widest line written, indentation included, where it can be wrapped.</summary>
        public const int MaxWidth = 160;

        private const string IndentUnit = "    ";
        private readonly StringBuilder _text = new();
        private int _indent;

        public void Line(string line = "")
        {
            int indent = _indent * IndentUnit.Length;
            if (indent + line.Length <= MaxWidth || line.IndexOf('\n') >= 0)
            {
                Write(line);
                return;
            }
            foreach (string part in Wrap(line, MaxWidth - indent))
            {
                Write(part);
            }
        }

        private void Write(string line)
        {
            if (line.Length > 0)
            {
                for (int i = 0; i < _indent; i++)
                {
                    _text.Append(IndentUnit);
                }
                _text.Append(line);
            }
            _text.Append('\n');
        }

        /// <summary>The pieces of a long line, each at most <paramref name="width"/> wide where a break exists.</summary>
        internal static IEnumerable<string> Wrap(string line, int width)
        {
            int comment = line.IndexOf("//", StringComparison.Ordinal);
            if (comment == 0)
            {
                // A comment line: break between words, keeping its prefix ("// " or "/// ").
                int prefixEnd = line.StartsWith("/// ", StringComparison.Ordinal) ? 4 : line.StartsWith("// ", StringComparison.Ordinal) ? 3 : 2;
                string prefix = line.Substring(0, prefixEnd);
                foreach (string part in BreakWords(line.Substring(prefixEnd), width - prefix.Length))
                {
                    yield return prefix + part;
                }
                yield break;
            }
            string code = comment > 0 ? line.Substring(0, comment).TrimEnd() : line;
            if (code.IndexOf('"') >= 0 || code.IndexOf('\'') >= 0)
            {
                // A literal could hold "//", commas or anything else: leave the line whole.
                yield return line;
                yield break;
            }
            if (comment > 0)
            {
                // The trailing comment goes above the code it describes.
                foreach (string part in Wrap(line.Substring(comment), width))
                {
                    yield return part;
                }
            }
            foreach (string part in BreakArguments(code, width))
            {
                yield return part;
            }
        }

        private static IEnumerable<string> BreakWords(string text, int width)
        {
            int start = 0;
            while (text.Length - start > width)
            {
                int space = text.LastIndexOf(' ', start + width, width);
                if (space <= start)
                {
                    break;
                }
                yield return text.Substring(start, space - start);
                start = space + 1;
            }
            yield return text.Substring(start);
        }

        /// <summary>
        /// Breaks code after the commas between arguments or declarators, or between statements; where none of those fits, after
        /// the <c>=</c> of an assignment or before the <c>?</c> and <c>:</c> of a conditional (a declaration with a long
        /// initializer). Continuation lines are indented once more.
        /// </summary>
        private static IEnumerable<string> BreakArguments(string code, int width)
        {
            // Candidate breaks with their nesting depth: the shallowest that fits wins, so an argument list
            // breaks between its own arguments rather than inside a nested call. Each break is the index of the
            // space the line is cut at.
            var breaks = new List<(int At, int Depth)>();
            var fallbacks = new List<(int At, int Depth)>();
            int depth = 0;
            for (int i = 0; i < code.Length; i++)
            {
                char c = code[i];
                depth += c is '(' or '[' or '{' ? 1 : c is ')' or ']' or '}' ? -1 : 0;
                bool spaced = i > 0 && code[i - 1] == ' ' && i + 1 < code.Length && code[i + 1] == ' ';
                if ((c == ',' || (c == ';' && depth == 0)) && i + 1 < code.Length && code[i + 1] == ' ')
                {
                    breaks.Add((i + 1, depth));
                }
                else if (spaced && c == '=')
                {
                    fallbacks.Add((i + 1, depth));
                }
                else if (spaced && c is '?' or ':')
                {
                    fallbacks.Add((i - 1, depth));
                }
            }
            int start = 0;
            string lead = "";
            while (lead.Length + code.Length - start > width)
            {
                int limit = start + width - lead.Length;
                (int At, int Depth) cut = Shallowest(breaks, start, limit);
                if (cut.At < 0)
                {
                    cut = Shallowest(fallbacks, start, limit);
                }
                if (cut.At < 0)
                {
                    break;
                }
                yield return lead + code.Substring(start, cut.At - start).TrimEnd();
                start = cut.At + 1;
                lead = IndentUnit;
            }
            yield return lead + code.Substring(start);
        }

        /// <summary>Of the breaks in (start, limit], the shallowest, and of those the last; (-1, …) if none.</summary>
        private static (int At, int Depth) Shallowest(List<(int At, int Depth)> breaks, int start, int limit)
        {
            (int At, int Depth) cut = (-1, int.MaxValue);
            foreach ((int at, int d) in breaks)
            {
                if (at > start && at <= limit && (d < cut.Depth || (d == cut.Depth && at > cut.At)))
                {
                    cut = (at, d);
                }
            }
            return cut;
        }

        /// <summary>Writes <paramref name="header"/> (if any), an opening brace, and indents until the result is disposed.</summary>
        public IDisposable Block(string? header, string closing = "}")
        {
            if (header is not null)
            {
                Line(header);
            }
            Line("{");
            _indent++;
            return new Closer(this, closing);
        }

        public void Indent() => _indent++;

        public void Unindent() => _indent--;

        public override string ToString() => _text.ToString();

        private sealed class Closer(SourceWriter writer, string closing) : IDisposable
        {
            public void Dispose()
            {
                writer._indent--;
                writer.Line(closing);
            }
        }
    }
}

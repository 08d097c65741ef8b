using System;
using System.Text;

namespace NetGen.Generator.Emit
{
    /// <summary>An indentation-aware text writer for generated C#; always "\n" line endings.</summary>
    internal sealed class SourceWriter
    {
        private const string IndentUnit = "    ";
        private readonly StringBuilder _text = new();
        private int _indent;

        public void Line(string line = "")
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

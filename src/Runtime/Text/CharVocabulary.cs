using System;
using System.Collections.Generic;

namespace NetGen.Text
{
    /// <summary>
    /// A compact vocabulary built from a text: id 0 is <c>&lt;unk&gt;</c>, and ids 1…n are the text's distinct
    /// characters in ordinal order. Smaller than <see cref="ByteEncoding"/>'s 256 (an English novel has
    /// about 80), at the price of mapping any character the text lacked to <see cref="UnknownId"/>.
    /// </summary>
    /// <remarks>
    /// A character here is a UTF-16 code unit: a character outside the Basic Multilingual Plane (an emoji)
    /// is two entries, its two surrogates, and still round-trips when the text contained it. The
    /// vocabulary is a function of its character set alone, so <c>Build(vocabulary.Characters)</c> rebuilds
    /// the same one: store <see cref="Characters"/> beside a model to read its ids back later.
    /// </remarks>
    public sealed class CharVocabulary
    {
        /// <summary>The id of every character that is not in the vocabulary.</summary>
        public const int UnknownId = 0;

        /// <summary>What <see cref="Decode"/> writes for <see cref="UnknownId"/>: U+FFFD.</summary>
        public const char UnknownChar = '\uFFFD';

        private readonly Dictionary<char, int> _ids;

        private CharVocabulary(string characters)
        {
            Characters = characters;
            _ids = new Dictionary<char, int>(characters.Length);
            for (int i = 0; i < characters.Length; i++)
            {
                _ids.Add(characters[i], i + 1);
            }
        }

        /// <summary>The vocabulary of <paramref name="text"/>'s distinct characters (ordinal order).</summary>
        public static CharVocabulary Build(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            var distinct = new SortedSet<char>(text);
            char[] characters = new char[distinct.Count];
            distinct.CopyTo(characters);
            return new CharVocabulary(new string(characters));
        }

        /// <summary>The known characters, the one with id <c>i</c> at index <c>i − 1</c>.</summary>
        public string Characters { get; }

        /// <summary>The number of ids, <c>&lt;unk&gt;</c> included: <c>Characters.Length + 1</c>.</summary>
        public int Count => Characters.Length + 1;

        /// <summary>The id of <paramref name="c"/>, or <see cref="UnknownId"/> if the vocabulary lacks it.</summary>
        public int IdOf(char c) => _ids.TryGetValue(c, out int id) ? id : UnknownId;

        /// <summary>The character of <paramref name="id"/>: <see cref="UnknownChar"/> for <see cref="UnknownId"/>.</summary>
        public char CharOf(int id)
        {
            if ((uint)id >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(id), id, $"id is {id}; this vocabulary's ids are in [0, {Count}).");
            }
            return id == UnknownId ? UnknownChar : Characters[id - 1];
        }

        /// <summary>The ids of <paramref name="text"/>'s characters, one each.</summary>
        public int[] Encode(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            int[] ids = new int[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                ids[i] = IdOf(text[i]);
            }
            return ids;
        }

        /// <summary>The text of <paramref name="ids"/>; throws <see cref="ArgumentOutOfRangeException"/> for an id outside [0, <see cref="Count"/>).</summary>
        public string Decode(ReadOnlySpan<int> ids)
        {
            char[] chars = new char[ids.Length];
            for (int i = 0; i < ids.Length; i++)
            {
                if ((uint)ids[i] >= (uint)Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(ids), ids[i],
                        $"ids[{i}] is {ids[i]}; this vocabulary's ids are in [0, {Count}).");
                }
                chars[i] = CharOf(ids[i]);
            }
            return new string(chars);
        }
    }
}

using System;
using NetGen.Text;

namespace NetGen.Runtime.Tests.Text
{
    public class CharVocabularyTests
    {
        [Fact]
        public void Ids_follow_the_sorted_distinct_characters_after_unknown()
        {
            CharVocabulary vocabulary = CharVocabulary.Build("hello world");
            Assert.Equal(" dehlorw", vocabulary.Characters);
            Assert.Equal(9, vocabulary.Count);
            Assert.Equal(new[] { 4, 3, 5, 5, 6, 1, 8, 6, 7, 5, 2 }, vocabulary.Encode("hello world"));
            Assert.Equal(CharVocabulary.UnknownId, vocabulary.IdOf('z'));
            Assert.Equal(new[] { 4, 0, 8 }, vocabulary.Encode("hzw"));
            Assert.Equal("h\uFFFDw", vocabulary.Decode([4, 0, 8]));
        }

        [Fact]
        public void Round_trips_its_own_text_including_surrogate_pairs_and_rebuilds_from_its_characters()
        {
            string text = "Émile said “😀” — twice.";
            CharVocabulary vocabulary = CharVocabulary.Build(text);
            Assert.Equal(text, vocabulary.Decode(vocabulary.Encode(text)));
            CharVocabulary rebuilt = CharVocabulary.Build(vocabulary.Characters);
            Assert.Equal(vocabulary.Characters, rebuilt.Characters);
            Assert.Equal(vocabulary.Encode(text), rebuilt.Encode(text));
        }

        [Fact]
        public void An_id_outside_the_vocabulary_throws_with_its_value()
        {
            CharVocabulary vocabulary = CharVocabulary.Build("ab");
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([1, 3]));
            Assert.Contains("ids[1] is 3", e.Message);
            e = Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.CharOf(-1));
            Assert.Contains("id is -1", e.Message);
        }
    }
}

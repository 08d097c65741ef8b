using System;

namespace NetGen
{
    /// <summary>
    /// The input of a sequence model: each sample is sequenceLength token ids in
    /// [0, vocabularySize). The network's inputs become <c>ReadOnlySpan&lt;int&gt;</c>,
    /// and the first layer must be an <see cref="EmbeddingAttribute"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// [Network(Loss.CrossEntropy)]
    /// [TokenInput(64, vocabularySize: 65)]
    /// [Embedding(64)]
    /// [Lstm(128, ReturnSequences = true)]
    /// [Dense(65, Activation.Softmax)]
    /// public partial class CharModel;
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class TokenInputAttribute : Attribute
    {
        /// <summary>Declares token-id samples of sequenceLength ids, each below <paramref name="vocabularySize"/>.</summary>
        public TokenInputAttribute(int sequenceLength, int vocabularySize)
        {
            SequenceLength = sequenceLength;
            VocabularySize = vocabularySize;
        }

        /// <summary>Token ids per sample.</summary>
        public int SequenceLength { get; }

        /// <summary>Token ids are in [0, VocabularySize).</summary>
        public int VocabularySize { get; }
    }

    /// <summary>
    /// A lookup table of one learned vector per token, like <c>torch.nn.Embedding</c>: [B, T] ids →
    /// [B, T, dimensions]. Parameter <c>{Name}.weight [V, D]</c>, initialized N(0, 1).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class EmbeddingAttribute : Attribute
    {
        /// <summary>Declares an embedding of <paramref name="dimensions"/> values per token.</summary>
        public EmbeddingAttribute(int dimensions) => Dimensions = dimensions;

        /// <summary>Values per token.</summary>
        public int Dimensions { get; }

        /// <summary>The layer's name: its parameter is <c>{Name}.weight</c>. Defaults to <c>embedding</c>, <c>embedding_1</c>, ….</summary>
        public string? Name { get; set; }

        /// <summary>
        /// A token id whose vector starts at zero and never receives a gradient, as PyTorch's
        /// <c>padding_idx</c>; unset (−1) for none.
        /// </summary>
        public int PaddingIndex { get; set; } = -1;
    }

    /// <summary>
    /// A long short-term memory layer, exactly <c>torch.nn.LSTM(batch_first=True)</c>: gates i, f, g, o;
    /// parameters <c>{Name}.weight_ih_l{k} [4H, in]</c>, <c>weight_hh_l{k} [4H, H]</c>, <c>bias_ih_l{k}</c>,
    /// <c>bias_hh_l{k} [4H]</c> per stacked layer k, initialized U(−1/√H, 1/√H); initial states zero.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LstmAttribute : Attribute
    {
        /// <summary>Declares an LSTM of <paramref name="units"/> hidden units.</summary>
        public LstmAttribute(int units) => Units = units;

        /// <summary>Hidden units H.</summary>
        public int Units { get; }

        /// <summary>True: the hidden state at every step, [B, T, H]; false (default, as Keras): the last step's, [B, H].</summary>
        public bool ReturnSequences { get; set; }

        /// <summary>Stacked layers inside this one (PyTorch's <c>num_layers</c>); 1 unless set.</summary>
        public int Layers { get; set; } = 1;

        /// <summary>The layer's name. Defaults to <c>lstm</c>, <c>lstm_1</c>, ….</summary>
        public string? Name { get; set; }
    }

    /// <summary>
    /// A gated recurrent unit layer, exactly <c>torch.nn.GRU(batch_first=True)</c>: gates r, z, n with
    /// <c>n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))</c>; parameters as <see cref="LstmAttribute"/> with 3H rows.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GruAttribute : Attribute
    {
        /// <summary>Declares a GRU of <paramref name="units"/> hidden units.</summary>
        public GruAttribute(int units) => Units = units;

        /// <summary>Hidden units H.</summary>
        public int Units { get; }

        /// <summary>True: the hidden state at every step, [B, T, H]; false (default, as Keras): the last step's, [B, H].</summary>
        public bool ReturnSequences { get; set; }

        /// <summary>Stacked layers inside this one (PyTorch's <c>num_layers</c>); 1 unless set.</summary>
        public int Layers { get; set; } = 1;

        /// <summary>The layer's name. Defaults to <c>gru</c>, <c>gru_1</c>, ….</summary>
        public string? Name { get; set; }
    }
}

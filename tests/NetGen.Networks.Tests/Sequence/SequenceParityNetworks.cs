using NetGen;

// The networks of the sequence PyTorch fixtures (tests/fixtures/seq_*.json, written by
// tests/fixtures/make_sequence_fixtures.py), declared exactly as each fixture's "declaration" lists.
// Layer names are NetGen's defaults (embedding, lstm, lstm_1, gru, dense), which are the fixtures'
// torch module names, so ParameterLayout must list exactly the fixture's state_dict keys and shapes.
namespace NetGen.Networks.Tests.Sequence
{
    /// <summary>seq_embedding_pad: 5 tokens of 7 → Embedding(4, padding 0) → Dense(7, Softmax) at every step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(4, PaddingIndex = 0)]
    [Dense(7, Activation.Softmax)]
    public partial class SeqParityEmbeddingPad;

    /// <summary>seq_lstm1_last: 6 tokens of 9 → Embedding(5) → Lstm(7), last step → Dense(3, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 9)]
    [Embedding(5)]
    [Lstm(7)]
    [Dense(3, Activation.Softmax)]
    public partial class SeqParityLstm1Last;

    /// <summary>seq_lstm2_seq: 6 tokens of 9 → Embedding(5) → Lstm(7, 2 layers, every step) → Dense(9, Softmax) per step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 9)]
    [Embedding(5)]
    [Lstm(7, Layers = 2, ReturnSequences = true)]
    [Dense(9, Activation.Softmax)]
    public partial class SeqParityLstm2Seq;

    /// <summary>seq_gru1_last: 6 tokens of 9 → Embedding(5) → Gru(7), last step → Dense(3, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 9)]
    [Embedding(5)]
    [Gru(7)]
    [Dense(3, Activation.Softmax)]
    public partial class SeqParityGru1Last;

    /// <summary>seq_gru2_seq: 6 tokens of 9 → Embedding(5) → Gru(7, 2 layers, every step) → Dense(9, Softmax) per step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 9)]
    [Embedding(5)]
    [Gru(7, Layers = 2, ReturnSequences = true)]
    [Dense(9, Activation.Softmax)]
    public partial class SeqParityGru2Seq;

    /// <summary>seq_lstm_stack: 6 tokens of 9 → Embedding(5) → Lstm(7, every step) → Lstm(6), last step → Dense(3, Softmax).</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(6, vocabularySize: 9)]
    [Embedding(5)]
    [Lstm(7, ReturnSequences = true)]
    [Lstm(6)]
    [Dense(3, Activation.Softmax)]
    public partial class SeqParityLstmStack;

    /// <summary>seq_charmodel, seq_charmodel_sgd and seq_lstm_step: 8 tokens of 13 → Embedding(8) → Lstm(12) → Lstm(12) → Dense(13, Softmax) per step.</summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(8, vocabularySize: 13)]
    [Embedding(8)]
    [Lstm(12, ReturnSequences = true)]
    [Lstm(12, ReturnSequences = true)]
    [Dense(13, Activation.Softmax)]
    public partial class SeqParityCharModel;
}

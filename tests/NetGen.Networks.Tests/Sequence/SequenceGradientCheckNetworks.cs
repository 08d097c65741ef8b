using NetGen;

// Small token sequence networks for the finite-difference checks: Embedding with a padding index,
// LSTM and GRU with one and two stacked layers returning the last step or every step, two recurrent
// layers in a row, and Dense per time step (hidden and Softmax). Each has a matching reference in
// SequenceGradientCheckTests.
namespace NetGen.Networks.Tests.Sequence
{
    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 6)]
    [Embedding(3, PaddingIndex = 2)]
    [Dense(4, Activation.Tanh)]
    [Dense(6, Activation.Softmax)]
    public partial class FdSeqEmbeddingPad;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(3)]
    [Lstm(4)]
    [Dense(3, Activation.Softmax)]
    public partial class FdSeqLstmLast;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(3, PaddingIndex = 0)]
    [Lstm(4, ReturnSequences = true)]
    [Dense(7, Activation.Softmax)]
    public partial class FdSeqLstmSeq;

    [Network(Loss.CrossEntropy)]
    [TokenInput(4, vocabularySize: 6)]
    [Embedding(3)]
    [Lstm(4, Layers = 2)]
    [Dense(5, Activation.Tanh)]
    [Dense(3, Activation.Softmax)]
    public partial class FdSeqLstm2Last;

    [Network(Loss.CrossEntropy)]
    [TokenInput(4, vocabularySize: 6)]
    [Embedding(3)]
    [Lstm(4, Layers = 2, ReturnSequences = true)]
    [Dense(6, Activation.Softmax)]
    public partial class FdSeqLstm2Seq;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(3)]
    [Gru(4)]
    [Dense(3, Activation.Softmax)]
    public partial class FdSeqGruLast;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 7)]
    [Embedding(3, PaddingIndex = 6)]
    [Gru(4, ReturnSequences = true)]
    [Dense(7, Activation.Softmax)]
    public partial class FdSeqGruSeq;

    [Network(Loss.CrossEntropy)]
    [TokenInput(4, vocabularySize: 6)]
    [Embedding(3)]
    [Gru(4, Layers = 2)]
    [Dense(3, Activation.Softmax)]
    public partial class FdSeqGru2Last;

    [Network(Loss.CrossEntropy)]
    [TokenInput(4, vocabularySize: 6)]
    [Embedding(3)]
    [Gru(4, Layers = 2, ReturnSequences = true)]
    [Dense(6, Activation.Softmax)]
    public partial class FdSeqGru2Seq;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 6)]
    [Embedding(3)]
    [Lstm(4, ReturnSequences = true)]
    [Lstm(3)]
    [Dense(3, Activation.Softmax)]
    public partial class FdSeqTwoLstms;

    [Network(Loss.CrossEntropy)]
    [TokenInput(5, vocabularySize: 6)]
    [Embedding(3)]
    [Lstm(4, ReturnSequences = true)]
    [Gru(3, ReturnSequences = true)]
    [Dense(5, Activation.ReLU)]
    [Dense(6, Activation.Softmax)]
    public partial class FdSeqLstmGruPerStep;
}

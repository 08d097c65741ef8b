// The networks of the workloads, declared as a NetGen user would. The PyTorch script builds the same
// shapes (benchmarks/pytorch/bench.py).
using NetGen;

namespace NetGen.Benchmarks
{
    /// <summary>W1: 784 → 500 Sigmoid → 10 Softmax, cross-entropy (trained with SGD, lr 0.1).</summary>
    [Network(Loss.CrossEntropy)]
    [Input(784)]
    [Dense(500, Activation.Sigmoid)]
    [Dense(10, Activation.Softmax)]
    public partial class Mlp500;

    /// <summary>W2: 784 → 128 ReLU → 64 ReLU → 10 Softmax, cross-entropy (trained with Adam, lr 1e-3).</summary>
    [Network(Loss.CrossEntropy)]
    [Input(784)]
    [Dense(128, Activation.ReLU)]
    [Dense(64, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class Mlp128x64;

    /// <summary>W3a: XOR, 2 → 3 Sigmoid → 1 Sigmoid, binary cross-entropy (SGD, batch 4).</summary>
    [Network(Loss.BinaryCrossEntropy)]
    [Input(2)]
    [Dense(3, Activation.Sigmoid)]
    [Dense(1, Activation.Sigmoid)]
    public partial class Xor;

    /// <summary>W3b: linear regression, 1 → 1, mean squared error (Adam, full batch of 100).</summary>
    [Network(Loss.MeanSquaredError)]
    [Input(1)]
    [Dense(1)]
    public partial class LinearRegression;

    /// <summary>W4: the Fashion-MNIST CNN: Conv 32 3×3 ReLU → MaxPool 2 → Conv 64 3×3 ReLU → MaxPool 2 → Flatten → Dropout 0.25 → Dense 128 ReLU → Dense 10 Softmax (Adam, lr 1e-3).</summary>
    [Network(Loss.CrossEntropy)]
    [Input(1, 28, 28)]
    [Conv2D(32, kernel: 3, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Conv2D(64, kernel: 3, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Flatten]
    [Dropout(0.25f)]
    [Dense(128, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    public partial class FashionCnn;

    /// <summary>
    /// W5: a sequence model over samples of 64 token ids (vocabulary 64): Embedding 64 → LSTM 128 → LSTM 128 (both
    /// returning every step) → Dense 64 Softmax at every step; cross-entropy over all 64 positions (Adam, lr 1e-3,
    /// batch 32). The sequence issue calls this workload "W4"; in this suite W4 is the CNN.
    /// </summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(64, vocabularySize: 64)]
    [Embedding(64)]
    [Lstm(128, ReturnSequences = true)]
    [Lstm(128, ReturnSequences = true)]
    [Dense(64, Activation.Softmax)]
    public partial class LstmSequenceModel;

    /// <summary>
    /// W6: a Transformer classifier over samples of 64 token ids (vocabulary 64): Embedding 64 → two post-norm
    /// TransformerEncoder blocks (4 heads of 16, feed-forward 256 ReLU, dropout 0.1) → the mean over time →
    /// Dense 2 Softmax; cross-entropy, one label per sample (AdamW, lr 1e-3, weight decay 0.01, batch 32).
    /// The Transformer issue calls this workload "W5"; in this suite W5 is the LSTM sequence model.
    /// </summary>
    [Network(Loss.CrossEntropy)]
    [TokenInput(64, vocabularySize: 64)]
    [Embedding(64)]
    [TransformerEncoder(heads: 4, feedForward: 256, Dropout = 0.1f)]
    [TransformerEncoder(heads: 4, feedForward: 256, Dropout = 0.1f)]
    [GlobalAveragePool1D]
    [Dense(2, Activation.Softmax)]
    public partial class TransformerClassifier;
}

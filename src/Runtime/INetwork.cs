using System;
using System.Collections.Generic;

namespace NetGen
{
    /// <summary>
    /// What every generated network offers, whatever its inputs and targets: sizes, the flat parameter and
    /// gradient buffers and their layout. Generated classes implement <see cref="INetwork{TInput, TTarget}"/>
    /// (<see cref="INetwork{TTarget}"/> for float inputs), which adds inference and training.
    /// </summary>
    /// <remarks>
    /// A network instance is not thread-safe: it owns the workspace its passes write. For concurrent inference give each
    /// thread an inference copy (<see cref="IInferenceNetwork{TInput}.CreateInferenceCopy"/>, sharing the parameters) or use
    /// an <see cref="InferencePool{TInput}"/>.
    /// </remarks>
    public interface INetwork
    {
        /// <summary>
        /// Input values per sample: floats for a network with float inputs, token ids (the sequence length)
        /// for a network with <see cref="int"/> token inputs.
        /// </summary>
        int InputSize { get; }

        /// <summary>Floats per output sample.</summary>
        int OutputSize { get; }

        /// <summary>The shape of one input sample, without the batch dimension.</summary>
        IReadOnlyList<int> InputShape { get; }

        /// <summary>Number of trainable parameters: the length of <see cref="Parameters"/>.</summary>
        int ParameterCount { get; }

        /// <summary>The loss the network is trained with.</summary>
        Loss Loss { get; }

        /// <summary>Every trainable parameter, layers in declaration order, weight then bias.</summary>
        Span<float> Parameters { get; }

        /// <summary>The gradient of the last computed loss for each parameter, laid out like <see cref="Parameters"/>.</summary>
        Span<float> Gradients { get; }

        /// <summary>Name, shape and offset of each tensor in <see cref="Parameters"/>, PyTorch <c>state_dict</c> style.</summary>
        IReadOnlyList<ParameterTensor> ParameterLayout { get; }

        /// <summary>
        /// Non-trainable state that belongs with the parameters in a checkpoint (PyTorch's "buffers",
        /// e.g. batch-norm running statistics); optimizers never touch it. Empty for most networks.
        /// </summary>
        Span<float> Buffers { get; }

        /// <summary>Name, shape and offset of each tensor in <see cref="Buffers"/>.</summary>
        IReadOnlyList<ParameterTensor> BufferLayout { get; }

        /// <summary>A table of layers, output shapes and parameter counts, like Keras' <c>model.summary()</c>.</summary>
        string Summary { get; }

        /// <summary>The layers as the generator checked them (kinds, names, shapes, settings), for exporters.</summary>
        NetworkArchitecture Architecture =>
            throw new NotSupportedException($"{GetType().Name} states no architecture (generated networks do): it cannot be exported.");

        /// <summary>The outputs of the most recent forward pass of any kind (inference or training), [batch, OutputSize].</summary>
        ReadOnlySpan<float> Outputs { get; }

        /// <summary>
        /// True when the parameters and buffers are shared with inference copies (this instance is one, or copies
        /// were made from it; see <see cref="IInferenceNetwork{TInput}.CreateInferenceCopy"/>): they are then read-only,
        /// and training and checkpoint loading are refused. False for networks that never share.
        /// </summary>
        bool SharesParameters => false;

        /// <summary>
        /// The random stream training draws from (dropout masks), or null when training is a function of the
        /// data alone. Resumable checkpoints save its <see cref="Rng.State"/>, so resumed training repeats the same masks.
        /// </summary>
        Rng? TrainingRng { get; }
    }

    /// <summary>
    /// Inference on inputs of type <typeparamref name="TInput"/> (<see cref="float"/> values, or <see cref="int"/> token
    /// ids), whatever the network is trained against: what <see cref="InferencePool{TInput}"/> needs.
    /// </summary>
    public interface IInferenceNetwork<TInput> : INetwork where TInput : unmanaged
    {
        /// <summary>
        /// Inference without a copy: the outputs for <paramref name="batchSize"/> samples, [batchSize, OutputSize],
        /// as a view of the network's own buffer that stays valid until its next pass.
        /// </summary>
        ReadOnlySpan<float> Forward(ReadOnlySpan<TInput> inputs, int batchSize);

        /// <summary>Inference: writes what the last layer declares (probabilities for Softmax) for <paramref name="batchSize"/> samples.</summary>
        void Forward(ReadOnlySpan<TInput> inputs, Span<float> outputs, int batchSize);

        /// <summary>
        /// A new instance that shares this one's parameters and buffers (no copy) and owns a workspace of its own, so the
        /// two can run inference on different threads at once. From then on both are read-only: they refuse training and
        /// checkpoint loading (<see cref="INetwork.SharesParameters"/>). Generated networks implement it; other
        /// implementations throw <see cref="NotSupportedException"/>.
        /// </summary>
        IInferenceNetwork<TInput> CreateInferenceCopy() =>
            throw new NotSupportedException($"{GetType().Name} cannot share its parameters with an inference copy; only generated networks can.");
    }

    /// <summary>
    /// A network that takes inputs of type <typeparamref name="TInput"/> (<see cref="float"/> values, or
    /// <see cref="int"/> token ids for a network that starts with an embedding) and is trained against
    /// targets of type <typeparamref name="TTarget"/>: <see cref="int"/> class labels for
    /// <see cref="Loss.CrossEntropy"/>, <see cref="float"/> values (<c>OutputSize</c> per sample) for
    /// <see cref="Loss.MeanSquaredError"/> and <see cref="Loss.BinaryCrossEntropy"/>.
    /// </summary>
    /// <remarks>
    /// A cross-entropy network may classify every time step: outputs <c>[B, T, V]</c>, targets <c>[B, T]</c>
    /// labels, <see cref="TargetSize"/> = T; it has <c>OutputSize / TargetSize</c> = V classes and its loss is
    /// the mean over the B·T positions.
    /// </remarks>
    public interface INetwork<TInput, TTarget> : IInferenceNetwork<TInput> where TInput : unmanaged where TTarget : unmanaged
    {
        /// <summary>
        /// Number of <typeparamref name="TTarget"/> values per sample: 1 label; T labels for a classifier of
        /// every one of T time steps; or <see cref="INetwork.OutputSize"/> floats.
        /// </summary>
        int TargetSize { get; }

        /// <summary>Forward in inference mode and the mean loss over the batch; parameters and gradients are left alone.</summary>
        float ComputeLoss(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets, int batchSize);

        /// <summary>Forward, mean loss over the batch, backward. Overwrites <see cref="INetwork.Gradients"/>; returns the loss.</summary>
        float ComputeGradients(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets, int batchSize);

        /// <summary><see cref="ComputeGradients"/>, then one step of <paramref name="optimizer"/>; returns the loss before the step.</summary>
        /// <remarks>
        /// The cheap primitive: it does not check the loss or the gradients for NaN/∞ and applies the step whatever
        /// they are (check the returned loss yourself). <c>Fit</c> checks every batch before stepping and stops a
        /// diverging run (see <c>FitOptions.OnNonFinite</c>).
        /// </remarks>
        float TrainStep(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets, int batchSize, Optimizer optimizer);
    }

    /// <summary>
    /// A network with <see cref="float"/> inputs (<c>InputSize</c> floats per sample), trained against targets
    /// of type <typeparamref name="TTarget"/>; see <see cref="INetwork{TInput, TTarget}"/>.
    /// </summary>
    public interface INetwork<TTarget> : INetwork<float, TTarget> where TTarget : unmanaged
    {
    }
}

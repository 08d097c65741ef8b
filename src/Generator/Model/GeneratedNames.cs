using System.Collections.Generic;

namespace NetGen.Generator.Model
{
    /// <summary>
    /// The names of the members NetGen generates, so the checker can refuse a class that would
    /// clash with them (a member may not share its class's name). Each layer kind lists the constants it
    /// adds in <see cref="Layers.LayerKind.ConstantSuffixes"/>.
    /// </summary>
    internal static class GeneratedNames
    {
        /// <summary>Members every network gets.</summary>
        public static readonly IReadOnlyCollection<string> Members = new HashSet<string>
        {
            "InputSize", "OutputSize", "ParameterCount", "TargetSize", "InputShape",
            "Parameters", "Gradients", "ParameterLayout", "Buffers", "BufferLayout", "BufferCount", "Summary", "Outputs",
            "Forward", "ComputeLoss", "ComputeGradients", "TrainStep", "TrainingRng", "Load",
            "CheckBatch", "ForwardPass", "LossPass", "BackwardPass", "EnsureCapacity", "EnsureTrainingCapacity",
            "SequenceLength", "VocabularySize", "Classes", "Step", "ResetState", "StartStreams", "_streams", "_position",
            "Enter", "GradientsPass", "_entered", "_parameters", "_gradients", "_buffers", "_capacity", "_trainingCapacity", "_lastBatch", "_dropoutRng",
            "CreateInferenceCopy", "SharesParameters", "_sharesParameters",
        };

    }
}

using System.Collections.Generic;

namespace NetGen.Generator.Model
{
    /// <summary>
    /// The names of the members NetGen generates, so the checker can refuse a class that would
    /// clash with them (a member may not share its class's name) and the emitter can derive a
    /// layer's constants and fields from one place.
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
            "_parameters", "_gradients", "_buffers", "_capacity", "_trainingCapacity", "_lastBatch", "_dropoutRng",
        };

        /// <summary>Suffixes of a layer's constants: <c>HiddenIn</c>, <c>HiddenWeight</c>, ….</summary>
        public static readonly IReadOnlyList<string> LayerConstantSuffixes = new[]
        {
            "In", "Out", "Weight", "Bias", "RunningMean", "RunningVar", "BatchesTracked", "Geometry", "Channels", "Plane", "Patch", "Positions", "Filters",
        };
    }
}

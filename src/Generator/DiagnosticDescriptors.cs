using Microsoft.CodeAnalysis;

namespace NetGen.Generator
{
    /// <summary>
    /// Every diagnostic NetGen reports, in one place. Errors for what cannot compile to a correct
    /// network, warnings for legal but suspicious choices. New IDs go to AnalyzerReleases.Unshipped.md.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "NetGen";

        /// <summary>
        /// Where each diagnostic is explained: its section of docs/diagnostics.md (the anchor is the lower-case
        /// ID). The repository-relative path stands until the project has a public address; then only this changes.
        /// </summary>
        public const string HelpLinkBase = "docs/diagnostics.md#";

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id.ToLowerInvariant());

        private static DiagnosticDescriptor Warning(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id.ToLowerInvariant());

        // ---- The class that carries [Network] ----------------------------------------------------

        public static readonly DiagnosticDescriptor NotPartial = Error("NG0001",
            "Network class must be partial",
            "The network class '{0}' must be declared 'partial' so NetGen can add the generated members");

        public static readonly DiagnosticDescriptor Nested = Error("NG0002",
            "Network class must not be nested",
            "The network class '{0}' is nested in '{1}'; declare networks directly in a namespace");

        public static readonly DiagnosticDescriptor Generic = Error("NG0003",
            "Network class must not be generic",
            "The network class '{0}' has type parameters; a network's shapes are fixed, so declare it without them");

        public static readonly DiagnosticDescriptor StaticOrAbstract = Error("NG0004",
            "Network class must be instantiable",
            "The network class '{0}' is {1}; NetGen generates a constructor, so the class must be neither static nor abstract");

        public static readonly DiagnosticDescriptor NotAClass = Error("NG0005",
            "Network must be a plain class",
            "'{0}' is a record; declare the network as a 'partial class'");

        // ---- Input -------------------------------------------------------------------------------

        public static readonly DiagnosticDescriptor NoInput = Error("NG0006",
            "Network declares no input",
            "Network '{0}' declares no [Input]; add one, e.g. [Input(784)], before its first layer");

        public static readonly DiagnosticDescriptor MultipleInputs = Error("NG0007",
            "Network declares more than one input",
            "Network '{0}' already declares an [Input]; a network has exactly one, so remove this one");

        public static readonly DiagnosticDescriptor InputNotFirst = Error("NG0008",
            "Input must come before the layers",
            "[Input] must come before the layers, but it follows [{0}]; layers run in source order, so move [Input] up");

        public static readonly DiagnosticDescriptor InputWithoutDimensions = Error("NG0009",
            "Input declares no dimensions",
            "[Input] declares no dimensions; give the shape of one sample, e.g. [Input(784)] or [Input(28, 28)]");

        // ---- Argument values ---------------------------------------------------------------------

        public static readonly DiagnosticDescriptor NonPositiveSize = Error("NG0010",
            "Size must be positive",
            "{0} must be at least 1, but is {1}");

        public static readonly DiagnosticDescriptor UndefinedEnumValue = Error("NG0011",
            "Undefined enum value",
            "{0} is not a defined {1} value");

        // ---- Layers ------------------------------------------------------------------------------

        public static readonly DiagnosticDescriptor NoLayers = Error("NG0012",
            "Network has no layer with parameters",
            "Network '{0}' has no layer with parameters, so there is nothing to train; add one, e.g. [Dense(10, Activation.Softmax)]");

        public static readonly DiagnosticDescriptor SplitAcrossPartials = Error("NG0013",
            "Layers split across partial declarations",
            "[{0}] is on another partial declaration of '{1}' than [Network]; put all of the network's attributes on one declaration, since their order is the layer order");

        public static readonly DiagnosticDescriptor InvalidLayerName = Error("NG0014",
            "Invalid layer name",
            "Layer name \"{0}\" is not valid; use letters, digits and underscores, starting with a letter or underscore, since it becomes a checkpoint key");

        public static readonly DiagnosticDescriptor DuplicateLayerName = Error("NG0015",
            "Duplicate layer name",
            "Layer name \"{0}\" is already used by an earlier layer; parameter names ({0}.weight, …) must be unique");

        public static readonly DiagnosticDescriptor DenseNeedsFlatInput = Error("NG0016",
            "Dense layer needs a flat input",
            "Dense layer '{0}' receives {1}, but a Dense layer needs a flat input [B, N]; add [Flatten] before it to get [B, {2}]");

        // ---- Loss and output ---------------------------------------------------------------------

        public static readonly DiagnosticDescriptor CrossEntropyNeedsSoftmax = Error("NG0017",
            "CrossEntropy needs a Softmax output",
            "Loss.CrossEntropy needs a Dense output layer with Activation.Softmax, but the last layer '{0}' {1}");

        public static readonly DiagnosticDescriptor BinaryCrossEntropyNeedsSigmoid = Error("NG0018",
            "BinaryCrossEntropy needs a Sigmoid output",
            "Loss.BinaryCrossEntropy needs a Dense output layer with Activation.Sigmoid, but the last layer '{0}' {1}");

        public static readonly DiagnosticDescriptor NetworkTooLarge = Error("NG0019",
            "Network too large",
            "{0} is {1:N0}, more than the {2:N0} a single buffer can hold");

        public static readonly DiagnosticDescriptor SoftmaxOnHiddenLayer = Warning("NG0020",
            "Softmax on a hidden layer",
            "Layer '{0}' applies Softmax but is not the output layer; Softmax squashes features into one distribution and usually belongs only on the last layer");

        public static readonly DiagnosticDescriptor FlattenHasNoEffect = Warning("NG0021",
            "Flatten has no effect",
            "Flatten '{0}' receives {1}, which is already flat; remove it");

        // ---- More about the class ----------------------------------------------------------------

        public static readonly DiagnosticDescriptor FileLocal = Error("NG0022",
            "Network class must not be file-local",
            "The network class '{0}' is file-local, but NetGen adds its members from another file; remove the 'file' modifier");

        public static readonly DiagnosticDescriptor ConstructorConflict = Error("NG0023",
            "Constructor conflicts with the generated one",
            "'{0}' {1}; NetGen generates the constructor {0}(int seed = 0), so remove yours or give it other parameters");

        public static readonly DiagnosticDescriptor NameClash = Error("NG0024",
            "Class name clashes with a generated member",
            "The class name '{0}' is also the name of a member NetGen generates for it; rename the class");

        // ---- Spatial layers -----------------------------------------------------------------------

        public static readonly DiagnosticDescriptor WindowTooLarge = Error("NG0025",
            "Window larger than its input",
            "{0} '{1}' slides a {2} window over {3} padded to {4}×{5}: no window fits, so the output would be empty");

        public static readonly DiagnosticDescriptor SameWithStride = Warning("NG0026",
            "Same padding with a stride",
            "Padding.Same keeps the size only with stride 1; with stride {0}, '{1}' maps {2} to {3}");

        public static readonly DiagnosticDescriptor NeedsSpatialInput = Error("NG0027",
            "Layer needs a [C, H, W] input",
            "{0} '{1}' needs an input [B, C, H, W], but receives {2}; declare the input with its channels, e.g. [Input(1, 28, 28)]");

        public static readonly DiagnosticDescriptor DropoutRate = Error("NG0028",
            "Dropout rate outside [0, 1)",
            "Dropout '{0}' has rate {1}; the rate is the probability of dropping a value and must be in [0, 1)");

        public static readonly DiagnosticDescriptor BatchNormInput = Error("NG0029",
            "BatchNorm has nothing to normalize",
            "BatchNorm '{0}' receives {1}; it normalizes features [B, F] (after Dense) or channels [B, C, H, W] (after Conv2D)");

        public static readonly DiagnosticDescriptor PaddingConflict = Error("NG0030",
            "Padding given twice",
            "'{0}' sets both Padding and Pad; choose Padding.Same/Valid or an explicit Pad, not both");

        public static readonly DiagnosticDescriptor InvalidValue = Error("NG0031",
            "Value out of range",
            "{0} must be {1}, but is {2}");

        public static readonly DiagnosticDescriptor ActivationNotAvailable = Error("NG0032",
            "Activation not available on this layer",
            "Softmax is not available on {0} '{1}': it normalizes across features, so put it on a Dense output layer");

        // ---- Sequences ---------------------------------------------------------------------------

        public static readonly DiagnosticDescriptor TokensNeedEmbedding = Error("NG0033",
            "Token ids need an Embedding",
            "{0} '{1}' receives token ids {2}; token ids are integers, not features, so put [Embedding(...)] right after [TokenInput] to turn each id into a vector");

        public static readonly DiagnosticDescriptor EmbeddingNotAfterTokenInput = Error("NG0034",
            "Embedding must come right after TokenInput",
            "Embedding '{0}' receives {1}; an Embedding looks up token ids, so it must be the first layer after [TokenInput(sequenceLength, vocabularySize)]");

        public static readonly DiagnosticDescriptor RecurrentNeedsSequence = Error("NG0035",
            "Recurrent layer needs a sequence",
            "{0} '{1}' receives {2}, which has no time axis; a recurrent layer reads a sequence [B, T, D], e.g. from [TokenInput] and [Embedding]");

        public static readonly DiagnosticDescriptor RecurrentAfterLastStep = Error("NG0036",
            "Recurrent layer after one that returns only its last step",
            "{0} '{1}' follows '{2}', which returns only its last step {3}; set ReturnSequences = true on '{2}' so '{1}' receives every step");

        // ---- Attention and Transformers ---------------------------------------------------------

        public static readonly DiagnosticDescriptor HeadsDoNotDivide = Error("NG0037",
            "Model width not divisible by the head count",
            "{0} '{1}' splits {2} features into {3} heads, but {2} is not a multiple of {3}; heads that divide {2} nearby: {4}");

        public static readonly DiagnosticDescriptor NeedsTimeAxis = Error("NG0038",
            "Layer needs a sequence",
            "{0} '{1}' receives {2}, which has no time axis; it works on a sequence [B, T, D], e.g. from [TokenInput] and [Embedding]");

        public static readonly DiagnosticDescriptor CausalThenPooled = Warning("NG0039",
            "Causal layers pooled over time",
            "GlobalAveragePool1D '{0}' averages every position after the causal '{1}', so each output mixes in the future the causal mask kept out; drop Causal for a classifier, or predict per step");

        public static readonly DiagnosticDescriptor PositionalNeedsSequence = Error("NG0040",
            "PositionalEmbedding needs a sequence",
            "PositionalEmbedding '{0}' receives {1}; it adds a vector per time step, so it needs a sequence [B, T, D], e.g. right after [Embedding]");

        // ---- The generator itself ----------------------------------------------------------------

        public static readonly DiagnosticDescriptor InternalError = Error("NG0099",
            "NetGen internal error",
            "NetGen failed while generating '{0}': {1}. Please report this with the declaration that caused it.");
    }
}

namespace NetGen.Generator.Emit
{
    /// <summary>Flatten is a view: the next layer reads the same floats as [B, size]; its gradient passes through.</summary>
    internal sealed class FlattenEmitter : LayerEmitter
    {
        public static readonly FlattenEmitter Instance = new();

        public override string OutputVar(LayerContext context) => context.InputVar;

        public override string? OutputGradientVar(LayerContext context) => context.InputGradientVar;

        public override string Describe(LayerContext context) =>
            $"{context.Layer.Name}: Flatten {context.Layer.Input} -> {context.Layer.Output}, a view: no data moves";

        public override void Forward(SourceWriter writer, LayerContext context)
        {
        }

        public override void Backward(SourceWriter writer, LayerContext context) =>
            writer.Line(context.InputGradientVar is null
                ? $"// {context.Layer.Name} backward: nothing to do, no earlier layer needs a gradient"
                : $"// {context.Layer.Name} backward: the gradient passes through as {context.Layer.Input}");
    }
}

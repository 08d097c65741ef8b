namespace NetGen.Kernels
{
    /// <summary>
    /// How many rows of A a dot tile computes (1 to 3): a type argument, so that each count compiles to its own loop
    /// without the multiply-adds of the rows it does not have (one row is a layer's input at batch 1 — a recurrent step
    /// of one sequence, one sample through a Dense layer — where a three-row tile would do three times the work).
    /// </summary>
    internal interface IDotRows
    {
        static abstract int Count { get; }
    }

    internal readonly struct OneRow : IDotRows
    {
        public static int Count => 1;
    }

    internal readonly struct TwoRows : IDotRows
    {
        public static int Count => 2;
    }

    internal readonly struct ThreeRows : IDotRows
    {
        public static int Count => 3;
    }

    /// <summary>
    /// Whether a broadcast tile is two vectors wide or one: a type argument, so that the one-vector loop has no second
    /// vector's loads, multiply-adds and stores (Vector128: 4 columns instead of 8; Vector512: 16 or fewer instead of 32,
    /// an attention head of 16, where the second vector would be all masked).
    /// </summary>
    internal interface IColumns
    {
        static abstract bool Second { get; }
    }

    internal readonly struct TwoVectors : IColumns
    {
        public static bool Second => true;
    }

    internal readonly struct OneVector : IColumns
    {
        public static bool Second => false;
    }
}

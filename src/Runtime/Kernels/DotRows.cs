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
}

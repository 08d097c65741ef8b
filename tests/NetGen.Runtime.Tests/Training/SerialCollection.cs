namespace NetGen.Runtime.Tests.Training
{
    /// <summary>
    /// Tests that measure the whole process (heap size, resident set) or lean on timing (killing a child mid-save):
    /// xunit runs this collection alone, after the parallel ones, so other tests' allocations and CPU do not blur them.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class SerialCollection
    {
        public const string Name = "Serial: whole-process measurements";
    }
}

using System;
using System.Collections.Immutable;
using System.Globalization;
using NetGen.Checkpoints;

// Usage: NetGen.CrashTarget <path> <megabytes> <first-generation>
// Saves <path> again and again, generation after generation: one F32 tensor "w" of <megabytes> MB, every value
// equal to the generation, which is also in the metadata, so a reader can tell a whole file from a torn one.
// Prints "saved {generation}" after each save; runs until it is killed.
string path = args[0];
int megabytes = int.Parse(args[1], CultureInfo.InvariantCulture);
int generation = int.Parse(args[2], CultureInfo.InvariantCulture);
float[] values = new float[megabytes * (1 << 20) / sizeof(float)];
Console.Out.Flush();
Console.WriteLine("ready");
for (; ; generation++)
{
    Array.Fill(values, generation);
    var writer = new SafeTensorsWriter();
    writer.Metadata["generation"] = generation.ToString(CultureInfo.InvariantCulture);
    writer.Add("w", ImmutableArray.Create(values.Length), values);
    writer.Save(path);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved {generation}"));
}

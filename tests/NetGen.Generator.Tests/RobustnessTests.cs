using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests
{
    /// <summary>
    /// What an IDE feeds the generator on every keystroke: malformed, half-typed and odd declarations.
    /// The generator must never throw or report its internal error, and whatever it generates for input
    /// the compiler accepts must compile too.
    /// </summary>
    public class RobustnessTests
    {
        private const string Head = "using NetGen;\n\nnamespace Demo;\n\n";

        /// <summary>A valid body to hang declarations on: [Network] + [Input] + one layer.</summary>
        private const string Valid = "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\n";

        private static readonly Dictionary<string, string> Cases = new()
        {
            // Missing and mistyped arguments: the compiler's errors, the generator stays quiet.
            ["Dense without arguments"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense()]\npublic partial class Net;",
            ["Dense with a string"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(\"10\")]\npublic partial class Net;",
            ["Dense with an int activation"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(10, 3)]\npublic partial class Net;",
            ["Dense with a non-constant size"] = Head + "public static class Sizes { public static int Hidden = 10; }\n[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(Sizes.Hidden)]\npublic partial class Net;",
            ["Dense with a wrongly typed Name"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Name = 5)]\npublic partial class Net;",
            ["Dense with an unknown named argument"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Nmae = \"x\")]\npublic partial class Net;",
            ["Dense with too many arguments"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Activation.ReLU, 3)]\npublic partial class Net;",
            ["Input with a double"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(1.5)]\n[Dense(1)]\npublic partial class Net;",
            ["Input with a string among ints"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(28, \"28\")]\n[Dense(1)]\npublic partial class Net;",
            ["Input without parentheses"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input]\n[Dense(1)]\npublic partial class Net;",
            ["Network without arguments"] = Head + "[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;",
            ["Network with empty parentheses"] = Head + "[Network()]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;",
            ["Network with an int loss"] = Head + "[Network(1)]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;",

            // Half-typed syntax.
            ["Cut off after Activation dot"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(10, Activation.\npublic partial class Net;",
            ["Unclosed attribute bracket"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(10, Activation.ReLU)\npublic partial class Net;",
            ["Unclosed Network parenthesis"] = Head + "[Network(Loss.CrossEntropy\n[Input(2)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Dense cut off after the parenthesis"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(\npublic partial class Net;",
            ["Attributes with no class yet"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\n",
            ["Class keyword without a name"] = Head + Valid + "public partial class\n",
            ["Missing using NetGen"] = "namespace Demo;\n\n" + Valid + "public partial class Net;",

            // Undefined enum values and bad sizes: NetGen's errors.
            ["Undefined activation"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, (Activation)42)]\npublic partial class Net;",
            ["Undefined loss"] = Head + "[Network((Loss)9)]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;",
            ["Negative loss"] = Head + "[Network((Loss)(-1))]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;",
            ["Undefined initializer"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Init = (Initializer)99)]\npublic partial class Net;",
            ["Input of zero"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(0)]\n[Dense(1)]\npublic partial class Net;",
            ["Input with a negative dimension"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(-3, 5)]\n[Flatten]\n[Dense(1)]\npublic partial class Net;",
            ["Input with no dimensions"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input()]\n[Dense(1)]\npublic partial class Net;",
            ["Dense of zero units"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(0)]\npublic partial class Net;",
            ["Dense of int.MinValue units"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(int.MinValue)]\npublic partial class Net;",
            ["Dense of int.MaxValue units"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(int.MaxValue)]\npublic partial class Net;",
            ["Dense of int.MaxValue units after one input"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(1)]\n[Dense(int.MaxValue)]\npublic partial class Net;",
            ["Input of int.MaxValue squared"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(int.MaxValue, int.MaxValue)]\n[Flatten]\n[Dense(1)]\npublic partial class Net;",
            ["Largest Dense that fits"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(46340)]\n[Dense(46340)]\npublic partial class Net;",
            ["Two Dense layers that do not fit together"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(46340)]\n[Dense(46340)]\n[Dense(46340)]\npublic partial class Net;",

            // Names.
            ["Empty layer name"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Name = \"\")]\npublic partial class Net;",
            ["Layer name with a space"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Name = \"a b\")]\npublic partial class Net;",
            ["Layer name with a dot"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Name = \"x.y\")]\npublic partial class Net;",
            ["Layer name starting with a digit"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Name = \"1st\")]\npublic partial class Net;",
            ["Layer name with a non-ASCII letter"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Name = \"héllo\")]\npublic partial class Net;",
            ["Layer name with a quote"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, Name = \"a\\\"b\")]\npublic partial class Net;",
            ["Duplicate layer names"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, Name = \"h\")]\n[Dense(1, Name = \"h\")]\npublic partial class Net;",
            ["Duplicate names across Flatten and Dense"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2, 2)]\n[Flatten(Name = \"h\")]\n[Dense(1, Name = \"h\")]\npublic partial class Net;",
            ["Null layer name"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, Name = null)]\n[Dense(1, Name = null)]\npublic partial class Net;",
            ["Explicit name equal to a later default"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3)]\n[Dense(3, Name = \"dense\")]\n[Dense(1, Name = \"dense_1\")]\npublic partial class Net;",
            ["Underscore-only and digit names"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, Name = \"_\")]\n[Dense(3, Name = \"__\")]\n[Dense(3, Name = \"_1\")]\n[Dense(1, Name = \"layer3\")]\npublic partial class Net;",
            ["Names that differ only in case"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, Name = \"hidden\")]\n[Dense(3, Name = \"Hidden\")]\n[Dense(1, Name = \"HIDDEN\")]\npublic partial class Net;",
            ["Names like generated locals"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, Name = \"x\")]\n[Dense(3, Name = \"p\")]\n[Dense(3, Name = \"g\")]\n[Dense(3, Name = \"B\")]\n[Dense(1, Name = \"rng\")]\npublic partial class Net;",
            ["Names like C# keywords"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, Name = \"class\")]\n[Dense(3, Name = \"int\")]\n[Dense(1, Name = \"return\")]\npublic partial class Net;",
            ["Names like generated members"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, Name = \"input\")]\n[Dense(3, Name = \"output\")]\n[Dense(3, Name = \"parameter\")]\n[Dense(1, Name = \"target\")]\npublic partial class Net;",

            // The class itself.
            ["Empty class body"] = Head + "[Network(Loss.MeanSquaredError)]\npublic partial class Net { }",
            ["Not partial"] = Head + Valid + "public class Net;",
            ["Struct"] = Head + Valid + "public partial struct Net;",
            ["Record class"] = Head + Valid + "public partial record Net;",
            ["Record struct"] = Head + Valid + "public partial record struct Net;",
            ["Interface"] = Head + Valid + "public partial interface INet;",
            ["Enum"] = Head + Valid + "public enum Net { A }",
            ["Method"] = Head + "public static partial class Holder\n{\n" + Valid + "    public static void Net() { }\n}",
            ["Nested class"] = Head + "public partial class Outer\n{\n" + Valid + "    public partial class Net;\n}",
            ["Nested in a generic class"] = Head + "public partial class Outer<T>\n{\n" + Valid + "    public partial class Net;\n}",
            ["Generic class"] = Head + Valid + "public partial class Net<T>;",
            ["Generic class with a constraint"] = Head + Valid + "public partial class Net<T> where T : struct;",
            ["Static class"] = Head + Valid + "public static partial class Net;",
            ["Abstract class"] = Head + Valid + "public abstract partial class Net;",
            ["Sealed internal class"] = Head + Valid + "internal sealed partial class Net;",
            ["Unsafe class"] = Head + Valid + "public unsafe partial class Net;",
            ["Duplicate Network on two partial declarations"] = Head + Valid + "public partial class Net;\n\n[Network(Loss.CrossEntropy)]\npublic partial class Net;",
            ["Layers on a second partial declaration"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\npublic partial class Net;\n\n[Dense(1)]\npublic partial class Net;",
            ["Input on a second partial declaration"] = Head + "[Network(Loss.MeanSquaredError)]\n[Dense(1)]\npublic partial class Net;\n\n[Input(2)]\npublic partial class Net { }",
            ["Network on the second partial declaration"] = Head + "public partial class Net { }\n\n" + Valid + "public partial class Net;",
            ["Class named with a keyword"] = Head + Valid + "public partial class @class;",
            ["Namespace with an escaped non-keyword"] = "using NetGen;\n\nnamespace @Demo.@Nets;\n\n" + Valid + "public partial class Net;",
            ["Block namespace"] = "using NetGen;\n\nnamespace Demo.Nets\n{\n" + Valid + "    public partial class Net;\n}",
            ["Global namespace"] = "using NetGen;\n\n" + Valid + "public partial class Net;",
            ["Class named like a runtime type"] = Head + Valid + "public partial class Rng;",
            ["Class in a namespace named NetGen"] = "using NetGen;\n\nnamespace Demo.NetGen;\n\n[global::NetGen.Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;",
            ["Class with its own members"] = Head + Valid + "public partial class Net\n{\n    public string Describe() => Summary + InputSize;\n    public static Net Create() => new(seed: 3);\n}",
            ["Class with a base class"] = Head + "public abstract class ModelBase { public abstract int Version { get; } }\n" + Valid + "public partial class Net : ModelBase { public override int Version => 1; }",

            // Spellings of the attributes.
            ["Fully qualified attribute names"] = "namespace Demo;\n\n[global::NetGen.NetworkAttribute(global::NetGen.Loss.MeanSquaredError)]\n[NetGen.Input(2)]\n[NetGen.DenseAttribute(1)]\npublic partial class Net;",
            ["Aliased attribute"] = "using NetGen;\nusing Net_ = NetGen.NetworkAttribute;\n\nnamespace Demo;\n\n[Net_(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;",
            ["Attributes in one list"] = Head + "[Network(Loss.MeanSquaredError), Input(2), Dense(3, Activation.ReLU), Dense(1)]\npublic partial class Net;",
            ["Named constructor arguments out of order"] = Head + "[Network(loss: Loss.MeanSquaredError)]\n[Input(shape: new[] { 2, 3 })]\n[Flatten]\n[Dense(activation: Activation.Tanh, units: 4)]\n[Dense(1)]\npublic partial class Net;",
            ["Input as an explicit array"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(new int[] { 4 })]\n[Dense(1)]\npublic partial class Net;",
            ["Look-alike attributes from another namespace"] = "using NetGen;\n\nnamespace Other { public sealed class DenseAttribute : System.Attribute { public DenseAttribute(int units) { } } }\n\nnamespace Demo\n{\n    [Network(Loss.MeanSquaredError)]\n    [Input(2)]\n    [Other.Dense(5)]\n    [Dense(1)]\n    public partial class Net;\n}",
            ["Attribute target specifier"] = Head + "[type: Network(Loss.MeanSquaredError)]\n[type: Input(2)]\n[type: Dense(1)]\npublic partial class Net;",
            ["Conditional-compiled layer"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n#if NEVER\n[Dense(5)]\n#endif\n[Dense(1)]\npublic partial class Net;",

            // Odd but legal networks.
            ["Flatten only"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2, 2)]\n[Flatten]\npublic partial class Net;",
            ["Trailing Flatten"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(4)]\n[Dense(3)]\n[Flatten]\npublic partial class Net;",
            ["Two Flattens"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2, 3, 4)]\n[Flatten]\n[Flatten]\n[Dense(1)]\npublic partial class Net;",
            ["Dense before Flatten on a 3-D input"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(2, 3, 4)]\n[Dense(4)]\n[Flatten]\npublic partial class Net;",
            ["Cross-entropy ending in Flatten"] = Head + "[Network(Loss.CrossEntropy)]\n[Input(4)]\n[Dense(3, Activation.Softmax)]\n[Flatten]\npublic partial class Net;",
            ["Softmax everywhere"] = Head + "[Network(Loss.CrossEntropy)]\n[Input(4)]\n[Dense(3, Activation.Softmax)]\n[Dense(3, Activation.Softmax)]\npublic partial class Net;",
            ["Every activation and initializer"] = Head + "[Network(Loss.MeanSquaredError)]\n[Input(3)]\n" +
                string.Concat(Enum.GetNames<Activation>().Zip(Enum.GetNames<Initializer>()).Select(p => $"[Dense(4, Activation.{p.First}, Init = Initializer.{p.Second})]\n")) +
                "[Dense(1, Init = Initializer.Zeros)]\npublic partial class Net;",
            ["Two networks in one file"] = Head + Valid + "public partial class First;\n\n[Network(Loss.BinaryCrossEntropy)]\n[Input(3)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Second;",
            ["Same class name in two namespaces"] = "using NetGen;\n\nnamespace A\n{\n" + Valid + "    public partial class Net;\n}\n\nnamespace B\n{\n" + Valid + "    public partial class Net;\n}",

            // Sequence layers: wrong types, missing and extreme arguments, half-typed names.
            ["TokenInput without arguments"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput]\n[Embedding(4)]\n[Lstm(3)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["TokenInput with one argument"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8)]\n[Embedding(4)]\n[Lstm(3)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["TokenInput with a string vocabulary"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, \"65\")]\n[Embedding(4)]\n[Lstm(3)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["TokenInput at int.MaxValue"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(int.MaxValue, vocabularySize: int.MaxValue)]\n[Embedding(int.MaxValue)]\n[Lstm(int.MaxValue, Layers = int.MaxValue)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Huge embedding table"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 1000000)]\n[Embedding(100000)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Huge recurrent sequence"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(100000000, vocabularySize: 10)]\n[Embedding(4)]\n[Lstm(64, ReturnSequences = true)]\n[Dense(10, Activation.Softmax)]\npublic partial class Net;",
            ["Embedding without arguments"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Embedding with a float"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4.5)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Embedding with a string PaddingIndex"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4, PaddingIndex = \"0\")]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Embedding with a negative PaddingIndex"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4, PaddingIndex = -7)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Lstm without arguments"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Lstm]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Lstm with an int ReturnSequences"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Lstm(3, ReturnSequences = 1)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Gru with negative layers and units"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Gru(-1, Layers = -1)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Gru cut off"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Gru(\npublic partial class Other;\npublic partial class Net;",
            ["Half-typed Lstm name"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Lst(3)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["TokenInput and Input together"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Input(8)]\n[Embedding(4)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Recurrent layer on a flat input"] = Head + "[Network(Loss.CrossEntropy)]\n[Input(8)]\n[Lstm(3)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Only an embedding"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\npublic partial class Net;",
            ["Dropout between recurrent layers"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Lstm(3, ReturnSequences = true)]\n[Dropout(0.5f)]\n[Gru(3)]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Flatten after a sequence"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Flatten]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["BatchNorm on a sequence"] = Head + "[Network(Loss.CrossEntropy)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[BatchNorm]\n[Dense(2, Activation.Softmax)]\npublic partial class Net;",
            ["Sequence output with MSE"] = Head + "[Network(Loss.MeanSquaredError)]\n[TokenInput(8, vocabularySize: 10)]\n[Embedding(4)]\n[Gru(3, ReturnSequences = true)]\n[Dense(1)]\npublic partial class Net;",
        };

        public static TheoryData<string> CaseNames => new(Cases.Keys);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Generator_survives(string name)
        {
            GeneratorRun run = GeneratorHarness.Run(Cases[name]);
            GeneratorHarness.AssertGeneratorDidNotFail(run);

            // Generated names must be unique (the driver throws on duplicates; a case-only clash breaks
            // baselines and case-insensitive file systems).
            Assert.Equal(run.GeneratedFiles.Length, run.GeneratedFiles.Select(f => f.HintName.ToUpperInvariant()).Distinct().Count());

            bool inputCompiles = !run.InputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
            if (inputCompiles)
            {
                // Whatever was generated for code the compiler accepts must compile.
                Diagnostic[] errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
                Assert.True(errors.Length == 0, "The generated code does not compile:" + Environment.NewLine + GeneratorRun.Describe(errors));

                // Nothing may silently vanish: a network without NetGen errors is generated.
                if (!run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
                {
                    Assert.NotEmpty(run.GeneratedFiles);
                }
            }
        }

        [Fact]
        public void There_are_at_least_thirty_cases() => Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");

        /// <summary>Some of the legal cases above, checked for the files they must generate.</summary>
        [Fact]
        public void Odd_but_legal_networks_generate_the_expected_files()
        {
            Assert.Equal(new[] { "Demo.First.g.cs", "Demo.Second.g.cs" }, GeneratorHarness.Run(Cases["Two networks in one file"]).GeneratedFiles.Select(f => f.HintName));
            Assert.Equal(new[] { "A.Net.g.cs", "B.Net.g.cs" }, GeneratorHarness.Run(Cases["Same class name in two namespaces"]).GeneratedFiles.Select(f => f.HintName));
            Assert.Equal(new[] { "Demo.class.g.cs" }, GeneratorHarness.Run(Cases["Class named with a keyword"]).GeneratedFiles.Select(f => f.HintName));
            Assert.Equal(new[] { "Demo.Nets.Net.g.cs" }, GeneratorHarness.Run(Cases["Namespace with an escaped non-keyword"]).GeneratedFiles.Select(f => f.HintName));
            Assert.Equal(new[] { "Net.g.cs" }, GeneratorHarness.Run(Cases["Global namespace"]).GeneratedFiles.Select(f => f.HintName));
            // [Network] twice on one type (CS0579): one file, not two.
            Assert.Single(GeneratorHarness.Run(Cases["Duplicate Network on two partial declarations"]).GeneratedFiles);
        }

        // ---- Known generator bugs: each fails today; see the skip reason -----------------------------

        [Fact]
        public void Keyword_namespace_does_not_crash_the_generator()
        {
            GeneratorRun run = GeneratorHarness.Run("using NetGen;\n\nnamespace @event.@namespace;\n\n" + Valid + "public partial class Net;");
            GeneratorHarness.AssertGeneratorDidNotFail(run);
            GeneratedFile file = Assert.Single(run.GeneratedFiles);
            Assert.DoesNotContain("@", file.HintName, StringComparison.Ordinal);
            Assert.Contains("namespace @event.@namespace", file.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(run.OutputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void Hint_names_differing_only_in_case_do_not_crash_the_generator()
        {
            GeneratorRun run = GeneratorHarness.Run(Head + Valid + "public partial class Net;\n\n" + Valid + "public partial class NET;");
            GeneratorHarness.AssertGeneratorDidNotFail(run);
            Assert.Equal(2, run.GeneratedFiles.Length);
            Assert.DoesNotContain(run.OutputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void Null_input_array_is_diagnosed_not_crashed_on()
        {
            GeneratorRun run = GeneratorHarness.Run(Head + "[Network(Loss.MeanSquaredError)]\n[Input(null)]\n[Dense(1)]\npublic partial class Net;");
            GeneratorHarness.AssertGeneratorDidNotFail(run);
            Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NG0009");
        }

        [Fact]
        public void Input_size_overflowing_a_long_is_diagnosed()
        {
            GeneratorRun run = GeneratorHarness.Run(Head + "[Network(Loss.MeanSquaredError)]\n[Input(65536, 65536, 65536, 65536)]\n[Flatten]\n[Dense(1)]\npublic partial class Net;");
            GeneratorHarness.AssertGeneratorDidNotFail(run);
            Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "NG0019");
            Assert.Empty(run.GeneratedFiles);
        }

        [Fact]
        public void Class_named_like_a_generated_member_is_diagnosed_or_compiles()
        {
            foreach (string member in new[] { "Summary", "Forward", "Parameters", "Gradients", "TrainStep", "InputShape" })
            {
                GeneratorRun run = GeneratorHarness.Run(Head + Valid + $"public partial class {member};");
                bool diagnosed = run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
                bool compiles = !run.OutputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
                Assert.True(diagnosed || compiles, $"class {member}: " + GeneratorRun.Describe(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            }
        }

        [Fact]
        public void Primary_constructor_is_diagnosed_or_compiles()
        {
            GeneratorRun run = GeneratorHarness.Run(Head + Valid + "public partial class Net(string name) { public string Name => name; }");
            bool diagnosed = run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
            bool compiles = !run.OutputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
            Assert.True(diagnosed || compiles, GeneratorRun.Describe(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        [Fact]
        public void File_local_class_is_diagnosed_or_gets_its_members()
        {
            GeneratorRun run = GeneratorHarness.Run(Head + Valid + "file partial class Net { public static int Size() => InputSize; }");
            bool diagnosed = run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
            bool compiles = !run.OutputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
            Assert.True(diagnosed || compiles, GeneratorRun.Describe(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        [Fact]
        public void NG0005_does_not_call_a_struct_a_record()
        {
            foreach (string declaration in new[] { "public partial struct Net;", "public partial interface Net;" })
            {
                GeneratorRun run = GeneratorHarness.Run(Head + Valid + declaration);
                Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("is a record", StringComparison.Ordinal));
            }
        }
    }
}

using System;
using System.IO;
using NetGen.Data;

namespace NetGen.Runtime.Tests.Training
{
    public class CsvDatasetTests
    {
        private static Dataset<int> Classify(string text, CsvOptions? options = null) =>
            CsvDataset.LoadClassification(new StringReader(text), options, "test.csv");

        private static string Error(string text, CsvOptions? options = null) =>
            Assert.Throws<InvalidDataException>(() => Classify(text, options)).Message;

        [Fact]
        public void Header_and_last_column_label_by_default()
        {
            Dataset<int> data = Classify("a,b,label\n1.5,-2e-1,1\n\n3,4,0\n");
            Assert.Equal(2, data.Count);
            Assert.Equal(2, data.FeatureSize);
            Assert.Equal([1.5f, -0.2f, 3f, 4f], data.Features.ToArray());
            Assert.Equal([1, 0], data.Targets.ToArray());
        }

        [Fact]
        public void Label_column_by_index_or_name_and_no_header()
        {
            Assert.Equal([2, 5], Classify("2,0.5,1\n5,1.5,1\n", new CsvOptions { HasHeader = false, LabelColumn = 0 }).Targets.ToArray());
            Dataset<int> byName = Classify("x,y,z\n1,7,3\n", new CsvOptions { LabelColumnName = "y" });
            Assert.Equal([7], byName.Targets.ToArray());
            Assert.Equal([1f, 3f], byName.Features.ToArray());
            Assert.Contains("no column \"w\"", Error("x,y\n1,2\n", new CsvOptions { LabelColumnName = "w" }));
            Assert.Contains("label column 5 does not exist", Error("x,y\n1,2\n", new CsvOptions { LabelColumn = 5 }));
        }

        [Fact]
        public void Quoted_fields_separators_and_class_names()
        {
            Dataset<int> data = Classify("\"a, first\";b;species\n\"1.0\"; 2 ;\"setosa\"\n3;4;versicolor\n5;6;setosa\n",
                new CsvOptions { Separator = ';', LabelsAreNames = true });
            Assert.Equal([0, 1, 0], data.Targets.ToArray());
            Assert.Equal(["setosa", "versicolor"], data.ClassNames);
            Assert.Equal(1f, data.Features[0]);
        }

        [Fact]
        public void A_non_numeric_cell_is_reported_with_its_line_and_column()
        {
            string message = Error("a,b,label\n1,2,0\n\n3,abc,1\n");
            Assert.Equal("test.csv: line 4, column 2 (\"b\"): \"abc\" is not a number.", message);
            Assert.Contains("line 2, column 1: \"1,5\" is not a number", Error("1;2\n\"1,5\";0\n", new CsvOptions { HasHeader = false, Separator = ';', LabelColumn = 1 }));
            Assert.Contains("line 2, column 1 (\"a\"): \"NaN\" is not a finite number", Error("a,l\nNaN,1\n"));
        }

        [Fact]
        public void Malformed_rows_are_refused()
        {
            Assert.Contains("line 3 has 2 fields; expected 3, as in the header", Error("a,b,c\n1,2,3\n1,2\n"));
            Assert.Contains("line 2 has 3 fields; expected 2, as on the first line", Error("1,2\n1,2,3\n", new CsvOptions { HasHeader = false }));
            Assert.Contains("no data rows", Error("a,b\n"));
            Assert.Contains("no data rows", Error(""));
            Assert.Contains("line 2, column 2 (\"l\"): label \"1.5\" is not a non-negative integer", Error("a,l\n1,1.5\n"));
            Assert.Contains("label \"-1\"", Error("a,l\n1,-1\n"));
            Assert.Contains("unterminated quoted field", Error("a,l\n\"1,1\n"));
            Assert.Contains("leave no feature", Error("l\n1\n"));
        }

        [Fact]
        public void Regression_reads_one_or_several_target_columns()
        {
            Dataset<float> single = CsvDataset.LoadRegression(new StringReader("x,y\n1,0.25\n2,0.5\n"));
            Assert.Equal([0.25f, 0.5f], single.Targets.ToArray());
            Dataset<float> two = CsvDataset.LoadRegression(new StringReader("t1,x,t2\n9,1,8\n7,2,6\n"), new CsvOptions { TargetColumns = [0, -1] });
            Assert.Equal(2, two.TargetSize);
            Assert.Equal([9f, 8f, 7f, 6f], two.Targets.ToArray());
            Assert.Equal([1f, 2f], two.Features.ToArray());
            var e = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadRegression(new StringReader("x,y\n1,oops\n"), null, "r.csv"));
            Assert.Equal("r.csv: line 2, column 2 (\"y\"): \"oops\" is not a number.", e.Message);
        }

        [Fact]
        public void Files_are_read_by_path_and_named_in_messages()
        {
            using var dir = new TempDirectory();
            File.WriteAllText(dir.File("iris.csv"), "a,b\n1,x\n");
            var e = Assert.Throws<InvalidDataException>(() => CsvDataset.LoadClassification(dir.File("iris.csv")));
            Assert.StartsWith("iris.csv: line 2, column 2", e.Message);
            Assert.Throws<FileNotFoundException>(() => CsvDataset.LoadClassification(dir.File("none.csv")));
        }
    }
}

using System;
using System.IO;
using NetGen.Data;

namespace NetGen.Benchmarks
{
    /// <summary>One split of Fashion-MNIST: images as float32 in [0, 1] (784 per image) and int labels.</summary>
    public sealed class ImageSet
    {
        public ImageSet(float[] images, int[] labels)
        {
            Images = images;
            Labels = labels;
        }

        public float[] Images { get; }

        public int[] Labels { get; }

        public int Count => Labels.Length;
    }

    /// <summary>
    /// Reads Fashion-MNIST from the IDX files of Debian's <c>dataset-fashion-mnist</c> package
    /// (or from <c>$FASHION_MNIST_DIR</c>). Each split is read once per process.
    /// </summary>
    public static class FashionMnist
    {
        public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
        public const string InstallCommand = "apt-get install dataset-fashion-mnist";
        public const int Pixels = 28 * 28;

        private static readonly Lazy<ImageSet> s_train = new(() => Load("train", 60_000));
        private static readonly Lazy<ImageSet> s_test = new(() => Load("t10k", 10_000));

        /// <summary>The 60,000 training images.</summary>
        public static ImageSet Train => s_train.Value;

        /// <summary>The 10,000 test images.</summary>
        public static ImageSet Test => s_test.Value;

        public static string Directory =>
            Environment.GetEnvironmentVariable("FASHION_MNIST_DIR") is { Length: > 0 } dir ? dir : DefaultDirectory;

        /// <summary>Null if the four files are present, else a message saying what is missing and how to install it.</summary>
        public static string? CheckPresent()
        {
            foreach (string prefix in new[] { "train", "t10k" })
            {
                foreach (string kind in new[] { "images-idx3", "labels-idx1" })
                {
                    string path = FilePath(prefix, kind);
                    if (!File.Exists(path))
                    {
                        return $"Fashion-MNIST is missing: {path} does not exist. Install it with `{InstallCommand}` " +
                               $"(or point FASHION_MNIST_DIR at a folder holding the four *-ubyte.gz files).";
                    }
                }
            }
            return null;
        }

        private static string FilePath(string prefix, string kind) => Path.Combine(Directory, $"{prefix}-{kind}-ubyte.gz");

        private static ImageSet Load(string prefix, int expectedCount)
        {
            if (CheckPresent() is { } problem)
            {
                throw new FileNotFoundException(problem);
            }
            IdxArray images = Idx.Read(FilePath(prefix, "images-idx3"));
            IdxArray labels = Idx.Read(FilePath(prefix, "labels-idx1"));
            if (images.Shape.Length != 3 || images.Shape[0] != expectedCount || images.Shape[1] * images.Shape[2] != Pixels
                || labels.Shape.Length != 1 || labels.Shape[0] != expectedCount)
            {
                throw new InvalidDataException(
                    $"Unexpected Fashion-MNIST shapes for '{prefix}': images [{string.Join(", ", images.Shape)}], " +
                    $"labels [{string.Join(", ", labels.Shape)}]; expected [{expectedCount}, 28, 28] and [{expectedCount}].");
            }
            float[] pixels = new float[images.Data.Length];
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = images.Data[i] / 255f;
            }
            int[] classes = new int[expectedCount];
            for (int i = 0; i < classes.Length; i++)
            {
                classes[i] = labels.Data[i];
            }
            return new ImageSet(pixels, classes);
        }
    }
}

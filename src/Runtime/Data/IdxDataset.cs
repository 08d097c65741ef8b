using System;
using System.Collections.Generic;
using System.IO;

namespace NetGen.Data
{
    /// <summary>
    /// Loads image/label pairs in the IDX format of MNIST and Fashion-MNIST (gzip or raw) as a
    /// classification <see cref="Dataset{TTarget}"/>. Pixels are divided by <c>divideBy</c> (255 by default,
    /// so they lie in [0, 1]; 1 keeps the raw values). Malformed files raise <see cref="InvalidDataException"/> naming the file
    /// and what is wrong; a missing file raises <see cref="FileNotFoundException"/>.
    /// </summary>
    public static class IdxDataset
    {
        /// <summary>The ten Fashion-MNIST classes, by label.</summary>
        public static IReadOnlyList<string> FashionMnistClasses { get; } =
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

        /// <summary>
        /// The training and test sets from a directory holding the four standard files
        /// (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
        /// <c>t10k-labels-idx1-ubyte</c>, each optionally ending in <c>.gz</c>).
        /// </summary>
        public static (Dataset<int> Train, Dataset<int> Test) Load(string directory, float divideBy = 255f, IReadOnlyList<string>? classNames = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(directory);
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"No directory {directory}.");
            }
            Dataset<int> train = Load(Find(directory, "train-images-idx3-ubyte"), Find(directory, "train-labels-idx1-ubyte"), divideBy);
            Dataset<int> test = Load(Find(directory, "t10k-images-idx3-ubyte"), Find(directory, "t10k-labels-idx1-ubyte"), divideBy);
            return classNames is null ? (train, test) : (train.WithClassNames(classNames), test.WithClassNames(classNames));
        }

        /// <summary>One set from an images file and a labels file.</summary>
        public static Dataset<int> Load(string imagesPath, string labelsPath, float divideBy = 255f)
        {
            IdxArray images = Idx.Read(imagesPath);
            IdxArray labels = Idx.Read(labelsPath);
            return FromArrays(images, labels, divideBy, $"{imagesPath} and {labelsPath}");
        }

        /// <summary>One set from streams (e.g. embedded resources), raw or gzip.</summary>
        public static Dataset<int> Load(Stream images, Stream labels, float divideBy = 255f) =>
            FromArrays(Idx.Read(images), Idx.Read(labels), divideBy, "the images and labels");

        /// <summary>Builds a dataset from arrays already read: images <c>[N, …]</c>, labels <c>[N]</c>.</summary>
        public static Dataset<int> FromArrays(IdxArray images, IdxArray labels, float divideBy = 255f) =>
            FromArrays(images, labels, divideBy, "the images and labels");

        private static Dataset<int> FromArrays(IdxArray images, IdxArray labels, float divideBy, string what)
        {
            ArgumentNullException.ThrowIfNull(images);
            ArgumentNullException.ThrowIfNull(labels);
            if (!float.IsFinite(divideBy) || divideBy == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(divideBy), divideBy, "The divisor must be a finite number other than 0.");
            }
            if (labels.Shape.Length != 1)
            {
                throw new InvalidDataException($"{what}: labels must have one dimension; they have shape [{string.Join(", ", labels.Shape)}].");
            }
            int count = images.Shape[0];
            if (count != labels.Shape[0])
            {
                throw new InvalidDataException($"{what}: {count} images but {labels.Shape[0]} labels; the counts must match.");
            }
            if (count == 0)
            {
                throw new InvalidDataException($"{what}: the files hold no samples.");
            }
            int featureSize = images.Data.Length / count;
            if (featureSize == 0)
            {
                throw new InvalidDataException($"{what}: images of shape [{string.Join(", ", images.Shape)}] have no pixels.");
            }
            float[] features = new float[images.Data.Length];
            for (int i = 0; i < features.Length; i++)
            {
                features[i] = images.Data[i] / divideBy;
            }
            return new Dataset<int>(features, Array.ConvertAll(labels.Data, b => (int)b), featureSize);
        }

        private static string Find(string directory, string name)
        {
            foreach (string candidate in new[] { name + ".gz", name })
            {
                string path = Path.Combine(directory, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
            throw new FileNotFoundException($"{directory} has neither {name}.gz nor {name}.", Path.Combine(directory, name + ".gz"));
        }
    }
}

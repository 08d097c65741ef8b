using System;
using System.Text.Json;

namespace Serve
{
    /// <summary>
    /// The body of <c>POST /predict</c>, checked value by value: <c>{"inputs": [784 numbers]}</c> for one image, or
    /// <c>{"inputs": [[784 numbers], …]}</c> for a batch. Every value must be a JSON number that fits a float; strings
    /// (<c>"NaN"</c>, <c>"Infinity"</c>, <c>"0.5"</c>), nulls and numbers beyond ±3.4e38 are refused with their position.
    /// </summary>
    public sealed class PredictRequest
    {
        private PredictRequest(float[] inputs, int batchSize, bool single)
        {
            Inputs = inputs;
            BatchSize = batchSize;
            Single = single;
        }

        /// <summary>The images, [BatchSize, inputSize], row-major.</summary>
        public float[] Inputs { get; }

        /// <summary>Images in the request.</summary>
        public int BatchSize { get; }

        /// <summary>True for <c>{"inputs": [numbers]}</c> (answered with one prediction), false for a batch.</summary>
        public bool Single { get; }

        /// <summary>Reads <paramref name="root"/>; on failure <paramref name="error"/> says what was wrong and where.</summary>
        public static PredictRequest? Read(JsonElement root, int inputSize, int maxImages, out string? error)
        {
            string shape = $"{{\"inputs\": [{inputSize} numbers]}} or {{\"inputs\": [[{inputSize} numbers], ...]}}";
            error = null;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"The body must be a JSON object, {shape}; got {Kind(root)}.";
                return null;
            }
            if (!root.TryGetProperty("inputs", out JsonElement inputs))
            {
                error = $"The body has no \"inputs\" property; expected {shape}.";
                return null;
            }
            if (inputs.ValueKind != JsonValueKind.Array)
            {
                error = $"\"inputs\" must be an array, {shape}; got {Kind(inputs)}.";
                return null;
            }
            int count = inputs.GetArrayLength();
            if (count == 0)
            {
                error = $"\"inputs\" is empty; expected {shape}.";
                return null;
            }
            bool single = inputs[0].ValueKind != JsonValueKind.Array;
            int batch = single ? 1 : count;
            if (batch > maxImages)
            {
                error = $"\"inputs\" holds {batch} images; at most {maxImages} per request.";
                return null;
            }
            float[] values = new float[batch * inputSize];
            if (single)
            {
                error = ReadImage(inputs, "inputs", values.AsSpan(0, inputSize));
            }
            else
            {
                for (int i = 0; i < batch && error is null; i++)
                {
                    JsonElement image = inputs[i];
                    error = image.ValueKind == JsonValueKind.Array
                        ? ReadImage(image, $"inputs[{i}]", values.AsSpan(i * inputSize, inputSize))
                        : $"inputs[{i}] is {Kind(image)}; in a batch every image is an array of {inputSize} numbers.";
                }
            }
            return error is null ? new PredictRequest(values, batch, single) : null;
        }

        /// <summary>Copies one image's numbers into <paramref name="pixels"/>, or says what is wrong with them.</summary>
        private static string? ReadImage(JsonElement image, string name, Span<float> pixels)
        {
            int length = image.GetArrayLength();
            if (length != pixels.Length)
            {
                return $"{name} has {length} value{(length == 1 ? "" : "s")}; expected {pixels.Length} (a 28×28 image, row by row, pixels in [0, 1]).";
            }
            int i = 0;
            foreach (JsonElement value in image.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number)
                {
                    return $"{name}[{i}] is {Kind(value)}; every value must be a JSON number (NaN and infinities are not numbers).";
                }
                if (!value.TryGetDouble(out double number) || !float.IsFinite((float)number))
                {
                    return $"{name}[{i}] is {value.GetRawText()}, which does not fit a float (at most ±3.4e38).";
                }
                pixels[i++] = (float)number;
            }
            return null;
        }

        private static string Kind(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => "a string (" + Quote(element.GetString()!) + ")",
            JsonValueKind.Number => "a number (" + element.GetRawText() + ")",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };

        private static string Quote(string text) =>
            "\"" + (text.Length > 20 ? text[..20] + "…" : text) + "\"";
    }
}

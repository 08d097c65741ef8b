using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using NetGen;
using NetGen.Data;
using Serve;
using Xunit.Abstractions;

namespace NetGen.Serve.Tests
{
    /// <summary>
    /// The server of samples/Serve, started once on a loopback port chosen by the system, with an untrained network (the
    /// answers are compared with the network's own Forward, so training would add nothing but time).
    /// </summary>
    public sealed class ServerFixture : IAsyncLifetime
    {
        /// <summary>The network the server answers with, also called directly for the expected answers.</summary>
        public DigitClassifier Model { get; } = new(seed: 3);

        /// <summary>The embedded digits the server does not train on: real images to send.</summary>
        public Dataset<int> Digits { get; } = global::Serve.Digits.HeldOut(global::Serve.Digits.Load());

        /// <summary>A client whose base address is the running server.</summary>
        public HttpClient Http { get; private set; } = null!;

        /// <summary>The pool the server predicts through.</summary>
        public InferencePool<float> Pool { get; private set; } = null!;

        private WebApplication _app = null!;

        /// <inheritdoc/>
        public async Task InitializeAsync()
        {
            Pool = new InferencePool<float>(Model, size: 2, maxBatchSize: DigitServer.MaxImagesPerRequest);
            _app = DigitServer.Create(Pool, Digits, ["--urls", "http://127.0.0.1:0"]);
            await _app.StartAsync();
            Http = new HttpClient { BaseAddress = DigitServer.Address(_app), Timeout = TimeSpan.FromSeconds(60) };
        }

        /// <inheritdoc/>
        public async Task DisposeAsync()
        {
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// POST /predict answers what the network's Forward gives, bit for bit; bad bodies get 400 and a message naming what
    /// was wrong, and the server keeps serving; GET /health and /examples answer; 2,000 requests from 8 clients are all right.
    /// </summary>
    public class ServeTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
    {
        private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

        private static string Numbers(IEnumerable<float> values) => string.Join(",", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

        private string Image(int index) => "[" + Numbers(server.Digits.FeaturesOf(index).ToArray()) + "]";

        private static void AssertPrediction(JsonElement prediction, ReadOnlySpan<float> expected)
        {
            float[] probabilities = prediction.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray();
            Assert.True(probabilities.AsSpan().SequenceEqual(expected), "The probabilities differ from Forward's.");
            int argmax = 0;
            for (int c = 1; c < expected.Length; c++)
            {
                argmax = expected[c] > expected[argmax] ? c : argmax;
            }
            Assert.Equal(argmax, prediction.GetProperty("label").GetInt32());
        }

        [Fact]
        public async Task Health_says_ok_and_what_is_served()
        {
            using JsonDocument health = JsonDocument.Parse(await server.Http.GetStringAsync("health"));
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("DigitClassifier", health.RootElement.GetProperty("network").GetString());
            Assert.Equal(784, health.RootElement.GetProperty("inputSize").GetInt32());
            Assert.Equal(10, health.RootElement.GetProperty("outputSize").GetInt32());
            Assert.Equal(2, health.RootElement.GetProperty("poolSize").GetInt32());
        }

        [Fact]
        public async Task One_image_gets_the_probabilities_of_forward_bit_for_bit_and_their_argmax()
        {
            using HttpResponseMessage response = await server.Http.PostAsync("predict", Json($"{{\"inputs\": {Image(4)}}}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            AssertPrediction(answer.RootElement, server.Model.Forward(server.Digits.FeaturesOf(4), 1));
        }

        [Fact]
        public async Task A_batch_gets_one_prediction_per_image_in_order()
        {
            int[] which = { 7, 0, 123, 7, 1999 };
            string body = "{\"inputs\": [" + string.Join(",", which.Select(Image)) + "]}";
            using HttpResponseMessage response = await server.Http.PostAsync("predict", Json(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            JsonElement[] predictions = answer.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
            Assert.Equal(which.Length, predictions.Length);
            // The batch runs as one Forward of five samples (whose sums may round differently from five Forwards of one).
            float[] images = which.SelectMany(i => server.Digits.FeaturesOf(i).ToArray()).ToArray();
            float[] expected = server.Model.Forward(images, which.Length).ToArray();
            for (int i = 0; i < which.Length; i++)
            {
                AssertPrediction(predictions[i], expected.AsSpan(i * DigitClassifier.OutputSize, DigitClassifier.OutputSize));
            }
        }

        [Fact]
        public async Task Examples_are_the_held_out_digits_and_a_missing_one_is_404()
        {
            using JsonDocument example = JsonDocument.Parse(await server.Http.GetStringAsync("examples/12"));
            float[] inputs = example.RootElement.GetProperty("inputs").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.True(inputs.AsSpan().SequenceEqual(server.Digits.FeaturesOf(12)));
            Assert.Equal(server.Digits.TargetsOf(12)[0], example.RootElement.GetProperty("label").GetInt32());
            using HttpResponseMessage missing = await server.Http.GetAsync("examples/2000");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        /// <summary>Bodies the server must refuse, and a piece of the message each must get.</summary>
        public static TheoryData<string, string> BadBodies()
        {
            string zeros = string.Join(",", Enumerable.Repeat("0", 783));
            string image = "[" + zeros + ",0]";
            return new TheoryData<string, string>
            {
                { "{\"inputs\": [1, 2", "The body is not valid JSON" },
                { "", "The body is not valid JSON" },
                { "{\"inputs\": [" + zeros + ", NaN]}", "The body is not valid JSON" },
                { "{\"inputs\": [" + zeros + ", \"NaN\"]}", "inputs[783] is a string (\"NaN\"); every value must be a JSON number" },
                { "{\"inputs\": [\"Infinity\", " + zeros + "]}", "inputs[0] is a string (\"Infinity\")" },
                { "{\"inputs\": [" + zeros + ", 1e39]}", "inputs[783] is 1e39, which does not fit a float" },
                { "{\"inputs\": [" + zeros + ", -4e38]}", "inputs[783] is -4e38, which does not fit a float" },
                { "{\"inputs\": [" + zeros + ", null]}", "inputs[783] is null" },
                { "{\"inputs\": [" + zeros + "]}", "inputs has 783 values; expected 784" },
                { "{\"inputs\": [" + image + ", [1, 2]]}", "inputs[1] has 2 values; expected 784" },
                { "{\"inputs\": [" + image + ", 5]}", "inputs[1] is a number (5); in a batch every image is an array of 784 numbers" },
                { "{\"inputs\": []}", "\"inputs\" is empty" },
                { "{\"inputs\": \"0,0,0\"}", "\"inputs\" must be an array" },
                { "{\"pixels\": [1]}", "The body has no \"inputs\" property" },
                { "[1, 2, 3]", "The body must be a JSON object" },
                { "{\"inputs\": [" + string.Join(",", Enumerable.Repeat("[0]", 257)) + "]}", "\"inputs\" holds 257 images; at most 256 per request" },
            };
        }

        [Theory]
        [MemberData(nameof(BadBodies))]
        public async Task A_bad_body_gets_400_with_a_message_and_the_server_keeps_serving(string body, string message)
        {
            using HttpResponseMessage response = await server.Http.PostAsync("predict", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using JsonDocument error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains(message, error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

            using HttpResponseMessage next = await server.Http.PostAsync("predict", Json($"{{\"inputs\": {Image(0)}}}"));
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        [Fact]
        public async Task Two_thousand_requests_from_eight_clients_are_all_answered_right()
        {
            IReadOnlyList<LoadRequest> requests = LoadTest.DigitRequests(server.Model, server.Digits, 100);

            LoadTestResult result = await LoadTest.RunAsync(server.Http.BaseAddress!, requests, count: 2000, clients: 8, TimeSpan.FromSeconds(90));

            output.WriteLine(result.ToString()); // the figures, for the record; only correctness is asserted
            Assert.Equal(0, result.Failed);
            Assert.Equal(2000, result.Succeeded);
        }
    }
}

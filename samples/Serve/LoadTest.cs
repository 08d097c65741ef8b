using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NetGen.Data;

namespace Serve
{
    /// <summary>A request body and the label the network gives its image when called directly.</summary>
    public sealed record LoadRequest(string Body, int ExpectedLabel);

    /// <summary>
    /// What a load test measured: requests sent and answered correctly, wall time, throughput and latency percentiles.
    /// <see cref="Failed"/> counts answers that were not 200 or named another digit than the network gives directly.
    /// </summary>
    public sealed record LoadTestResult(int Requests, int Clients, int Succeeded, int Failed, double Seconds, double RequestsPerSecond,
        double P50Milliseconds, double P99Milliseconds)
    {
        /// <inheritdoc/>
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Requests:N0} requests from {Clients} clients in {Seconds:F2} s: {RequestsPerSecond:F0} requests/s, " +
            $"latency p50 {P50Milliseconds:F2} ms, p99 {P99Milliseconds:F2} ms; {Succeeded:N0} right, {Failed:N0} failed.");
    }

    /// <summary>A bounded load test over loopback: a fixed number of requests, a few concurrent clients, a time limit.</summary>
    public static class LoadTest
    {
        /// <summary>One single-image request per digit of the first <paramref name="count"/> in <paramref name="digits"/>, each with the label <paramref name="model"/> gives it.</summary>
        public static IReadOnlyList<LoadRequest> DigitRequests(DigitClassifier model, Dataset<int> digits, int count)
        {
            var requests = new List<LoadRequest>(count);
            for (int i = 0; i < Math.Min(count, digits.Count); i++)
            {
                ReadOnlySpan<float> image = digits.FeaturesOf(i);
                ReadOnlySpan<float> p = model.Forward(image, 1);
                int label = 0;
                for (int c = 1; c < p.Length; c++)
                {
                    label = p[c] > p[label] ? c : label;
                }
                requests.Add(new LoadRequest(JsonSerializer.Serialize(new { inputs = image.ToArray() }), label));
            }
            return requests;
        }

        /// <summary>
        /// Posts <paramref name="count"/> requests (cycling through <paramref name="requests"/>) to <c>/predict</c> at
        /// <paramref name="address"/> from <paramref name="clients"/> concurrent loops, stopping early at <paramref name="timeLimit"/>.
        /// </summary>
        public static async Task<LoadTestResult> RunAsync(Uri address, IReadOnlyList<LoadRequest> requests, int count, int clients, TimeSpan timeLimit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
            using var http = new HttpClient { BaseAddress = address, Timeout = timeLimit };
            double[] latencies = new double[count];
            int next = -1, succeeded = 0, failed = 0;
            var clock = Stopwatch.StartNew();
            async Task Client()
            {
                for (int i = Interlocked.Increment(ref next); i < count && clock.Elapsed < timeLimit; i = Interlocked.Increment(ref next))
                {
                    LoadRequest request = requests[i % requests.Count];
                    long start = Stopwatch.GetTimestamp();
                    bool right = await SendAsync(http, request);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    Interlocked.Increment(ref right ? ref succeeded : ref failed);
                }
            }
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client)));
            double seconds = clock.Elapsed.TotalSeconds;
            int sent = succeeded + failed;
            double[] sorted = latencies.Take(sent).Order().ToArray();
            return new LoadTestResult(sent, clients, succeeded, failed, seconds, sent / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99));
        }

        private static async Task<bool> SendAsync(HttpClient http, LoadRequest request)
        {
            using var content = new StringContent(request.Body, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await http.PostAsync("predict", content);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }
            using JsonDocument answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return answer.RootElement.GetProperty("label").GetInt32() == request.ExpectedLabel;
        }

        /// <summary>The nearest-rank percentile of sorted values (0 when there are none).</summary>
        private static double Percentile(double[] sorted, double fraction) =>
            sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

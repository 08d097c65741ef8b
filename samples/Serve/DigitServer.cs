using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetGen;
using NetGen.Data;

namespace Serve
{
    /// <summary>One image's answer: the most probable digit and the ten class probabilities.</summary>
    public sealed record Prediction(int Label, float[] Probabilities);

    /// <summary>A batch's answers, one per image in request order.</summary>
    public sealed record BatchPrediction(Prediction[] Predictions);

    /// <summary>What a refused request gets, with status 400 (or 413 for a body over the size limit).</summary>
    public sealed record ErrorResponse(string Error);

    /// <summary>What <c>GET /health</c> answers.</summary>
    public sealed record Health(string Status, string Network, int InputSize, int OutputSize, int PoolSize, int MaxImagesPerRequest);

    /// <summary>A held-out digit, ready to post back: <c>{"inputs": [...], "label": 7}</c>.</summary>
    public sealed record Example(float[] Inputs, int Label);

    /// <summary>
    /// The HTTP server: <c>POST /predict</c>, <c>GET /health</c>, <c>GET /examples/{index}</c>. Every prediction runs
    /// through an <see cref="InferencePool{TInput}"/>, so requests are served concurrently from one copy of the weights.
    /// </summary>
    public static class DigitServer
    {
        /// <summary>The most images one request may hold.</summary>
        public const int MaxImagesPerRequest = 256;

        /// <summary>The largest body accepted: room for 256 images written out at full precision.</summary>
        public const long MaxBodyBytes = 16L << 20;

        /// <summary>
        /// Builds (does not start) the server for <paramref name="pool"/>. <paramref name="args"/> go to ASP.NET Core's
        /// configuration, so <c>--urls http://0.0.0.0:8080</c> works; <paramref name="examples"/> back <c>/examples</c>.
        /// </summary>
        public static WebApplication Create(InferencePool<float> pool, Dataset<int>? examples, string[] args)
        {
            ArgumentNullException.ThrowIfNull(pool);
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes);
            WebApplication app = builder.Build();

            app.MapGet("/health", () => new Health("ok", pool.NetworkName, pool.InputSize, pool.OutputSize, pool.Size, MaxImagesPerRequest));
            app.MapPost("/predict", (HttpRequest request, CancellationToken cancel) => PredictAsync(pool, request, cancel));
            app.MapGet("/examples/{index:int}", (int index) =>
                examples is not null && index >= 0 && index < examples.Count
                    ? Results.Ok(new Example(examples.FeaturesOf(index).ToArray(), examples.TargetsOf(index)[0]))
                    : Results.NotFound(new ErrorResponse($"No example {index}; there are {examples?.Count ?? 0}, numbered from 0.")));
            return app;
        }

        /// <summary>The address the started <paramref name="app"/> listens on first (with its real port when the configured one was 0).</summary>
        public static Uri Address(WebApplication app)
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
            string first = addresses?.Addresses.FirstOrDefault() ?? throw new InvalidOperationException("The server is not listening; start it first.");
            return new Uri(first);
        }

        private static async Task<IResult> PredictAsync(InferencePool<float> pool, HttpRequest request, CancellationToken cancel)
        {
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 8 }, cancel);
            }
            catch (JsonException e)
            {
                return Refuse($"The body is not valid JSON: {e.Message}");
            }
            catch (BadHttpRequestException e)
            {
                return Results.Json(new ErrorResponse(e.Message), statusCode: e.StatusCode);
            }
            using (document)
            {
                PredictRequest? input = PredictRequest.Read(document.RootElement, pool.InputSize, MaxImagesPerRequest, out string? error);
                if (input is null)
                {
                    return Refuse(error!);
                }
                float[] probabilities;
                try
                {
                    probabilities = await pool.PredictAsync(input.Inputs, input.BatchSize, cancel);
                }
                catch (ArgumentException e)
                {
                    return Refuse(e.Message);
                }
                Prediction[] predictions = Enumerable.Range(0, input.BatchSize)
                    .Select(b => Answer(probabilities.AsSpan(b * pool.OutputSize, pool.OutputSize)))
                    .ToArray();
                return input.Single ? Results.Ok(predictions[0]) : Results.Ok(new BatchPrediction(predictions));
            }
        }

        private static Prediction Answer(ReadOnlySpan<float> probabilities)
        {
            int label = 0;
            for (int c = 1; c < probabilities.Length; c++)
            {
                label = probabilities[c] > probabilities[label] ? c : label;
            }
            return new Prediction(label, probabilities.ToArray());
        }

        private static IResult Refuse(string message) => Results.BadRequest(new ErrorResponse(message));
    }
}

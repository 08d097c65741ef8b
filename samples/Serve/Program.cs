// Serve: a trained NetGen network behind an HTTP API. Loads a safetensors checkpoint (--checkpoint PATH) or, without one,
// trains the 784-128-10 digit classifier for a few seconds on the MNIST digits embedded here and saves it; then answers
// POST /predict through an InferencePool (concurrent requests, one copy of the weights). --load-test measures it instead.
using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using NetGen;
using NetGen.Data;
using Serve;

string? checkpoint = Option(args, "--checkpoint");
int epochs = int.Parse(Option(args, "--epochs") ?? "5", System.Globalization.CultureInfo.InvariantCulture);
int poolSize = int.Parse(Option(args, "--pool") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
bool loadTest = args.Contains("--load-test");

Dataset<int> digits = Digits.Load();
Dataset<int> heldOut = Digits.HeldOut(digits);
DigitClassifier model;
if (checkpoint is not null)
{
    model = DigitClassifier.Load(checkpoint);
    Console.WriteLine($"Loaded {checkpoint}.");
}
else
{
    var started = System.Diagnostics.Stopwatch.StartNew();
    model = Digits.Train(digits, epochs);
    string saved = Path.GetFullPath(Path.Combine("out", "serve-digits.safetensors"));
    Directory.CreateDirectory(Path.GetDirectoryName(saved)!);
    model.Save(saved);
    Console.WriteLine($"Trained {epochs} epochs on {Digits.TrainCount:N0} embedded digits in {started.Elapsed.TotalSeconds:F1} s; saved {saved} (next time: --checkpoint {saved}).");
}
Console.WriteLine($"Held-out accuracy: {model.Evaluate(heldOut).Accuracy * 100:F2}% on {heldOut.Count:N0} digits.");

var pool = new InferencePool<float>(model, poolSize, maxBatchSize: DigitServer.MaxImagesPerRequest);
if (loadTest)
{
    int requests = int.Parse(Option(args, "--requests") ?? "2000", System.Globalization.CultureInfo.InvariantCulture);
    int clients = int.Parse(Option(args, "--clients") ?? "8", System.Globalization.CultureInfo.InvariantCulture);
    await using WebApplication server = DigitServer.Create(pool, heldOut, ["--urls", "http://127.0.0.1:0"]);
    await server.StartAsync();
    var bodies = LoadTest.DigitRequests(model, heldOut, 100);
    await LoadTest.RunAsync(DigitServer.Address(server), bodies, 200, clients, TimeSpan.FromMinutes(1)); // warm-up (JIT, connections), not reported
    LoadTestResult result = await LoadTest.RunAsync(DigitServer.Address(server), bodies, requests, clients, TimeSpan.FromMinutes(2));
    Console.WriteLine($"Load test on {DigitServer.Address(server)}, pool of {pool.Size}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC:");
    Console.WriteLine(result);
    await server.StopAsync();
    return result.Failed == 0 ? 0 : 1;
}

WebApplication app = DigitServer.Create(pool, heldOut, args);
await app.StartAsync();
Uri address = DigitServer.Address(app);
Console.WriteLine($"Serving DigitClassifier on {address} (pool of {pool.Size}). Try:");
Console.WriteLine($"  curl -s {address}health");
Console.WriteLine($"  curl -s {address}examples/0 | curl -s -H 'Content-Type: application/json' -d @- {address}predict");
Console.WriteLine("Ctrl+C stops.");
await app.WaitForShutdownAsync();
return 0;

static string? Option(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

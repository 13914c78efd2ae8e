using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using PolicyGate.Cli.Commands;
using PolicyGate.Fuzz.Tests.Fuzzing;
using PolicyGate.Server.Tests.TestSupport;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// Fuzz surface 5, serve bodies: mutated AdmissionReviews POSTed to one running <c>policygate serve</c> at
/// <c>/validate</c>, <c>/mutate</c>, <c>/validate/NAME</c> and <c>/mutate/NAME</c>, over HTTP/1.1 and HTTP/2. Every
/// answer is 200, 400 or 413 (never 500, never a dropped connection) with the documented body; afterwards the server
/// is ready and answers a good review as before.
/// </summary>
/// <remarks>Seeds, case counts, and how to rerun one case: <see cref="FuzzSettings"/> and README, "Fuzz suite".</remarks>
[Trait("Category", "Integration")]
public sealed class ServeBodyFuzzTests(ServeBodyFuzzTests.Server server, ITestOutputHelper output) : IClassFixture<ServeBodyFuzzTests.Server>
{
    private const string Surface = "serve-bodies";

    private static readonly string[] Paths = ["/validate", "/mutate", "/validate/validate-pod-security-standards", "/mutate/capabilities"];

    [Fact]
    public async Task Post_MutatedReviews_200Or400Or413AndTheServerStillAnswers()
    {
        var goodBody = await File.ReadAllBytesAsync(Inputs.GoodReview);
        var baseline = await AnswerAsync(goodBody);
        Assert.Equal(HttpStatusCode.OK, baseline.Status);

        using var run = new FuzzRun(Surface, $"FullyQualifiedName~{nameof(ServeBodyFuzzTests)}", output);
        await run.RunAsync(
            defaultCount: 400,
            seed => FuzzCase.Create(Surface, seed, Inputs.ReviewSeeds),
            (fuzzCase, _) => CheckAsync(fuzzCase));

        using var ready = await server.Running.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(baseline, await AnswerAsync(goodBody));
    }

    /// <summary>Case seed <c>s</c> goes to path <c>s mod 4</c>, over HTTP/2 when <c>s / 4</c> is odd.</summary>
    private async Task<List<string>> CheckAsync(FuzzCase fuzzCase)
    {
        var problems = new List<string>();
        var seed = (uint)fuzzCase.Seed;
        var path = Paths[seed % (uint)Paths.Length];
        var client = seed / (uint)Paths.Length % 2 == 0 ? server.Running.Client : server.Http2;
        string[] contentTypes = ["application/json", "application/json", "application/json", "application/json; charset=utf-8", "text/plain"];
        var contentType = contentTypes[seed / 8 % (uint)contentTypes.Length];
        using var content = new ByteArrayContent(fuzzCase.Bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var where = $"POST {path} over HTTP/{client.DefaultRequestVersion}, Content-Type {contentType}";

        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        }
        catch (HttpRequestException ex)
        {
            return [$"{where}: no answer, the request failed: {ex.Message} {ex.InnerException?.Message}"];
        }

        using (response)
        {
            AdmissionAnswers.Check(fuzzCase.Bytes, path, (int)response.StatusCode, await response.Content.ReadAsStringAsync(), problems);
        }

        if (problems.Count > 0)
        {
            problems.Insert(0, where);
        }

        return problems;
    }

    private async Task<(HttpStatusCode Status, string Body)> AnswerAsync(byte[] review)
    {
        using var content = new ByteArrayContent(review);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await server.Running.Client.PostAsync(new Uri("/validate", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>One server for the class: the seed policies, capabilities (mutating) and run-as-non-root.</summary>
    public sealed class Server : IAsyncLifetime
    {
        internal RunningServer Running { get; private set; } = null!;

        internal HttpClient Http2 { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Running = await RunningServer.StartAsync(
                new Dictionary<string, string>
                {
                    ["seed-policies.yaml"] = await File.ReadAllTextAsync(Inputs.SeedPolicies),
                    ["capabilities.yaml"] = await File.ReadAllTextAsync(Inputs.Repo("policies/capabilities.yaml")),
                    ["run-as-non-root.yaml"] = await File.ReadAllTextAsync(Inputs.Repo("policies/run-as-non-root.yaml")),
                },
                CompileCacheLocation.Resolve());
            Http2 = Running.CreateClient(version: HttpVersion.Version20);
        }

        public async Task DisposeAsync()
        {
            Http2.Dispose();
            await Running.DisposeAsync();
        }
    }
}

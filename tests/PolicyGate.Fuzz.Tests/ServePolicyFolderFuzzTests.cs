using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using PolicyGate.Cli.Commands;
using PolicyGate.Core.Registry;
using PolicyGate.Fuzz.Tests.Fuzzing;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;
using PolicyGate.Server.Tests.TestSupport;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// Fuzz surface 6, serve's policy folder: mutated policy files written one at a time beside a good policy in a running
/// <c>policygate serve</c>'s folder. After each reload (awaited through the registry) the server is ready, the good
/// policy answers as before, and <c>GET /policies</c> lists an error for each thing wrong with the file, the same
/// errors the loader reports for that folder on its own.
/// </summary>
/// <remarks>Seeds, case counts, and how to rerun one case: <see cref="FuzzSettings"/> and README, "Fuzz suite".</remarks>
[Trait("Category", "Integration")]
public sealed class ServePolicyFolderFuzzTests(ServePolicyFolderFuzzTests.Server server, ITestOutputHelper output) : IClassFixture<ServePolicyFolderFuzzTests.Server>
{
    private const string Surface = "serve-folder";

    private const string GoodPolicy = "fuzz-good";

    /// <summary>The same loader the server uses, with its own compiler over the same disk cache: the folder's expected state.</summary>
    private readonly PolicyLoader _loader = new(new PolicyCompiler(CompileCacheLocation.Resolve()));

    [Fact]
    public async Task Reload_MutatedPolicyFiles_GoodPolicyKeepsServingAndErrorsAreListed()
    {
        var baseline = await GoodAnswerAsync();
        Assert.Equal(HttpStatusCode.OK, baseline.Status);

        using var run = new FuzzRun(Surface, $"FullyQualifiedName~{nameof(ServePolicyFolderFuzzTests)}", output);
        await run.RunAsync(
            defaultCount: 120,
            seed => FuzzCase.Create(Surface, seed, Inputs.PolicySeeds),
            (fuzzCase, path) => CheckAsync(path, baseline));
    }

    private async Task<List<string>> CheckAsync(string input, (HttpStatusCode, string) baseline)
    {
        var problems = new List<string>();
        var target = Path.Combine(server.Running.PoliciesDirectory, Path.GetFileName(input));
        var temp = Path.Combine(server.Running.Root, Path.GetFileName(input) + ".tmp");
        File.Copy(input, temp);
        File.Move(temp, target);
        try
        {
            var expected = _loader.LoadFiles(PolicyFiles());
            try
            {
                await server.Running.WaitUntilAsync(() => Mismatches(server.Running.Registry.Current, expected).Count == 0, "the reload", seconds: 8);
            }
            catch (Xunit.Sdk.FailException)
            {
                problems.Add("the served policies never matched what the loader says of the folder: " +
                    string.Join("; ", Mismatches(server.Running.Registry.Current, expected)));
            }

            using var ready = await server.Running.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (ready.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"/readyz answered {(int)ready.StatusCode}");
            }

            var answer = await GoodAnswerAsync();
            if (answer != baseline)
            {
                problems.Add($"/validate/{GoodPolicy} answered {(int)answer.Status} {CliChecks.Excerpt(answer.Body, "")}, not as before");
            }

            await ListedErrorsAsync(target, expected, problems);
        }
        finally
        {
            File.Delete(target);
        }

        return problems;
    }

    /// <summary>Every error the loader reports for the file is an error entry of <c>GET /policies</c> with that source.</summary>
    private async Task ListedErrorsAsync(string file, PolicyLoadResult expected, List<string> problems)
    {
        using var response = await server.Running.Client.GetAsync(new Uri("/policies", UriKind.Relative));
        var listed = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["policies"]?.AsArray() ?? [];
        var errorSources = listed
            .Where(p => p?["state"]?.ToString() == "error" && !string.IsNullOrWhiteSpace(p["lastError"]?.ToString()))
            .Select(p => p!["source"]?.ToString())
            .ToHashSet();
        foreach (var error in expected.Errors.Where(e => e.Source.StartsWith(file, StringComparison.Ordinal)))
        {
            if (!errorSources.Contains(error.Source))
            {
                problems.Add($"GET /policies lists no error from {Path.GetFileName(error.Source)} ({CliChecks.Excerpt(error.ToString(), "")})");
            }
        }
    }

    /// <summary>
    /// How the registry differs from the loader's result for the folder: each loaded policy serves from its source,
    /// each error has an error entry from its source, and nothing is left from a file that is gone.
    /// </summary>
    private List<string> Mismatches(PolicySnapshot snapshot, PolicyLoadResult expected)
    {
        var mismatches = new List<string>();
        foreach (var policy in expected.Policies)
        {
            if (!snapshot.Statuses.Any(s => s.Name == policy.Name && s.State == PolicyState.Ready && s.Source == policy.Resource.Source))
            {
                mismatches.Add($"policy {policy.Name} from {policy.Resource.Source} is not ready");
            }
        }

        foreach (var error in expected.Errors)
        {
            if (!snapshot.Statuses.Any(s => s.State == PolicyState.Error && s.Source == error.Source))
            {
                mismatches.Add($"no error entry from {error.Source} ({error.Message})");
            }
        }

        var files = PolicyFiles();
        foreach (var stale in snapshot.Statuses.Where(s => !files.Any(f => s.Source == f || s.Source.StartsWith(f + "#", StringComparison.Ordinal))))
        {
            mismatches.Add($"{stale.Name} is still listed from {stale.Source}");
        }

        return mismatches;
    }

    /// <summary>The folder's policy files in the order the server reads them.</summary>
    private List<string> PolicyFiles() =>
        [.. Directory.EnumerateFiles(server.Running.PoliciesDirectory).Where(PolicyLoader.IsPolicyFile).Order(StringComparer.Ordinal)];

    private async Task<(HttpStatusCode Status, string Body)> GoodAnswerAsync()
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(Inputs.GoodReview));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await server.Running.Client.PostAsync(new Uri($"/validate/{GoodPolicy}", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>One server for the class, serving the good policy.</summary>
    public sealed class Server : IAsyncLifetime
    {
        internal RunningServer Running { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Running = await RunningServer.StartAsync(
                new Dictionary<string, string> { ["fuzz-good.yaml"] = await File.ReadAllTextAsync(Inputs.Repo("tests/fixtures/fuzz/good-policy.yaml")) },
                CompileCacheLocation.Resolve());

        public async Task DisposeAsync() => await Running.DisposeAsync();
    }
}

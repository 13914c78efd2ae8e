using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using PolicyGate.Cli.Commands;
using PolicyGate.Fuzz.Tests.Fuzzing;
using PolicyGate.Scripting.Tests.Sandbox;
using PolicyGate.Server.Tests.TestSupport;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// The hostile corpus, served: every attack of the isolation corpus (<c>tests/fixtures/sandbox/isolation/</c>) is a
/// policy of one running <c>serve</c>, in-process and with <c>--isolation process</c>. Each case POSTs a mutated
/// AdmissionReview and then the intact one to one attack's own path, and the intact one to a witness policy: the
/// attacks answer under <c>failurePolicy: Fail</c> as their headers say, every answer is 200, 400 or 413 with the
/// documented body, and the witness sees its request untouched and answers as it did before the first attack.
/// </summary>
/// <remarks>Seeds, case counts, and how to rerun one case: <see cref="FuzzSettings"/> and README, "Fuzz suite".</remarks>
[Trait("Category", "Integration")]
public sealed class HostilePolicyFuzzTests(ITestOutputHelper output)
{
    private const string Surface = "hostile-policies";

    private const string WitnessPath = "/validate/zz-witness";

    /// <summary>The witness: allows only the intact review of <see cref="Inputs.GoodReview"/>, as the API server sent it.</summary>
    private const string Witness = """
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: zz-witness
        spec:
          rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
          script: |
            var intact = Request.Namespace == "shop" && Request.Name == "web" && Request.Kind.Kind == "Pod"
                && UserInfo.Username == "alice" && UserInfo.Groups!.SequenceEqual(["system:authenticated"])
                && (string?)Object!["spec"]!["containers"]![0]!["image"] == "nginx" && Object!["metadata"]!["labels"] is null;
            return intact ? Allow() : Deny("the request was changed before this policy saw it");
        """;

    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "fixtures", "sandbox", "isolation");

    [Theory]
    [InlineData("in-process")]
    [InlineData("process")]
    public async Task Post_ReviewsToHostilePolicies_EachAttackIsItsOwnFailureAndTheWitnessStillAnswers(string mode)
    {
        var attacks = Attacks(mode);
        var files = new Dictionary<string, string> { ["zz-witness.yaml"] = Witness };
        foreach (var attack in attacks)
        {
            files[attack.Name + ".csx"] = await File.ReadAllTextAsync(attack.Path);
            files[attack.Name + ".yaml"] = attack.Resource();
        }

        await using var server = await RunningServer.StartAsync(files, CompileCacheLocation.Resolve(), isolateAll: mode == "process");
        Assert.True(server.Registry.Current.Policies.Count == attacks.Count + 1, string.Join("\n", server.Logs));
        var goodReview = await File.ReadAllBytesAsync(Inputs.GoodReview);
        var witnessed = await PostAsync(server, WitnessPath, goodReview);
        Assert.Equal(HttpStatusCode.OK, witnessed.Status);
        Assert.True((bool?)JsonNode.Parse(witnessed.Body)?["response"]?["allowed"], witnessed.Body);

        // A case runs its attack twice (the mutated and the intact review), and a crashed worker's request is tried once
        // more on a fresh one: up to four evaluations, each allowed its whole budget, before the case has stalled.
        var longestBudget = TimeSpan.FromSeconds(attacks.Max(a => int.Parse(a.TimeoutSeconds, System.Globalization.CultureInfo.InvariantCulture)));
        using var run = new FuzzRun($"{Surface}-{mode}", $"FullyQualifiedName~{nameof(HostilePolicyFuzzTests)}", output,
            FuzzSettings.CaseTimeout + 4 * longestBudget);
        await run.RunAsync(
            defaultCount: 2 * attacks.Count, // each attack twice
            seed => FuzzCase.Create(Surface, seed, Inputs.ReviewSeeds),
            async (fuzzCase, _) =>
            {
                // The seed alone picks the attack, so the rerun line a failure prints (that seed, one case) runs the same
                // attack; consecutive seeds still take every attack in turn.
                var attack = attacks[(int)((uint)fuzzCase.Seed % (uint)attacks.Count)];
                var problems = new List<string>();

                // The mutated review: whatever it is, a documented answer.
                var mutated = await PostAsync(server, attack.Endpoint, fuzzCase.Bytes);
                AdmissionAnswers.Check(fuzzCase.Bytes, attack.Endpoint, (int)mutated.Status, mutated.Body, problems);

                // The intact review: the attack runs, and is its own policy's failure (or harmless).
                var intact = await PostAsync(server, attack.Endpoint, goodReview);
                var allowed = (bool?)JsonNode.Parse(intact.Body)?["response"]?["allowed"];
                var message = JsonNode.Parse(intact.Body)?["response"]?["status"]?["message"]?.ToString() ?? "";
                if (intact.Status != HttpStatusCode.OK || allowed != (attack.Expect == "allowed") || !message.Contains(attack.Message, StringComparison.Ordinal))
                {
                    problems.Add($"{attack.Name} on the intact review: {(int)intact.Status}, expected 200 {attack.Expect} with '{attack.Message}': {CliChecks.Excerpt(intact.Body, "")}");
                }

                // The witness, after the attack: the same answer as before any attack ran.
                var after = await PostAsync(server, WitnessPath, goodReview);
                if (after.Status != witnessed.Status || after.Body != witnessed.Body)
                {
                    problems.Add($"after {attack.Name}, the witness answered {(int)after.Status}: {CliChecks.Excerpt(after.Body, "")}");
                }

                if (problems.Count > 0)
                {
                    problems.Insert(0, $"attack {attack.Name} ({mode}), POST {attack.Endpoint}");
                }

                return problems;
            });

        using var ready = await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    /// <summary>The corpus's attacks that load and apply to <paramref name="mode"/> (its <c>// modes:</c> header).</summary>
    private static List<Attack> Attacks(string mode) =>
        Directory.EnumerateFiles(Corpus, "*.csx").Order(StringComparer.Ordinal)
            .Select(path => new Attack(
                path,
                CorpusHeaders.Required(path, "expect"),
                CorpusHeaders.Required(path, "message"),
                CorpusHeaders.Optional(path, "mutating") == "true",
                CorpusHeaders.Optional(path, "modes") ?? "both",
                CorpusHeaders.Optional(path, "timeoutSeconds") ?? "1"))
            .Where(a => a.Expect != "load-error" && (a.Modes == "both" || a.Modes == mode))
            .ToList();

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(RunningServer server, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await server.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private sealed record Attack(string Path, string Expect, string Message, bool Mutating, string Modes, string TimeoutSeconds)
    {
        public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

        public string Endpoint => $"/{(Mutating ? "mutate" : "validate")}/{Name}";

        /// <summary>
        /// The policy file beside the script: every request, the budget of its <c>// timeoutSeconds:</c> header (1 s
        /// when it has none, as in <c>IsolationCorpusTests</c>), and Fail, so a failure denies.
        /// </summary>
        public string Resource() => $$"""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata:
              name: {{Name}}
            spec:
              module: file://{{Name}}.csx
              mutating: {{(Mutating ? "true" : "false")}}
              timeoutSeconds: {{TimeoutSeconds}}
              failurePolicy: Fail
              rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*", "*/*"], operations: ["*"]}]
            """;
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Core.Registry;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

[Trait("Category", "Integration")]
public sealed class HotReloadIntegrationTests
{
    [Fact]
    public async Task Reload_UnderConcurrentLoad_EveryRequestAnsweredAndEachNewVersionServes()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel("v0") });
        var failures = new ConcurrentQueue<string>();
        var versionsSeen = new ConcurrentDictionary<string, int>();
        var answered = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            using var client = server.CreateClient(version: w % 2 == 0 ? HttpVersion.Version11 : HttpVersion.Version20);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await server.PostAsync("/validate/team-label", Reviews.Pod($"w{w}"), client: client);
                    var body = await response.Content.ReadAsStringAsync();
                    var message = (string?)Reviews.Response(body)["status"]?["message"];
                    if (response.StatusCode != HttpStatusCode.OK || message is null)
                    {
                        failures.Enqueue($"{(int)response.StatusCode}: {body}");
                        continue;
                    }

                    versionsSeen.AddOrUpdate(message.Split(':')[1].Trim(), 1, (_, n) => n + 1);
                    Interlocked.Increment(ref answered);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                {
                    failures.Enqueue(ex.Message);
                }
            }
        })).ToList();

        var path = Path.Combine(server.PoliciesDirectory, "team.yaml");
        for (var version = 1; version <= 6; version++)
        {
            var yaml = TestPolicyFiles.TeamLabel($"v{version}");
            if (version % 2 == 0)
            {
                await File.WriteAllTextAsync(path, yaml); // an in-place write
            }
            else
            {
                await server.WritePolicyAsync("team.yaml", yaml); // an atomic rename
            }

            await WaitForVersionAsync(server, $"v{version}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests, e.g. {failures.FirstOrDefault()}");
        Assert.True(answered > 0);
        Assert.Contains("v6", versionsSeen.Keys);
    }

    [Fact]
    public async Task Reload_ConfigMapSymlinkSwap_NewVersionServes()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>());
        var dir = server.PoliciesDirectory;

        // The layout the kubelet gives a mounted ConfigMap: real files in a timestamped folder, ..data pointing at it,
        // and top-level symlinks through ..data. An update writes a new folder and swaps ..data atomically.
        Directory.CreateDirectory(Path.Combine(dir, "..2026_11_23_a"));
        await File.WriteAllTextAsync(Path.Combine(dir, "..2026_11_23_a", "team.yaml"), TestPolicyFiles.TeamLabel("cm1"));
        File.CreateSymbolicLink(Path.Combine(dir, "..data"), "..2026_11_23_a");
        File.CreateSymbolicLink(Path.Combine(dir, "team.yaml"), Path.Combine("..data", "team.yaml"));
        await WaitForVersionAsync(server, "cm1");

        Directory.CreateDirectory(Path.Combine(dir, "..2026_11_23_b"));
        await File.WriteAllTextAsync(Path.Combine(dir, "..2026_11_23_b", "team.yaml"), TestPolicyFiles.TeamLabel("cm2"));
        File.CreateSymbolicLink(Path.Combine(dir, "..data_tmp"), "..2026_11_23_b");
        Assert.Equal(0, Rename(Path.Combine(dir, "..data_tmp"), Path.Combine(dir, "..data"))); // atomic, as the kubelet does
        Directory.Delete(Path.Combine(dir, "..2026_11_23_a"), recursive: true);

        await WaitForVersionAsync(server, "cm2");
        Assert.Single(server.Registry.Current.Policies);
    }

    [Theory]
    [InlineData("yaml", "kind: [unclosed")]
    [InlineData("csharp", "return Alow();")]
    [InlineData("settings", "settings")]
    public async Task Reload_BrokenEdit_LastGoodVersionKeepsServingAndErrorIsReported(string what, string breakage)
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel("good") });
        var broken = what switch
        {
            "yaml" => TestPolicyFiles.TeamLabel("bad") + "\n" + breakage,
            "csharp" => TestPolicyFiles.Inline("team-label", breakage),
            _ => TestPolicyFiles.Inline("team-label", "public sealed class Settings { public int Max { get; set; } }\nreturn Allow();", extra: "  settings:\n    unknownSetting: 1"),
        };

        await server.WritePolicyAsync("team.yaml", broken);
        await server.WaitUntilAsync(() => server.Registry.Current.Statuses.Any(s => s.State == PolicyState.Error), "the broken edit to be reported");

        var status = Assert.Single(server.Registry.Current.Statuses, s => s.Name == "team-label");
        Assert.True(status.Serving);
        Assert.False(string.IsNullOrEmpty(status.LastError));
        using var response = await server.PostAsync("/validate/team-label", Reviews.Pod("after-break"));
        Assert.StartsWith("policy team-label denied the request: good:", (string?)Reviews.Response(await response.Content.ReadAsStringAsync())["status"]!["message"], StringComparison.Ordinal);
        var listed = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray().Single()!;
        Assert.Equal("error", (string?)listed["state"]);
        Assert.Equal(status.LastError, (string?)listed["lastError"]);
        Assert.Contains(server.Logs, l => l.Contains("|1003|Warning|Policy team-label failed to load", StringComparison.Ordinal));

        await server.WritePolicyAsync("team.yaml", TestPolicyFiles.TeamLabel("fixed"));
        await WaitForVersionAsync(server, "fixed");
        Assert.Equal(PolicyState.Ready, Assert.Single(server.Registry.Current.Statuses).State);
    }

    /// <summary>A policy file YamlDotNet's scanner cannot read (it threw InvalidOperationException, issue 10).</summary>
    private const string FlowLeftOpen = "metadata: {name: broken, namespace: shop\nspec: [this is: not: valid\n";

    [Fact]
    public async Task Start_MalformedPolicyFileInTheFolder_ReadyWithTheOthersServingAndTheFileListed()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>
        {
            ["broken.yaml"] = FlowLeftOpen,
            ["team.yaml"] = TestPolicyFiles.TeamLabel("good"),
        });

        using var ready = await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        await WaitForVersionAsync(server, "good");
        var broken = await BrokenEntryAsync(server, "broken.yaml");
        Assert.Contains("line 2, column 1: invalid YAML", (string?)broken["lastError"], StringComparison.Ordinal);
        Assert.False((bool)broken["serving"]!);
        Assert.Contains(server.Logs, l => l.Contains("broken.yaml", StringComparison.Ordinal) && l.Contains("invalid YAML", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_MalformedFileAddedBesideANewPolicy_TheNewPolicyLoadsAndTheFileIsListed()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel("good") });

        await File.WriteAllTextAsync(Path.Combine(server.PoliciesDirectory, "broken.yaml"), FlowLeftOpen);
        await File.WriteAllTextAsync(Path.Combine(server.PoliciesDirectory, "mutate.yaml"), TestPolicyFiles.AddManagedBy());
        await server.WaitUntilAsync(() => server.Registry.Current.Find("add-managed-by") is not null, "the new policy beside the broken file to load");

        await WaitForVersionAsync(server, "good");
        Assert.Contains("invalid YAML", (string?)(await BrokenEntryAsync(server, "broken.yaml"))["lastError"], StringComparison.Ordinal);
    }

    private static async Task<JsonNode> BrokenEntryAsync(RunningServer server, string file)
    {
        var policies = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray();
        return policies.Single(p => ((string?)p!["source"])!.Contains(file, StringComparison.Ordinal) && (string?)p["state"] == "error")!;
    }

    [Fact]
    public async Task Load_SamePolicyNameTwice_FirstServesAndTheSecondIsListedAsAnError()
    {
        // Found by the fuzz suite (serve-folder surface): the second definition was dropped without a word, in
        // /policies or the log, while dry-run, run and webhook-config all refuse it.
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>
        {
            ["team.yaml"] = TestPolicyFiles.TeamLabel("first") + "\n---\n" + TestPolicyFiles.TeamLabel("second"),
        });

        using var response = await server.PostAsync("/validate/team-label", Reviews.Pod("dup"));
        Assert.StartsWith("policy team-label denied the request: first:", (string?)Reviews.Response(await response.Content.ReadAsStringAsync())["status"]!["message"], StringComparison.Ordinal);
        var listed = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray();
        Assert.Equal(2, listed.Count);
        var error = Assert.Single(listed, p => (string?)p!["state"] == "error")!;
        Assert.EndsWith("team.yaml#2", (string?)error["source"], StringComparison.Ordinal);
        Assert.Equal((string?)error["source"], (string?)error["name"]);
        Assert.Equal("policy team-label: a policy of this kind and name is already defined; names must be unique", (string?)error["lastError"]);
        Assert.False((bool)error["serving"]!);
        Assert.Contains(server.Logs, l => l.Contains("|1003|Warning|", StringComparison.Ordinal) && l.Contains("already defined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Load_SameBrokenPolicyTwice_BothErrorsListed()
    {
        // Found by the fuzz suite (serve-folder surface): both documents failed under one name, and the entry of the
        // second replaced the first's, so the first document's error was nowhere.
        var broken = TestPolicyFiles.Inline("team-label", "return Allow();", extra: "  unknownField: 1");
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = broken + "\n---\n" + broken });

        var listed = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray();

        Assert.Equal(2, listed.Count);
        Assert.All(listed, p => Assert.Equal("error", (string?)p!["state"]));
        Assert.Equal(["team.yaml#1", "team.yaml#2"], listed.Select(p => Path.GetFileName((string?)p!["source"])).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reload_FileRemoved_PolicyGoneAndOthersStay()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>
        {
            ["team.yaml"] = TestPolicyFiles.TeamLabel(),
            ["mutate.yaml"] = TestPolicyFiles.AddManagedBy(),
        });

        File.Delete(Path.Combine(server.PoliciesDirectory, "team.yaml"));
        await server.WaitUntilAsync(() => server.Registry.Current.Find("team-label") is null, "the removed policy to go");

        using var gone = await server.PostAsync("/validate/team-label", Reviews.Pod("x"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.NotNull(server.Registry.Current.Find("add-managed-by"));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);

    private static async Task WaitForVersionAsync(RunningServer server, string version) =>
        await server.WaitUntilAsync(
            () =>
            {
                using var response = server.PostAsync("/validate/team-label", Reviews.Pod("probe")).GetAwaiter().GetResult();
                var message = response.StatusCode == HttpStatusCode.OK
                    ? (string?)Reviews.Response(response.Content.ReadAsStringAsync().GetAwaiter().GetResult())["status"]?["message"]
                    : null;
                return message?.Contains($": {version}: ", StringComparison.Ordinal) == true;
            },
            $"policy version {version} to serve");
}

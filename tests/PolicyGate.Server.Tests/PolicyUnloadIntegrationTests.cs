using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using PolicyGate.Core.Registry;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

/// <summary>A policy replaced or deleted in the policy folder leaves the server: its compiled code is unloaded.</summary>
[Trait("Category", "Integration")]
public sealed class PolicyUnloadIntegrationTests
{
    [Fact]
    public async Task Reload_PolicyReplaced_OldScriptIsUnloaded()
    {
        // A source no other test compiles, so its load context is this test's alone.
        var marker = Guid.NewGuid().ToString("N");
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel("old-" + marker) });
        var oldHash = ServingHash(server.Registry, "team-label");
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync("/validate/team-label", Reviews.Pod("before"))).StatusCode);
        Assert.True(IsLoaded(oldHash), "the serving script should have a live load context");

        await server.WritePolicyAsync("team.yaml", TestPolicyFiles.TeamLabel("new-" + marker));
        await server.WaitUntilAsync(() => ServingHash(server.Registry, "team-label") != oldHash, "the new version to serve");
        using var response = await server.PostAsync("/validate/team-label", Reviews.Pod("after"));
        Assert.Contains("new-" + marker, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.True(await WaitUntilUnloadedAsync(oldHash), $"the replaced script's load context (policy-{oldHash[..12]}) is still alive");
        Assert.True(IsLoaded(ServingHash(server.Registry, "team-label")), "the serving script must stay loaded");
    }

    [Fact]
    public async Task Reload_PolicyFileDeleted_ScriptIsUnloaded()
    {
        var marker = Guid.NewGuid().ToString("N");
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel("gone-" + marker) });
        var hash = ServingHash(server.Registry, "team-label");

        File.Delete(Path.Combine(server.PoliciesDirectory, "team.yaml"));
        await server.WaitUntilAsync(() => server.Registry.Current.Find("team-label") is null, "the policy to be removed");

        Assert.True(await WaitUntilUnloadedAsync(hash), $"the deleted policy's load context (policy-{hash[..12]}) is still alive");
    }

    private static string ServingHash(PolicyRegistry registry, string name) =>
        registry.Current.Statuses.Single(s => s.Name == name).Hash ?? throw new InvalidOperationException($"{name} does not serve");

    /// <summary>Whether a load context for the script with this hash exists (ScriptProgram names them policy-&lt;hash prefix&gt;).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsLoaded(string hash) =>
        AssemblyLoadContext.All.Any(c => c.Name == "policy-" + hash[..12]);

    /// <summary>Full collections until the context is gone; the deadline is a hang guard, not a wait.</summary>
    private static async Task<bool> WaitUntilUnloadedAsync(string hash)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (IsLoaded(hash))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();

            // Let the server's own threads (Kestrel, the reload loop) finish with whatever they held.
            await Task.Yield();
        }

        return true;
    }
}

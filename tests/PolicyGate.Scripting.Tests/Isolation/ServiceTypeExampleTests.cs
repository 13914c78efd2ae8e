using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Loading;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Isolation;

/// <summary>
/// The example policy that reads Services through KubernetesClient's model decides its example manifests the same
/// in the server's process and in a worker process (which must find KubernetesClient beside it).
/// </summary>
public sealed class ServiceTypeExampleTests(Workers workers) : IClassFixture<Workers>
{
    private static readonly string Folder = Path.Combine(RepoPaths.Policies, "examples", "service-type");

    private static readonly string[] Expected = ["orders allowed", "storefront allowed", "debug-console denied", "metrics denied"];

    [Fact]
    public void Decide_ExampleServices_InProcess_DeniesOnlyUnapprovedExternalServices() =>
        Assert.Equal(Expected, Decisions(new PolicyLoader(TestPolicies.Compiler), isolated: false));

    [Fact]
    public void Decide_ExampleServices_InAWorker_DecidesAsInProcess() =>
        Assert.Equal(Expected, Decisions(workers.Loader, isolated: true));

    private static List<string> Decisions(PolicyLoader loader, bool isolated)
    {
        var path = Path.Combine(Folder, "service-type.yaml");
        var result = loader.LoadText(File.ReadAllText(path), path, path);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var policy = Assert.Single(result.Policies);
        Assert.Equal(isolated, policy.Program is PolicyGate.Scripting.Isolation.IsolatedProgram);
        var manifests = ManifestLoader.LoadText(File.ReadAllText(Path.Combine(Folder, "services.yaml")), "services.yaml");
        Assert.Empty(manifests.Errors);
        return manifests.Documents
            .Select(d => (Name: (string)d.Object["metadata"]!["name"]!, Decision: TestPolicies.Decide(policy, d.Object)))
            .Select(x => $"{x.Name} {(x.Decision.Outcome == DecisionOutcome.Failed ? "failed: " + x.Decision.Message : x.Decision.Allowed ? "allowed" : "denied")}")
            .ToList();
    }
}

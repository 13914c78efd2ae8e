using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>The scripts under tests/fixtures/sandbox/, each with its expectation in a header comment.</summary>
internal static class SandboxFixtures
{
    public static string Folder(string kind) => Path.Combine(AppContext.BaseDirectory, "fixtures", "sandbox", kind);

    /// <summary>The file names in a fixture folder, for a theory.</summary>
    public static TheoryData<string> Names(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(Folder(kind), "*.csx").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    /// <summary>The text after <c>// key:</c> on one of the file's first lines.</summary>
    public static string Header(string kind, string name, string key) => CorpusHeaders.Required(Path.Combine(Folder(kind), name), key);

    /// <summary>The text after <c>// key:</c> on one of the file's first lines, or null when there is none.</summary>
    public static string? OptionalHeader(string kind, string name, string key) => CorpusHeaders.Optional(Path.Combine(Folder(kind), name), key);

    /// <summary>Loads the fixture through the real loader, as a policy file beside it that names it as its module.</summary>
    public static PolicyGate.Scripting.Loading.PolicyLoadResult Load(
        string kind, string name, string failurePolicy = "Fail", int timeoutSeconds = 1, string mode = "protect", bool mutating = false,
        PolicyGate.Scripting.Loading.PolicyLoader? loader = null)
    {
        var yaml = $$"""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata:
              name: {{Path.GetFileNameWithoutExtension(name)}}
            spec:
              module: file://{{name}}
              mode: {{mode}}
              mutating: {{(mutating ? "true" : "false")}}
              timeoutSeconds: {{timeoutSeconds}}
              failurePolicy: {{failurePolicy}}
              rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
            """;
        var file = Path.Combine(Folder(kind), Path.GetFileNameWithoutExtension(name) + ".yaml");
        return loader is null ? TestPolicies.Load(yaml, file) : loader.LoadText(yaml, file, file);
    }

    public static ParsedRequest Pod(string? labelsJson = null, string name = "web")
    {
        var pod = JsonNode.Parse($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"shop"},
             "spec":{"containers":[{"name":"web","image":"registry.example.com/web:1.0"}]}}
            """)!.AsObject();
        if (labelsJson is not null)
        {
            pod["metadata"]!["labels"] = JsonNode.Parse(labelsJson);
        }

        return new ParsedRequest(AdmissionRequestFactory.Create(pod, "test"));
    }
}

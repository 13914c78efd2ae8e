using System.Diagnostics;
using System.Text.Json.Nodes;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Cli.Tests;

/// <summary>
/// deploy/, the kustomize install, rendered as <c>kubectl kustomize</c> renders it and judged by PolicyGate's own
/// built-in policies (dogfood), plus the properties an install promises: two replicas, probes, limits, spread, a PDB,
/// a hardened pod, and RBAC without wildcards that is exactly README's table.
/// </summary>
/// <remarks>
/// Rendering needs <c>kubectl</c> (CI's <c>.ci/run</c> installs it and sets <c>POLICYGATE_REQUIRE_KUBECTL=1</c>, so
/// there a missing kubectl fails). Elsewhere, without kubectl, the kustomizations' resources are read as they are
/// (deploy/ uses no transformers, so that is the same set of objects).
/// </remarks>
public sealed class DeployTests
{
    public static TheoryData<string> Installs => new() { "deploy", "deploy/cert-manager" };

    [Theory]
    [MemberData(nameof(Installs))]
    public void BuiltInPolicies_AllowEveryObjectOfTheInstall(string install)
    {
        var rendered = Path.Combine(Directory.CreateTempSubdirectory("policygate-deploy-").FullName, "install.yaml");
        File.WriteAllText(rendered, Render(install));
        var policies = Directory.GetFiles(CliRunner.Repo("policies"), "*.yaml")
            .Where(PolicyGate.Scripting.Loading.PolicyLoader.IsPolicyFile)
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.True(policies.Length >= 7, "the built-in policies");

        var result = CliRunner.Invoke(["dry-run", "--policy", .. policies, "--manifests", rendered, "--output", "json"]);

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        var report = JsonNode.Parse(result.Out)!;
        Assert.Empty(report["errors"]!.AsArray());
        var judged = report["results"]!.AsArray().Select(r => $"{(string?)r!["object"]!["kind"]} {(string?)r["object"]!["name"]}").Distinct().ToList();
        Assert.Contains("Deployment policygate", judged);
        Assert.All(report["answers"]!.AsArray(), a => Assert.True((bool)a!["allowed"]!, a.ToJsonString()));
    }

    [Fact]
    public void Deployment_TwoSpreadReplicas_Probes_Limits_AndAHardenedPod()
    {
        var objects = Objects(Render("deploy"));
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");
        Assert.Equal(2, (long)deployment["spec"]!["replicas"]!);
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.NotNull(container["resources"]!["requests"]!["memory"]);
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);
        Assert.Equal("kubernetes.io/hostname", (string?)pod["topologySpreadConstraints"]![0]!["topologyKey"]);
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.True((long)pod["securityContext"]!["runAsUser"]! > 0);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c));
        var cache = container["volumeMounts"]!.AsArray().Single(m => (string?)m!["mountPath"] == "/var/cache/policygate")!;
        Assert.NotNull(pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)cache["name"])!["emptyDir"]);
        Assert.Contains(objects, o => (string?)o["kind"] == "PodDisruptionBudget" && (long?)o["spec"]!["minAvailable"] == 1);
        Assert.Contains(objects, o => (string?)o["kind"] == "Service" && (string?)o["metadata"]!["name"] == "policygate");
        Assert.Equal(2, objects.Count(o => (string?)o["kind"] == "CustomResourceDefinition"));
        Assert.All(objects.Where(o => (string?)o["kind"] is not ("Namespace" or "CustomResourceDefinition" or "ClusterRole" or "ClusterRoleBinding")),
            o => Assert.Equal("policygate", (string?)o["metadata"]!["namespace"]));
    }

    [Fact]
    public void Rbac_NoWildcards_AndServesGrantsAreReadmesTable()
    {
        var objects = Objects(Render("deploy/base"));
        var rules = objects.Where(o => (string?)o["kind"] is "ClusterRole" or "Role" && (string?)o["metadata"]!["name"] != "policygate-certs")
            .SelectMany(o => o["rules"]!.AsArray())
            .ToList();
        Assert.All(rules, r => Assert.DoesNotContain("*", r!.ToJsonString(), StringComparison.Ordinal));
        var granted = rules.SelectMany(r => r!["apiGroups"]!.AsArray().SelectMany(g => r["resources"]!.AsArray().SelectMany(res =>
            r["verbs"]!.AsArray().Select(v => $"{(string?)g}/{(string?)res}:{(string?)v}")))).ToHashSet(StringComparer.Ordinal);

        var readme = File.ReadAllLines(CliRunner.Repo("README.md"))
            .SkipWhile(l => !l.Contains("**RBAC.**", StringComparison.Ordinal))
            .SkipWhile(l => !l.TrimStart().StartsWith("| `", StringComparison.Ordinal))
            .TakeWhile(l => l.TrimStart().StartsWith('|'))
            .ToList();
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cells in readme.Select(row => row.Split('|', StringSplitOptions.TrimEntries).Skip(1).ToArray()))
        {
            var group = Ticked(cells[0]).Single().Replace("\"\"", "", StringComparison.Ordinal);
            foreach (var resource in Ticked(cells[1]))
            {
                foreach (var verb in Ticked(cells[2]))
                {
                    documented.Add($"{group}/{resource}:{verb}");
                }
            }
        }

        Assert.Equal(documented.Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ExamplesOverlay_GivesTheSeedPoliciesWithTheClaimsRealGroup()
    {
        if (Kubectl() is null && Environment.GetEnvironmentVariable("POLICYGATE_REQUIRE_KUBECTL") != "1")
        {
            // Without kubectl the patch cannot be applied here: check that it is the one meant (CI renders it).
            var overlay = File.ReadAllText(CliRunner.Repo("deploy/examples/kustomization.yaml"));
            Assert.Contains("name: sql-size-restriction", overlay, StringComparison.Ordinal);
            Assert.Contains("path: /spec/rules/0/apiGroups", overlay, StringComparison.Ordinal);
            Assert.Contains("value: [db.example.com]", overlay, StringComparison.Ordinal);
            return;
        }

        var policies = Objects(Render("deploy/examples"));

        Assert.Equal(["sql-size-restriction", "validate-pod-security-standards"], policies.Select(p => (string?)p["metadata"]!["name"]).Order(StringComparer.Ordinal));
        var sql = policies.Single(p => (string?)p["metadata"]!["name"] == "sql-size-restriction");
        Assert.Equal(["db.example.com"], sql["spec"]!["rules"]![0]!["apiGroups"]!.AsArray().Select(g => (string?)g));
    }

    private static IEnumerable<string> Ticked(string cell) =>
        cell.Split('`').Where((_, i) => i % 2 == 1);

    /// <summary>The install as <c>kubectl kustomize</c> renders it (see the class remarks when kubectl is missing).</summary>
    private static string Render(string install)
    {
        var path = CliRunner.Repo(install);
        if (Kubectl() is { } kubectl)
        {
            using var process = Process.Start(new ProcessStartInfo(kubectl, ["kustomize", path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "kubectl kustomize did not finish");
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {install}: {stderr}");
            return stdout.Result;
        }

        Assert.True(Environment.GetEnvironmentVariable("POLICYGATE_REQUIRE_KUBECTL") != "1", "kubectl is required here (POLICYGATE_REQUIRE_KUBECTL=1) and is not on PATH");
        return string.Join("\n---\n", Resources(path));
    }

    /// <summary>The files a kustomization lists, folders (kustomizations themselves) followed.</summary>
    private static IEnumerable<string> Resources(string directory)
    {
        var kustomization = (JsonObject)YamlJson.ParseSingle(File.ReadAllText(Path.Combine(directory, "kustomization.yaml")), directory)!;
        Assert.False(kustomization.ContainsKey("patches"), $"{directory}: patches need kubectl kustomize");
        foreach (var resource in kustomization["resources"]!.AsArray().Select(n => (string)n!))
        {
            var full = Path.GetFullPath(Path.Combine(directory, resource));
            if (Directory.Exists(full))
            {
                foreach (var text in Resources(full))
                {
                    yield return text;
                }
            }
            else
            {
                yield return File.ReadAllText(full);
            }
        }
    }

    private static string? Kubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "kubectl"))
            .FirstOrDefault(File.Exists);

    /// <summary>The objects of a rendered install, read as every manifest is (Core's YAML reader).</summary>
    private static List<JsonObject> Objects(string yaml) =>
        [.. YamlJson.ParseDocuments(yaml).Select(d => d.Node).OfType<JsonObject>()];
}

using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

public class ValidatePodSecurityStandardsTests
{
    private const string Module = "validate-pod-security-standards";

    private static readonly string SeedFile = Path.Combine(RepoPaths.Policies, "examples", "seed-policies.yaml");

    private const string Labels = """{"app.kubernetes.io/name": "web", "app.kubernetes.io/version": "1.4.2"}""";

    private const string Annotations = """{"kubewarden.policy/owner": "team-shop"}""";

    private const string CompliantSpec = """
        {"securityContext": {"runAsNonRoot": true},
         "initContainers": [{"name": "setup", "image": "setup:1", "securityContext": {"runAsUser": 1000}}],
         "containers": [{"name": "web", "image": "web:1", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}
        """;

    public static TheoryData<string> AllKinds() => Workloads.AllKinds();

    /// <summary>The validate-pod-security-standards policy exactly as the seed example file defines it.</summary>
    private static CompiledPolicy SeedPolicy()
    {
        var result = TestPolicies.Load(File.ReadAllText(SeedFile), SeedFile);
        Assert.Empty(result.Errors);
        return Assert.Single(result.Policies, p => p.Name == Module);
    }

    private static JsonObject Workload(string kind, string spec, string? labels = Labels, string? annotations = Annotations)
    {
        var manifest = Workloads.Wrap(kind, spec, labels);
        return annotations is null ? manifest : BuiltinAssert.WithAnnotations(manifest, annotations);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_CompliantWorkload_Allowed(string kind)
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(SeedPolicy(), Workload(kind, CompliantSpec)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MissingLabel_DeniedNamingIt(string kind)
    {
        var decision = TestPolicies.Decide(SeedPolicy(), Workload(kind, CompliantSpec, labels: """{"app.kubernetes.io/name": "web"}"""));

        Assert.Equal("missing required labels: app.kubernetes.io/version", BuiltinAssert.Denied(decision));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MissingAnnotation_DeniedNamingIt(string kind)
    {
        var decision = TestPolicies.Decide(SeedPolicy(), Workload(kind, CompliantSpec, annotations: null));

        Assert.Equal("missing required annotations: kubewarden.policy/owner", BuiltinAssert.Denied(decision));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_RunAsRoot_DeniedNamingContainer(string kind)
    {
        var spec = """{"containers": [{"name": "shell", "image": "busybox", "securityContext": {"runAsUser": 0}}]}""";

        var decision = TestPolicies.Decide(SeedPolicy(), Workload(kind, spec));

        Assert.Equal(
            "pod or container \"shell\" must set securityContext.runAsNonRoot=true; container \"shell\" must not set securityContext.runAsUser=0",
            BuiltinAssert.Denied(decision));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_InitContainerAsRoot_DeniedNamingInitContainer(string kind)
    {
        var spec = """
            {"securityContext": {"runAsNonRoot": true},
             "initContainers": [{"name": "migrate", "securityContext": {"runAsNonRoot": false}}],
             "containers": [{"name": "web"}]}
            """;

        var decision = TestPolicies.Decide(SeedPolicy(), Workload(kind, spec));

        Assert.Equal("init container \"migrate\" must not set securityContext.runAsNonRoot=false", BuiltinAssert.Denied(decision));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_AddedCapability_DeniedNamingIt(string kind)
    {
        var spec = """
            {"securityContext": {"runAsNonRoot": true},
             "containers": [{"name": "web", "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}]}
            """;

        var decision = TestPolicies.Decide(SeedPolicy(), Workload(kind, spec));

        Assert.Equal("container \"web\" must not add capabilities \"NET_ADMIN\" (no capability may be added)", BuiltinAssert.Denied(decision));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_EphemeralContainerAddsCapability_DeniedNamingEphemeralContainer(string kind)
    {
        var spec = """
            {"securityContext": {"runAsNonRoot": true},
             "containers": [{"name": "web"}],
             "ephemeralContainers": [{"name": "debugger", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}]}
            """;

        var decision = TestPolicies.Decide(SeedPolicy(), Workload(kind, spec));

        Assert.Equal("ephemeral container \"debugger\" must not add capabilities \"SYS_PTRACE\" (no capability may be added)", BuiltinAssert.Denied(decision));
    }

    [Fact]
    public void Decide_EveryProblem_ListedTogether()
    {
        var spec = """
            {"initContainers": [{"name": "setup", "securityContext": {"capabilities": {"add": ["SYS_TIME"]}}}],
             "containers": [{"name": "shell", "image": "busybox:1.36", "securityContext": {"runAsUser": 0, "capabilities": {"add": ["NET_ADMIN", "SYS_TIME"]}}}]}
            """;

        var decision = TestPolicies.Decide(SeedPolicy(), Workload("Pod", spec, labels: """{"app.kubernetes.io/name": "debug"}""", annotations: null));

        Assert.Equal(
            "missing required labels: app.kubernetes.io/version; "
            + "missing required annotations: kubewarden.policy/owner; "
            + "pod or init container \"setup\", container \"shell\" must set securityContext.runAsNonRoot=true; "
            + "container \"shell\" must not set securityContext.runAsUser=0; "
            + "init container \"setup\" must not add capabilities \"SYS_TIME\" (no capability may be added); "
            + "container \"shell\" must not add capabilities \"NET_ADMIN\", \"SYS_TIME\" (no capability may be added)",
            BuiltinAssert.Denied(decision));
    }

    [Fact]
    public void Evaluate_SeedPolicyOnExamplePods_DecidesAsTheReadmeSays()
    {
        var policy = SeedPolicy();

        var results = TestPolicies.ExampleManifests("pods.yaml").ToDictionary(
            o => o["metadata"]!["name"]!.GetValue<string>(),
            o => Assert.Single(TestPolicies.Evaluate([policy], o)));

        Assert.Equal(new[] { "web", "root-debug", "sidecar-as-root" }, results.Keys);
        BuiltinAssert.Allowed(results["web"]);
        Assert.StartsWith("missing required labels: app.kubernetes.io/version; ", BuiltinAssert.Denied(results["root-debug"]), StringComparison.Ordinal);
        BuiltinAssert.DeniedWith(
            results["root-debug"],
            "missing required annotations: kubewarden.policy/owner",
            "container \"shell\" must not set securityContext.runAsUser=0",
            "container \"shell\" must not add capabilities \"NET_ADMIN\", \"SYS_TIME\"");
        Assert.Equal("init container \"migrate\" must not set securityContext.runAsNonRoot=false", BuiltinAssert.Denied(results["sidecar-as-root"]));
    }

    [Fact]
    public void Evaluate_SeedPolicy_MatchesPodsOnly()
    {
        // The seed policy's rules name pods only; a Deployment is not judged by it (the built-in itself handles every kind).
        Assert.Empty(TestPolicies.Evaluate([SeedPolicy()], Workload("Deployment", """{"containers": [{"name": "web", "securityContext": {"runAsUser": 0}}]}""")));
    }

    [Fact]
    public void Decide_WithoutRunAsNonRootOrCapabilityChecks_OnlyLabelsMatter()
    {
        var policy = TestPolicies.Builtin(Module, "{requiredLabels: [app.kubernetes.io/name]}");
        var spec = """{"containers": [{"name": "shell", "securityContext": {"runAsUser": 0, "capabilities": {"add": ["SYS_ADMIN"]}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workload("Pod", spec, annotations: null)));
        Assert.Equal(
            "missing required labels: app.kubernetes.io/name",
            BuiltinAssert.Denied(TestPolicies.Decide(policy, Workload("Pod", spec, labels: null, annotations: null))));
    }

    [Fact]
    public void Decide_AllowedCapabilitiesListed_OthersDenied()
    {
        var policy = TestPolicies.Builtin(Module, "{allowedCapabilities: [NET_BIND_SERVICE]}");
        var allowed = """{"containers": [{"name": "web", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}]}""";
        var denied = """{"containers": [{"name": "web", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE", "NET_RAW"]}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workload("Pod", allowed)));
        Assert.Equal(
            "container \"web\" must not add capabilities \"NET_RAW\" (allowed: NET_BIND_SERVICE)",
            BuiltinAssert.Denied(TestPolicies.Decide(policy, Workload("Pod", denied))));
    }

    [Fact]
    public void Decide_MonitorMode_AllowedWithMessageAndWarning()
    {
        var settings = "{requiredLabels: [app.kubernetes.io/name, app.kubernetes.io/version], requiredAnnotations: [kubewarden.policy/owner], enforceRunAsNonRoot: true, allowedCapabilities: []}";
        var policy = TestPolicies.Builtin(Module, settings, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Workload("Pod", CompliantSpec, annotations: null));

        BuiltinAssert.MonitoredDenial(decision, "missing required annotations: kubewarden.policy/owner");
    }

    [Fact]
    public void Load_MisspelledSetting_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requiredLable: [team]}");

        Assert.Contains("setting 'requiredLable' is unknown", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOfWrongType_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{enforceRunAsNonRoot: [true]}");

        Assert.Contains("setting 'enforceRunAsNonRoot'", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("requiredLabels", "names must not be empty")]
    [InlineData("requiredAnnotations", "names must not be empty")]
    [InlineData("allowedCapabilities", "capability names must not be empty")]
    public void Load_EmptyName_RejectedNamingSetting(string setting, string problem)
    {
        var errors = BuiltinAssert.RejectedSettings(Module, $"{{{setting}: [a, '', ' ']}}");

        Assert.Equal($"spec.settings: setting '{setting}': {problem}", errors);
    }
}

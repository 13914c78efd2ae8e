using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

public class RunAsNonRootTests
{
    private const string Module = "run-as-non-root";

    private const string PodLevelNonRoot = """
        {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "app", "image": "app:1"}]}
        """;

    private const string Unset = """
        {"containers": [{"name": "app", "image": "app:1"}]}
        """;

    public static TheoryData<string> AllKinds() => Workloads.AllKinds();

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_PodLevelRunAsNonRoot_Allowed(string kind)
    {
        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap(kind, PodLevelNonRoot));

        BuiltinAssert.Allowed(decision);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_EveryContainerRunAsNonRoot_Allowed(string kind)
    {
        var spec = """
            {"initContainers": [{"name": "setup", "securityContext": {"runAsNonRoot": true}}],
             "containers": [{"name": "app", "securityContext": {"runAsNonRoot": true, "runAsUser": 1000}}]}
            """;

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap(kind, spec)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_RunAsNonRootUnset_DeniedNamingContainer(string kind)
    {
        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap(kind, Unset));

        BuiltinAssert.DeniedWith(decision, "pod or container \"app\" must set securityContext.runAsNonRoot=true");
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_RunAsUserZeroAtPodLevel_Denied(string kind)
    {
        var spec = """{"securityContext": {"runAsNonRoot": true, "runAsUser": 0}, "containers": [{"name": "app"}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap(kind, spec)));

        Assert.Equal("pod must not set securityContext.runAsUser=0", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_InitContainerRunAsNonRootFalse_DeniedNamingInitContainer(string kind)
    {
        var spec = """
            {"securityContext": {"runAsNonRoot": true},
             "initContainers": [{"name": "setup", "securityContext": {"runAsNonRoot": false}}],
             "containers": [{"name": "app"}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap(kind, spec)));

        Assert.Equal("init container \"setup\" must not set securityContext.runAsNonRoot=false", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_InitContainerRunAsUserZero_DeniedNamingInitContainer(string kind)
    {
        var spec = """
            {"securityContext": {"runAsNonRoot": true},
             "initContainers": [{"name": "setup", "securityContext": {"runAsUser": 0}}],
             "containers": [{"name": "app"}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap(kind, spec)));

        Assert.Equal("init container \"setup\" must not set securityContext.runAsUser=0", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_EphemeralContainerRunAsUserZero_DeniedNamingEphemeralContainer(string kind)
    {
        var spec = """
            {"securityContext": {"runAsNonRoot": true},
             "containers": [{"name": "app"}],
             "ephemeralContainers": [{"name": "debugger", "image": "busybox", "targetContainerName": "app", "securityContext": {"runAsUser": 0}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap(kind, spec)));

        Assert.Equal("ephemeral container \"debugger\" must not set securityContext.runAsUser=0", message);
    }

    [Fact]
    public void Decide_EphemeralContainerWithoutRunAsNonRoot_DeniedNamingEphemeralContainer()
    {
        // The regular container says true, the pod says nothing: the debug container would run as whatever the image says.
        var spec = """
            {"containers": [{"name": "app", "securityContext": {"runAsNonRoot": true}}],
             "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap("Pod", spec)));

        Assert.Equal("pod or ephemeral container \"debugger\" must set securityContext.runAsNonRoot=true", message);
    }

    [Fact]
    public void Decide_SeveralProblems_AllListedInOneDenial()
    {
        var spec = """
            {"securityContext": {"runAsUser": 0},
             "initContainers": [{"name": "setup", "securityContext": {"runAsNonRoot": false}}],
             "containers": [{"name": "app"}, {"name": "sidecar", "securityContext": {"runAsNonRoot": true}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap("Pod", spec)));

        Assert.Equal(
            "init container \"setup\" must not set securityContext.runAsNonRoot=false; "
            + "pod or container \"app\" must set securityContext.runAsNonRoot=true; "
            + "pod must not set securityContext.runAsUser=0",
            message);
    }

    [Fact]
    public void Decide_UserNamespacePod_AllowedEvenAsUidZero()
    {
        var spec = """{"hostUsers": false, "securityContext": {"runAsUser": 0}, "containers": [{"name": "app"}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap("Pod", spec)));
    }

    [Fact]
    public void Decide_OnlyRunAsUserCheck_AllowsUnsetButDeniesUidZero()
    {
        var policy = TestPolicies.Builtin(Module, "{requireRunAsNonRoot: false, denyRunAsUserZero: true}");

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", Unset)));
        BuiltinAssert.DeniedWith(
            TestPolicies.Decide(policy, Workloads.Wrap("Pod", """{"containers": [{"name": "app", "securityContext": {"runAsUser": 0}}]}""")),
            "container \"app\" must not set securityContext.runAsUser=0");
    }

    [Fact]
    public void Decide_OnlyRunAsNonRootCheck_AllowsUidZeroWithRunAsNonRoot()
    {
        var policy = TestPolicies.Builtin(Module, "{requireRunAsNonRoot: true, denyRunAsUserZero: false}");

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", """{"securityContext": {"runAsNonRoot": true, "runAsUser": 0}, "containers": [{"name": "app"}]}""")));
        BuiltinAssert.DeniedWith(TestPolicies.Decide(policy, Workloads.Wrap("Pod", Unset)), "runAsNonRoot=true");
    }

    [Fact]
    public void Decide_ObjectWithoutPodSpec_Allowed()
    {
        var configMap = System.Text.Json.Nodes.JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "team-a"}, "data": {"a": "b"}}
            """)!.AsObject();

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), configMap));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingAndUnset_AddsPodSecurityContext(string kind)
    {
        var policy = TestPolicies.Builtin(Module, mutating: true);

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, Unset));

        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/securityContext", "value": {"runAsNonRoot": true}}]
            """);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingWithExistingPodSecurityContext_AddsOnlyRunAsNonRoot(string kind)
    {
        var spec = """
            {"securityContext": {"runAsUser": 1000, "fsGroup": 2000},
             "initContainers": [{"name": "setup"}],
             "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": false}}],
             "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}
            """;

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), Workloads.Wrap(kind, spec));

        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/securityContext/runAsNonRoot", "value": true}]
            """);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingAndAlreadyCompliant_AllowedWithoutPatch(string kind)
    {
        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), Workloads.Wrap(kind, PodLevelNonRoot));

        BuiltinAssert.Allowed(decision);
    }

    [Fact]
    public void Decide_MutatingAndCompliantWithNumericQuantity_AllowedWithoutPatch()
    {
        // Nothing to fix, so nothing to write back: re-serialising the pod spec would turn the quantity 1 into "1".
        var spec = """
            {"securityContext": {"runAsNonRoot": true},
             "containers": [{"name": "app", "resources": {"requests": {"cpu": 1}}}]}
            """;

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), Workloads.Wrap("Deployment", spec)));
    }

    [Fact]
    public void Decide_MutatingWithEveryContainerRunAsNonRoot_AllowedWithoutPatch()
    {
        var spec = """{"containers": [{"name": "app", "securityContext": {"runAsNonRoot": true}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), Workloads.Wrap("Deployment", spec)));
    }

    [Fact]
    public void Decide_MutatingWithoutRequireRunAsNonRoot_NeverPatches()
    {
        var policy = TestPolicies.Builtin(Module, "{requireRunAsNonRoot: false}", mutating: true);

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", Unset)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingWithExplicitFalse_DeniedNotOverridden(string kind)
    {
        var spec = """
            {"containers": [{"name": "app"}],
             "ephemeralContainers": [{"name": "debugger", "securityContext": {"runAsNonRoot": false}}]}
            """;

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), Workloads.Wrap(kind, spec));

        BuiltinAssert.DeniedWith(decision, "ephemeral container \"debugger\" must not set securityContext.runAsNonRoot=false");
    }

    [Fact]
    public void Decide_MutatingWithPodLevelFalse_Denied()
    {
        var spec = """{"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "app"}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), Workloads.Wrap("Pod", spec));

        BuiltinAssert.DeniedWith(decision, "pod must not set securityContext.runAsNonRoot=false");
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingWithRunAsUserZero_DeniedWithoutPatch(string kind)
    {
        var spec = """{"containers": [{"name": "app", "securityContext": {"runAsUser": 0}}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, mutating: true), Workloads.Wrap(kind, spec));

        var message = BuiltinAssert.Denied(decision);
        Assert.Equal("container \"app\" must not set securityContext.runAsUser=0", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MonitorModeDenial_AllowedWithMessageAndWarning(string kind)
    {
        var policy = TestPolicies.Builtin(Module, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, Unset));

        BuiltinAssert.MonitoredDenial(decision, "pod or container \"app\" must set securityContext.runAsNonRoot=true");
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MonitorModeMutation_AllowedWithoutPatch(string kind)
    {
        var policy = TestPolicies.Builtin(Module, mutating: true, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, Unset));

        BuiltinAssert.MonitoredMutation(decision);
    }

    [Fact]
    public void Load_MisspelledSetting_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requireRunAsNonroot: true}");

        Assert.Contains("setting 'requireRunAsNonroot' is unknown", errors, StringComparison.Ordinal);
        Assert.Contains("requireRunAsNonRoot", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOfWrongType_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{denyRunAsUserZero: sometimes}");

        Assert.Contains("setting 'denyRunAsUserZero'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BothChecksOff_RejectedNamingBothSettings()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requireRunAsNonRoot: false, denyRunAsUserZero: false}");

        Assert.Contains("'requireRunAsNonRoot'", errors, StringComparison.Ordinal);
        Assert.Contains("'denyRunAsUserZero'", errors, StringComparison.Ordinal);
    }
}

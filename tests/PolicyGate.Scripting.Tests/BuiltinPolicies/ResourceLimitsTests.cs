using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

public class ResourceLimitsTests
{
    private const string Module = "resource-limits";

    private const string Limits = """{requireLimits: true, maxLimits: {cpu: "2", memory: 1Gi}, maxRequests: {cpu: "1", memory: 512Mi}}""";

    private const string Defaults = "{defaultLimits: {cpu: 500m, memory: 256Mi}}";

    private const string Compliant = """
        {"initContainers": [{"name": "setup", "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}}],
         "containers": [{"name": "app", "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "512Mi"}}}]}
        """;

    public static TheoryData<string> AllKinds() => Workloads.AllKinds();

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_LimitsWithinMaximums_Allowed(string kind)
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Limits), Workloads.Wrap(kind, Compliant)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_ContainerWithoutLimits_DeniedNamingContainer(string kind)
    {
        var spec = """{"containers": [{"name": "app", "image": "app:1"}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Limits), Workloads.Wrap(kind, spec)));

        Assert.Equal("container \"app\" has no cpu or memory limit", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_InitContainerWithoutMemoryLimit_DeniedNamingInitContainer(string kind)
    {
        var spec = """
            {"initContainers": [{"name": "setup", "resources": {"limits": {"cpu": "100m"}}}],
             "containers": [{"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Limits), Workloads.Wrap(kind, spec)));

        Assert.Equal("init container \"setup\" has no memory limit", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_InitContainerLimitAboveMaximum_DeniedNamingInitContainer(string kind)
    {
        var spec = """
            {"initContainers": [{"name": "setup", "resources": {"limits": {"cpu": "4", "memory": "2Gi"}}}],
             "containers": [{"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Limits), Workloads.Wrap(kind, spec)));

        Assert.Equal(
            "init container \"setup\" cpu limit 4 is above the maximum 2; init container \"setup\" memory limit 2Gi is above the maximum 1Gi",
            message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_RequestAboveMaximum_DeniedNamingContainer(string kind)
    {
        var spec = """
            {"containers": [{"name": "app", "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "1500m", "memory": "600Mi"}}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Limits), Workloads.Wrap(kind, spec)));

        Assert.Equal(
            "container \"app\" cpu request 1500m is above the maximum 1; container \"app\" memory request 600Mi is above the maximum 512Mi",
            message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_EphemeralContainerWithoutLimits_NotChecked(string kind)
    {
        // Kubernetes does not let ephemeral containers have resources, so the policy leaves them alone.
        var spec = """
            {"containers": [{"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
             "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}
            """;

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Limits), Workloads.Wrap(kind, spec)));
    }

    [Fact]
    public void Decide_EphemeralContainerAboveMaximum_NotChecked()
    {
        var spec = """
            {"containers": [{"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
             "ephemeralContainers": [{"name": "debugger", "resources": {"limits": {"cpu": "64", "memory": "1Ti"}}}]}
            """;

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Limits), Workloads.Wrap("Pod", spec)));
    }

    [Fact]
    public void Decide_NoSettings_AllowsAnything()
    {
        var spec = """{"containers": [{"name": "app", "resources": {"limits": {"cpu": "64"}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap("Pod", spec)));
    }

    [Theory]
    [InlineData("cpu", "\"0.5\"", "\"500m\"", true)] // 500m and 0.5 are the same quantity
    [InlineData("cpu", "\"500m\"", "\"0.5\"", true)]
    [InlineData("cpu", "0.5", "\"500m\"", true)] // a YAML number in the settings
    [InlineData("cpu", "2", "\"1.5\"", true)]
    [InlineData("cpu", "2", "\"2.5\"", false)]
    [InlineData("cpu", "\"500m\"", "\"501m\"", false)]
    [InlineData("cpu", "\"2\"", "\"1.5\"", true)]
    [InlineData("cpu", "\"2\"", "\"2\"", true)] // exactly the maximum
    [InlineData("cpu", "\"2\"", "2", true)] // a JSON number in the manifest
    [InlineData("cpu", "\"2\"", "\"2001m\"", false)]
    [InlineData("cpu", "\"2\"", "\"2.5\"", false)]
    [InlineData("cpu", "\"1e3\"", "\"1000\"", true)]
    [InlineData("cpu", "\"1k\"", "\"1e3\"", true)]
    [InlineData("cpu", "\"1k\"", "\"1001\"", false)]
    [InlineData("memory", "1Gi", "\"1073741824\"", true)] // 1Gi is 2^30 bytes
    [InlineData("memory", "\"1073741824\"", "\"1Gi\"", true)]
    [InlineData("memory", "1Gi", "\"1073741825\"", false)]
    [InlineData("memory", "1Gi", "\"600M\"", true)] // 600M = 6e8 < 1Gi ~ 1.07e9
    [InlineData("memory", "1Gi", "\"1G\"", true)] // 1e9 < 2^30
    [InlineData("memory", "1Gi", "\"1.1G\"", false)]
    [InlineData("memory", "1G", "\"1Gi\"", false)]
    [InlineData("memory", "512Mi", "\"0.5Gi\"", true)]
    [InlineData("memory", "1e3", "\"1k\"", true)]
    public void Decide_LimitComparedAsQuantity_AllowedOnlyUpToMaximum(string resource, string maxYaml, string valueJson, bool allowed)
    {
        var policy = TestPolicies.Builtin(Module, $"{{maxLimits: {{{resource}: {maxYaml}}}}}");
        var spec = """{"containers": [{"name": "app", "resources": {"limits": {"RESOURCE": VALUE}}}]}"""
            .Replace("RESOURCE", resource, StringComparison.Ordinal)
            .Replace("VALUE", valueJson, StringComparison.Ordinal);

        var decision = TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec));

        if (allowed)
        {
            BuiltinAssert.Allowed(decision);
        }
        else
        {
            BuiltinAssert.DeniedWith(decision, $"container \"app\" {resource} limit ", " is above the maximum ");
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingWithDefaultLimits_AddsLimitsToContainersWithout(string kind)
    {
        var spec = """
            {"initContainers": [{"name": "setup", "image": "setup:1"}],
             "containers": [{"name": "app", "resources": {"requests": {"cpu": "100m"}}},
                            {"name": "half", "resources": {"limits": {"memory": "128Mi"}}},
                            {"name": "full", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
             "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}
            """;

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Defaults, mutating: true), Workloads.Wrap(kind, spec));

        // Containers first, then init containers (the model's property order); the ephemeral container is left alone.
        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/containers/0/resources/limits", "value": {"cpu": "500m", "memory": "256Mi"}},
             {"op": "add", "path": "$spec/containers/1/resources/limits/cpu", "value": "500m"},
             {"op": "add", "path": "$spec/initContainers/0/resources", "value": {"limits": {"cpu": "500m", "memory": "256Mi"}}}]
            """);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingDefaultsMeetRequireLimits_PatchedInsteadOfDenied(string kind)
    {
        var settings = """{requireLimits: true, maxLimits: {cpu: "2", memory: 1Gi}, defaultLimits: {cpu: 500m, memory: 256Mi}}""";
        var spec = """{"containers": [{"name": "app"}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap(kind, spec));

        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/containers/0/resources", "value": {"limits": {"cpu": "500m", "memory": "256Mi"}}}]
            """);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_DefaultLimitsWithoutMutating_DeniedInstead(string kind)
    {
        var settings = """{requireLimits: true, defaultLimits: {cpu: 500m, memory: 256Mi}}""";
        var spec = """{"containers": [{"name": "app"}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, settings), Workloads.Wrap(kind, spec)));

        Assert.Equal("container \"app\" has no cpu or memory limit", message);
    }

    [Fact]
    public void Decide_MutatingWithDefaultsButLimitAboveMaximum_Denied()
    {
        var settings = """{maxLimits: {cpu: "2"}, defaultLimits: {cpu: 500m}}""";
        var spec = """{"containers": [{"name": "app", "resources": {"limits": {"cpu": "3"}}}, {"name": "other"}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap("Pod", spec)));

        Assert.Equal("container \"app\" cpu limit 3 is above the maximum 2", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingDefaultLimitBelowRequest_DeniedWithoutPatch(string kind)
    {
        // Patched, "setup" and "app" would have a limit below their request, which the API server rejects.
        var spec = """
            {"initContainers": [{"name": "setup", "resources": {"requests": {"cpu": "1"}}}],
             "containers": [{"name": "app", "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1", "memory": "512Mi"}}},
                            {"name": "bare"}],
             "ephemeralContainers": [{"name": "debugger", "resources": {"requests": {"cpu": "2", "memory": "1Gi"}}}]}
            """;

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Defaults, mutating: true), Workloads.Wrap(kind, spec));

        var message = BuiltinAssert.Denied(decision);
        Assert.Equal(
            "init container \"setup\": the default cpu limit 500m is below its cpu request 1; set a limit explicitly; "
            + "container \"app\": the default memory limit 256Mi is below its memory request 512Mi; set a limit explicitly",
            message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingDefaultLimitEqualToRequest_Patched(string kind)
    {
        // A limit equal to the request is valid; 0.5 is 500m and 268435456 is 256Mi.
        var spec = """{"containers": [{"name": "app", "resources": {"requests": {"cpu": "0.5", "memory": "268435456"}}}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Defaults, mutating: true), Workloads.Wrap(kind, spec));

        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/containers/0/resources/limits", "value": {"cpu": "500m", "memory": "256Mi"}}]
            """);
    }

    [Theory]
    [InlineData("cpu", "500m", "\"501m\"", false)]
    [InlineData("cpu", "500m", "\"0.5\"", true)]
    [InlineData("cpu", "\"1\"", "\"1001m\"", false)]
    [InlineData("cpu", "\"1\"", "\"999m\"", true)]
    [InlineData("memory", "1Gi", "\"1073741825\"", false)]
    [InlineData("memory", "1Gi", "\"1073741824\"", true)]
    [InlineData("memory", "1Gi", "\"1G\"", true)] // 1e9 < 2^30
    [InlineData("memory", "1G", "\"1Gi\"", false)]
    [InlineData("memory", "512Mi", "\"0.5Gi\"", true)]
    public void Decide_MutatingDefaultComparedWithRequestAsQuantity_PatchedOnlyUpToTheRequest(
        string resource, string defaultYaml, string requestJson, bool patched)
    {
        var policy = TestPolicies.Builtin(Module, $"{{defaultLimits: {{{resource}: {defaultYaml}}}}}", mutating: true);
        var spec = """{"containers": [{"name": "app", "resources": {"requests": {"RESOURCE": VALUE}}}]}"""
            .Replace("RESOURCE", resource, StringComparison.Ordinal)
            .Replace("VALUE", requestJson, StringComparison.Ordinal);

        var decision = TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec));

        if (patched)
        {
            var limit = defaultYaml.Trim('"');
            BuiltinAssert.PatchedAt(decision, "Pod", $$$"""
                [{"op": "add", "path": "$spec/containers/0/resources/limits", "value": {"{{{resource}}}": "{{{limit}}}"}}]
                """);
        }
        else
        {
            BuiltinAssert.DeniedWith(decision, $"container \"app\": the default {resource} limit ", $" is below its {resource} request ", "; set a limit explicitly");
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingDefaultBelowRequestWithRequireLimits_DeniedOnceForThatResource(string kind)
    {
        // The missing memory limit is reported once, as the default that could not be set; the cpu default could be.
        var settings = """{requireLimits: true, defaultLimits: {cpu: 500m, memory: 256Mi}}""";
        var spec = """{"containers": [{"name": "app", "resources": {"requests": {"memory": "1Gi"}}}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap(kind, spec)));

        Assert.Equal("container \"app\": the default memory limit 256Mi is below its memory request 1Gi; set a limit explicitly", message);
    }

    [Fact]
    public void Decide_MutatingDefaultOnlyForAResourceWithoutLimit_RequestOfTheOtherIgnored()
    {
        // Only defaults that would be added are compared: the container sets its own memory limit.
        var settings = """{defaultLimits: {cpu: 500m, memory: 256Mi}}""";
        var spec = """{"containers": [{"name": "app", "resources": {"limits": {"memory": "2Gi"}, "requests": {"memory": "1Gi"}}}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap("Pod", spec));

        BuiltinAssert.PatchedAt(decision, "Pod", """
            [{"op": "add", "path": "$spec/containers/0/resources/limits/cpu", "value": "500m"}]
            """);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_DefaultLimitBelowRequestWithoutMutating_DefaultNotConsidered(string kind)
    {
        // A validating policy adds no default, so there is nothing to refuse: requireLimits decides alone.
        var spec = """{"containers": [{"name": "app", "resources": {"requests": {"cpu": "1", "memory": "512Mi"}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Defaults), Workloads.Wrap(kind, spec)));
        var message = BuiltinAssert.Denied(TestPolicies.Decide(
            TestPolicies.Builtin(Module, """{requireLimits: true, defaultLimits: {cpu: 500m, memory: 256Mi}}"""), Workloads.Wrap(kind, spec)));
        Assert.Equal("container \"app\" has no cpu or memory limit", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MonitorModeDefaultBelowRequest_AllowedWithMessageAndWarning(string kind)
    {
        var policy = TestPolicies.Builtin(Module, Defaults, mutating: true, mode: "monitor");
        var spec = """{"containers": [{"name": "app", "resources": {"requests": {"memory": "512Mi"}}}]}""";

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, spec));

        BuiltinAssert.MonitoredDenial(decision, "container \"app\": the default memory limit 256Mi is below its memory request 512Mi; set a limit explicitly");
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingAndEveryLimitSet_AllowedWithoutPatch(string kind)
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Defaults, mutating: true), Workloads.Wrap(kind, Compliant)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MonitorModeMutation_AllowedWithoutPatch(string kind)
    {
        var policy = TestPolicies.Builtin(Module, Defaults, mutating: true, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, """{"containers": [{"name": "app"}]}"""));

        BuiltinAssert.MonitoredMutation(decision);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MonitorModeDenial_AllowedWithMessageAndWarning(string kind)
    {
        var policy = TestPolicies.Builtin(Module, Limits, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, """{"containers": [{"name": "app"}]}"""));

        BuiltinAssert.MonitoredDenial(decision, "container \"app\" has no cpu or memory limit");
    }

    [Theory]
    [InlineData("{maxLimits: {cpu: 2 cores}}", "setting 'maxLimits.cpu'")]
    [InlineData("{maxRequests: {memory: 1GB}}", "setting 'maxRequests.memory'")]
    [InlineData("{defaultLimits: {cpu: lots}}", "setting 'defaultLimits.cpu'")]
    public void Load_InvalidQuantity_RejectedNamingSetting(string settings, string expected)
    {
        var errors = BuiltinAssert.RejectedSettings(Module, settings, mutating: true);

        Assert.Contains(expected, errors, StringComparison.Ordinal);
        Assert.Contains("invalid quantity", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedResource_RejectedNamingSetting()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{maxLimits: {gpu: 1}}");

        Assert.Contains("setting 'maxLimits.gpu': only cpu and memory are supported", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DefaultAboveMaximum_RejectedNamingSetting()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, """{maxLimits: {memory: 1Gi}, defaultLimits: {memory: 2Gi}}""", mutating: true);

        Assert.Contains("setting 'defaultLimits.memory': 2Gi is above maxLimits.memory (1Gi)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspelledSetting_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requireLimit: true}");

        Assert.Contains("setting 'requireLimit' is unknown", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOfWrongType_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requireLimits: always}");

        Assert.Contains("setting 'requireLimits'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MapSettingGivenAList_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{maxLimits: [cpu]}");

        Assert.Contains("setting 'maxLimits'", errors, StringComparison.Ordinal);
    }
}

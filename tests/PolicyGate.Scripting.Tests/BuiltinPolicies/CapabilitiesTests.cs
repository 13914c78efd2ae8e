using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

public class CapabilitiesTests
{
    private const string Module = "capabilities";

    /// <summary>Pod Security "restricted": drop ALL, add at most NET_BIND_SERVICE.</summary>
    private const string Restricted = "{allowedCapabilities: [NET_BIND_SERVICE], requiredDropCapabilities: [ALL]}";

    private const string Compliant = """
        {"initContainers": [{"name": "setup", "securityContext": {"capabilities": {"drop": ["ALL"]}}}],
         "containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}}],
         "ephemeralContainers": [{"name": "debugger", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}
        """;

    public static TheoryData<string> AllKinds() => Workloads.AllKinds();

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_DropsAllAddsOnlyAllowed_Allowed(string kind)
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted), Workloads.Wrap(kind, Compliant)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_ContainerAddsDisallowedCapability_DeniedNamingContainer(string kind)
    {
        var spec = """
            {"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["SYS_ADMIN", "NET_BIND_SERVICE"], "drop": ["ALL"]}}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted), Workloads.Wrap(kind, spec)));

        Assert.Equal("container \"app\" must not add capabilities \"SYS_ADMIN\" (allowed: NET_BIND_SERVICE)", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_InitContainerAddsDisallowedCapability_DeniedNamingInitContainer(string kind)
    {
        var spec = """
            {"initContainers": [{"name": "setup", "securityContext": {"capabilities": {"add": ["NET_RAW"], "drop": ["ALL"]}}}],
             "containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted), Workloads.Wrap(kind, spec)));

        Assert.Equal("init container \"setup\" must not add capabilities \"NET_RAW\" (allowed: NET_BIND_SERVICE)", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_EphemeralContainerAddsDisallowedCapability_DeniedNamingEphemeralContainer(string kind)
    {
        var spec = """
            {"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"]}}}],
             "ephemeralContainers": [{"name": "debugger", "targetContainerName": "app", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"], "drop": ["ALL"]}}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted), Workloads.Wrap(kind, spec)));

        Assert.Equal("ephemeral container \"debugger\" must not add capabilities \"SYS_PTRACE\" (allowed: NET_BIND_SERVICE)", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MissingRequiredDropWithoutMutating_DeniedNamingEveryContainer(string kind)
    {
        var spec = """
            {"initContainers": [{"name": "setup"}],
             "containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}],
             "ephemeralContainers": [{"name": "debugger"}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted), Workloads.Wrap(kind, spec)));

        Assert.Equal(
            "init container \"setup\" must drop capabilities \"ALL\"; container \"app\" must drop capabilities \"ALL\"; "
            + "ephemeral container \"debugger\" must drop capabilities \"ALL\"",
            message);
    }

    [Fact]
    public void Decide_EveryCapabilityDroppedByNameButNotAll_Denied()
    {
        var spec = """
            {"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["CHOWN", "NET_RAW", "SYS_ADMIN", "SETUID"]}}}]}
            """;

        BuiltinAssert.DeniedWith(
            TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted), Workloads.Wrap("Pod", spec)),
            "container \"app\" must drop capabilities \"ALL\"");
    }

    [Fact]
    public void Decide_DropAllMeetsANamedRequiredDrop_Allowed()
    {
        var policy = TestPolicies.Builtin(Module, "{requiredDropCapabilities: [NET_RAW, SYS_ADMIN]}");
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)));
    }

    [Fact]
    public void Decide_NamedRequiredDropsPartlyMissing_DeniedListingOnlyTheMissingOnes()
    {
        var policy = TestPolicies.Builtin(Module, "{requiredDropCapabilities: [NET_RAW, SYS_ADMIN]}");
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)));

        Assert.Equal("container \"app\" must drop capabilities \"SYS_ADMIN\"", message);
    }

    [Theory]
    [InlineData("chown")]
    [InlineData("CAP_CHOWN")]
    public void Decide_CapabilityNameNotExactlyAllowed_Denied(string name)
    {
        var policy = TestPolicies.Builtin(Module, "{allowedCapabilities: [CHOWN]}");
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NAME"]}}}]}""".Replace("NAME", name, StringComparison.Ordinal);

        BuiltinAssert.DeniedWith(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)), $"\"{name}\"");
    }

    [Fact]
    public void Decide_NoCapabilityAllowed_DeniedWithHint()
    {
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["CHOWN"]}}}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module), Workloads.Wrap("Pod", spec)));

        Assert.Equal("container \"app\" must not add capabilities \"CHOWN\" (no capability may be added)", message);
    }

    [Fact]
    public void Decide_WildcardAllowed_AnyAddAllowed()
    {
        var policy = TestPolicies.Builtin(Module, "{allowedCapabilities: ['*']}");
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["SYS_ADMIN", "NET_RAW"]}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)));
    }

    [Fact]
    public void Decide_WindowsPodWithoutDrops_AllowedAndNotPatched()
    {
        var spec = """{"os": {"name": "windows"}, "containers": [{"name": "app"}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted), Workloads.Wrap("Pod", spec)));
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted, mutating: true), Workloads.Wrap("Pod", spec)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingAndNoSecurityContext_AddsDropAll(string kind)
    {
        var spec = """{"containers": [{"name": "app", "image": "app:1"}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted, mutating: true), Workloads.Wrap(kind, spec));

        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/containers/0/securityContext", "value": {"capabilities": {"drop": ["ALL"]}}}]
            """);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingWithExistingDropList_AppendsAtExplicitIndex(string kind)
    {
        var spec = """
            {"initContainers": [{"name": "setup", "securityContext": {"runAsUser": 1000}}],
             "containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["NET_RAW"]}}},
                            {"name": "ok", "securityContext": {"capabilities": {"drop": ["ALL"]}}}],
             "ephemeralContainers": [{"name": "debugger", "securityContext": {"capabilities": {}}}]}
            """;

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted, mutating: true), Workloads.Wrap(kind, spec));

        // The operations follow the pod spec's property order as the model writes it: containers, ephemeral, init.
        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/containers/0/securityContext/capabilities/drop/1", "value": "ALL"},
             {"op": "add", "path": "$spec/ephemeralContainers/0/securityContext/capabilities/drop", "value": ["ALL"]},
             {"op": "add", "path": "$spec/initContainers/0/securityContext/capabilities", "value": {"drop": ["ALL"]}}]
            """);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingWithDefaultAdds_AddsMissingDefaultsAndDrops(string kind)
    {
        var settings = "{allowedCapabilities: [NET_BIND_SERVICE], requiredDropCapabilities: [NET_RAW], defaultAddCapabilities: [CHOWN]}";
        var spec = """
            {"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["NET_RAW"]}}},
                            {"name": "bare"},
                            {"name": "done", "securityContext": {"capabilities": {"add": ["CHOWN"], "drop": ["ALL"]}}}]}
            """;

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap(kind, spec));

        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/containers/0/securityContext/capabilities/add/1", "value": "CHOWN"},
             {"op": "add", "path": "$spec/containers/1/securityContext", "value": {"capabilities": {"add": ["CHOWN"], "drop": ["NET_RAW"]}}}]
            """);
    }

    [Fact]
    public void Decide_MutatingWithRepeatedSettingEntries_AddsEachCapabilityOnce()
    {
        var settings = "{requiredDropCapabilities: [NET_RAW, NET_RAW], defaultAddCapabilities: [CHOWN, CHOWN]}";
        var spec = """{"containers": [{"name": "app"}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap("Pod", spec));

        BuiltinAssert.PatchedAt(decision, "Pod", """
            [{"op": "add", "path": "$spec/containers/0/securityContext", "value": {"capabilities": {"add": ["CHOWN"], "drop": ["NET_RAW"]}}}]
            """);
    }

    [Fact]
    public void Decide_MutatingDefaultAddAlreadyDropped_NotAdded()
    {
        // Dropping a default capability by name is the container's explicit choice; the default does not override it.
        var settings = "{defaultAddCapabilities: [CHOWN]}";
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["CHOWN"]}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap("Pod", spec)));
    }

    [Fact]
    public void Decide_DefaultAddsWithoutMutating_NeitherPatchedNorDeniedWhenAdded()
    {
        var settings = "{defaultAddCapabilities: [CHOWN]}";
        var bare = """{"containers": [{"name": "app"}]}""";
        var adds = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["CHOWN"]}}}]}""";

        var policy = TestPolicies.Builtin(Module, settings);

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", bare)));
        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", adds)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingWithDisallowedAdd_DeniedWithoutPatch(string kind)
    {
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted, mutating: true), Workloads.Wrap(kind, spec));

        var message = BuiltinAssert.Denied(decision);
        Assert.Equal("container \"app\" must not add capabilities \"SYS_ADMIN\" (allowed: NET_BIND_SERVICE)", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_AddsRequiredDropWithoutMutating_DeniedNamingEveryContainerAndCapability(string kind)
    {
        // The wildcard allows every add and every required drop is made, so only the contradiction is left to deny.
        var settings = "{allowedCapabilities: ['*'], requiredDropCapabilities: [NET_RAW, SYS_ADMIN]}";
        var spec = """
            {"initContainers": [{"name": "setup", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"], "drop": ["ALL"]}}}],
             "containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_RAW", "CHOWN", "NET_RAW"], "drop": ["NET_RAW", "SYS_ADMIN"]}}},
                            {"name": "ok", "securityContext": {"capabilities": {"add": ["CHOWN"], "drop": ["NET_RAW", "SYS_ADMIN"]}}}],
             "ephemeralContainers": [{"name": "debugger", "securityContext": {"capabilities": {"add": ["NET_RAW", "SYS_ADMIN"], "drop": ["ALL"]}}}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, settings), Workloads.Wrap(kind, spec)));

        Assert.Equal(
            "init container \"setup\" adds SYS_ADMIN, which requiredDropCapabilities says must be dropped; "
            + "container \"app\" adds NET_RAW, which requiredDropCapabilities says must be dropped; "
            + "ephemeral container \"debugger\" adds NET_RAW, which requiredDropCapabilities says must be dropped; "
            + "ephemeral container \"debugger\" adds SYS_ADMIN, which requiredDropCapabilities says must be dropped",
            message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingAddsRequiredDrop_DeniedWithoutPatch(string kind)
    {
        // Without the rule the missing drop of "app" and the drop of "bare" would be patched in and the add kept.
        var settings = "{allowedCapabilities: ['*'], requiredDropCapabilities: [NET_RAW]}";
        var spec = """
            {"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_RAW"]}}},
                            {"name": "bare"}]}
            """;

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, settings, mutating: true), Workloads.Wrap(kind, spec)));

        Assert.Equal("container \"app\" adds NET_RAW, which requiredDropCapabilities says must be dropped", message);
    }

    [Theory]
    [InlineData(false, "['*']")]
    [InlineData(false, "[NET_RAW]")]
    [InlineData(true, "['*']")]
    [InlineData(true, "[NET_RAW]")]
    public void Decide_AddsAndDropsARequiredDrop_DeniedWhateverTheAllowList(bool mutating, string allowed)
    {
        var policy = TestPolicies.Builtin(Module, $"{{allowedCapabilities: {allowed}, requiredDropCapabilities: [NET_RAW]}}", mutating);
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_RAW"], "drop": ["NET_RAW"]}}}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)));

        Assert.Equal("container \"app\" adds NET_RAW, which requiredDropCapabilities says must be dropped", message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decide_AddsAllWhileAllIsARequiredDrop_Denied(bool mutating)
    {
        var policy = TestPolicies.Builtin(Module, "{allowedCapabilities: ['*'], requiredDropCapabilities: [ALL]}", mutating);
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["ALL"], "drop": ["ALL"]}}}]}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)));

        Assert.Equal("container \"app\" adds ALL, which requiredDropCapabilities says must be dropped", message);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingRequiredDropAllAndAllowedAdd_PatchedNotDenied(string kind)
    {
        // Pod Security "restricted": a required drop of ALL does not make adding NET_BIND_SERVICE a contradiction.
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}]}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted, mutating: true), Workloads.Wrap(kind, spec));

        BuiltinAssert.PatchedAt(decision, kind, """
            [{"op": "add", "path": "$spec/containers/0/securityContext/capabilities/drop", "value": ["ALL"]}]
            """);
    }

    [Theory]
    [InlineData("net_raw")]
    [InlineData("CAP_NET_RAW")]
    public void Decide_AddNamedOtherwiseThanTheRequiredDrop_NotAContradiction(string name)
    {
        // Names match exactly, as for allowedCapabilities; the drop of NET_RAW itself is still required and made.
        var policy = TestPolicies.Builtin(Module, "{allowedCapabilities: ['*'], requiredDropCapabilities: [NET_RAW]}");
        var spec = """{"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NAME"], "drop": ["NET_RAW"]}}}]}"""
            .Replace("NAME", name, StringComparison.Ordinal);

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)));
    }

    [Fact]
    public void Decide_WindowsPodAddingARequiredDrop_NotAContradiction()
    {
        // Windows pods are exempt from required drops, so an add cannot contradict one.
        var policy = TestPolicies.Builtin(Module, "{allowedCapabilities: ['*'], requiredDropCapabilities: [NET_RAW]}");
        var spec = """{"os": {"name": "windows"}, "containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_RAW"]}}}]}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Workloads.Wrap("Pod", spec)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MutatingAndAlreadyCompliant_AllowedWithoutPatch(string kind)
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Restricted, mutating: true), Workloads.Wrap(kind, Compliant)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MonitorModeMutation_AllowedWithoutPatch(string kind)
    {
        var policy = TestPolicies.Builtin(Module, Restricted, mutating: true, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, """{"containers": [{"name": "app"}]}"""));

        BuiltinAssert.MonitoredMutation(decision);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MonitorModeDenial_AllowedWithMessageAndWarning(string kind)
    {
        var policy = TestPolicies.Builtin(Module, Restricted, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Workloads.Wrap(kind, """{"containers": [{"name": "app"}]}"""));

        BuiltinAssert.MonitoredDenial(decision, "container \"app\" must drop capabilities \"ALL\"");
    }

    [Fact]
    public void Load_DefaultAddAlsoRequiredDrop_RejectedNamingSetting()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requiredDropCapabilities: [NET_RAW], defaultAddCapabilities: [NET_RAW]}", mutating: true);

        Assert.Contains("setting 'defaultAddCapabilities': \"NET_RAW\" is also in requiredDropCapabilities", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DefaultAddAll_RejectedNamingSetting()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{defaultAddCapabilities: [ALL]}", mutating: true);

        Assert.Contains("setting 'defaultAddCapabilities'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspelledSetting_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{allowedCapabilites: [CHOWN]}");

        Assert.Contains("setting 'allowedCapabilites' is unknown", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOfWrongType_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requiredDropCapabilities: ALL}");

        Assert.Contains("setting 'requiredDropCapabilities'", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allowedCapabilities")]
    [InlineData("requiredDropCapabilities")]
    [InlineData("defaultAddCapabilities")]
    public void Load_EmptyCapabilityName_RejectedNamingSetting(string setting)
    {
        var errors = BuiltinAssert.RejectedSettings(Module, $"{{{setting}: [CHOWN, '', ' ']}}", mutating: true);

        Assert.Equal($"spec.settings: setting '{setting}': capability names must not be empty", errors);
    }
}

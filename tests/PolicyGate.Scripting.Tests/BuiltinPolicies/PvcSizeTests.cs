using System.Text.Json.Nodes;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

public class PvcSizeTests
{
    private const string Module = "pvc-size";

    private const string Max10Gi = "{maxStorage: 10Gi}";

    private static JsonObject Claim(string resourcesJson) => JsonNode.Parse("""
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
         "metadata": {"name": "data", "namespace": "team-a"},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": RESOURCES}}
        """.Replace("RESOURCES", resourcesJson, StringComparison.Ordinal))!.AsObject();

    private static JsonObject StatefulSet(params (string Name, string Storage)[] templates)
    {
        var statefulSet = Workloads.Wrap("StatefulSet", """{"containers": [{"name": "db", "image": "db:1"}]}""");
        var list = new JsonArray();
        foreach (var (name, storage) in templates)
        {
            list.Add(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = JsonNode.Parse("""{"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "STORAGE"}}}"""
                    .Replace("STORAGE", storage, StringComparison.Ordinal)),
            });
        }

        statefulSet["spec"]!["serviceName"] = "db";
        statefulSet["spec"]!["volumeClaimTemplates"] = list;
        return statefulSet;
    }

    [Fact]
    public void Decide_ClaimBelowMaximum_Allowed()
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), Claim("""{"requests": {"storage": "5Gi"}}""")));
    }

    [Fact]
    public void Decide_ClaimRequestAboveMaximum_DeniedNamingClaim()
    {
        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), Claim("""{"requests": {"storage": "20Gi"}}""")));

        Assert.Equal("PersistentVolumeClaim data storage request 20Gi is above the maximum 10Gi", message);
    }

    [Fact]
    public void Decide_ClaimLimitAboveMaximum_Denied()
    {
        var claim = Claim("""{"requests": {"storage": "1Gi"}, "limits": {"storage": "100Ti"}}""");

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), claim));

        Assert.Equal("PersistentVolumeClaim data storage limit 100Ti is above the maximum 10Gi", message);
    }

    [Fact]
    public void Decide_ClaimWithoutStorage_Allowed()
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), Claim("{}")));
    }

    [Theory]
    [InlineData("10Gi", "10Gi", true)] // exactly the maximum
    [InlineData("10Gi", "10737418240", true)] // 10 * 2^30
    [InlineData("10Gi", "10737418241", false)]
    [InlineData("10Gi", "10G", true)] // 1e10 < 10Gi
    [InlineData("10Gi", "11G", false)] // 1.1e10 > 10Gi
    [InlineData("10Gi", "10240Mi", true)]
    [InlineData("10Gi", "10241Mi", false)]
    [InlineData("1Gi", "1073741824", true)]
    [InlineData("1Gi", "600M", true)] // 6e8 bytes, below 1Gi
    [InlineData("1Gi", "0.5Gi", true)]
    [InlineData("1Gi", "1.5Gi", false)]
    [InlineData("1e3", "1k", true)]
    [InlineData("1e3", "1001", false)]
    [InlineData("500m", "0.5", true)]
    [InlineData("\"0.5\"", "500m", true)]
    [InlineData("500m", "501m", false)]
    public void Decide_StorageComparedAsQuantity_AllowedOnlyUpToMaximum(string maxYaml, string storage, bool allowed)
    {
        var policy = TestPolicies.Builtin(Module, $"{{maxStorage: {maxYaml}}}");

        var decision = TestPolicies.Decide(policy, Claim("""{"requests": {"storage": "STORAGE"}}""".Replace("STORAGE", storage, StringComparison.Ordinal)));

        if (allowed)
        {
            BuiltinAssert.Allowed(decision);
        }
        else
        {
            BuiltinAssert.DeniedWith(decision, $"PersistentVolumeClaim data storage request {storage} is above the maximum ");
        }
    }

    [Fact]
    public void Decide_StatefulSetTemplateAboveMaximum_DeniedNamingTemplate()
    {
        var statefulSet = StatefulSet(("data", "5Gi"), ("wal", "50Gi"));

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), statefulSet));

        Assert.Equal("volumeClaimTemplate wal storage request 50Gi is above the maximum 10Gi", message);
    }

    [Fact]
    public void Decide_StatefulSetTemplatesWithinMaximum_Allowed()
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), StatefulSet(("data", "10Gi"), ("wal", "1Gi"))));
    }

    [Fact]
    public void Decide_StatefulSetWithoutTemplates_Allowed()
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), StatefulSet()));
    }

    [Fact]
    public void Decide_StatefulSetEveryTemplateAboveMaximum_AllListed()
    {
        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), StatefulSet(("data", "11Gi"), ("wal", "12Gi"))));

        Assert.Equal(
            "volumeClaimTemplate data storage request 11Gi is above the maximum 10Gi; volumeClaimTemplate wal storage request 12Gi is above the maximum 10Gi",
            message);
    }

    [Theory]
    [MemberData(nameof(OtherKinds))]
    public void Decide_OtherKinds_Allowed(string kind)
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Max10Gi), Workloads.Wrap(kind, """{"containers": [{"name": "app"}]}""")));
    }

    public static TheoryData<string> OtherKinds()
    {
        var data = new TheoryData<string>();
        foreach (var kind in Workloads.Kinds.Where(k => k != "StatefulSet"))
        {
            data.Add(kind);
        }

        return data;
    }

    [Fact]
    public void Decide_MonitorMode_AllowedWithMessageAndWarning()
    {
        var policy = TestPolicies.Builtin(Module, Max10Gi, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Claim("""{"requests": {"storage": "20Gi"}}"""));

        BuiltinAssert.MonitoredDenial(decision, "storage request 20Gi is above the maximum 10Gi");
    }

    [Fact]
    public void Load_MissingMaxStorage_RejectedNamingSetting()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{}");

        Assert.Contains("setting 'maxStorage' is required", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NullMaxStorage_RejectedNamingSetting()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{maxStorage: null}");

        Assert.Contains("'maxStorage'", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ten")]
    [InlineData("10 Gi")]
    [InlineData("10GB")]
    public void Load_InvalidQuantity_RejectedNamingSetting(string value)
    {
        var errors = BuiltinAssert.RejectedSettings(Module, $"{{maxStorage: \"{value}\"}}");

        Assert.Contains("setting 'maxStorage'", errors, StringComparison.Ordinal);
        Assert.Contains($"invalid quantity \"{value}\"", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspelledSetting_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{maxStorge: 10Gi}");

        Assert.Contains("setting 'maxStorge' is unknown", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOfWrongType_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{maxStorage: [10Gi]}");

        Assert.Contains("setting 'maxStorage'", errors, StringComparison.Ordinal);
    }
}

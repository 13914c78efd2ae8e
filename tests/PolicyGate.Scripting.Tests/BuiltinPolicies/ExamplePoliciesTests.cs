using PolicyGate.Scripting.Loading;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

/// <summary>The example resources shipped beside the built-ins (<c>policies/*.yaml</c> and the seed file) load as they are.</summary>
public class ExamplePoliciesTests
{
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Policies, "*.yaml").Where(PolicyLoader.IsPolicyFile).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        data.Add(Path.Combine("examples", "seed-policies.yaml"));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Load_ExampleFile_LoadsWithoutErrors(string file)
    {
        var path = Path.Combine(RepoPaths.Policies, file);

        var result = TestPolicies.Load(File.ReadAllText(path), path);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.NotEmpty(result.Policies);
    }

    [Fact]
    public void Names_EveryBuiltin_HasAnExampleResource()
    {
        Assert.Equal(
            new[] { "allowed-sizes", "capabilities", "pvc-size", "required-labels", "resource-limits", "run-as-non-root", "validate-pod-security-standards" },
            BuiltinModules.Names);
        Assert.All(BuiltinModules.Names, name => Assert.True(File.Exists(Path.Combine(RepoPaths.Policies, name + ".yaml")), name));
    }
}

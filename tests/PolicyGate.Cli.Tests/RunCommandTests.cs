using System.Text;
using System.Text.Json.Nodes;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

public class RunCommandTests
{
    [Fact]
    public void Run_DeniedReview_EchoesUidWithForbiddenStatus()
    {
        var result = Invoke("run", "--policy", Repo("policies/examples/seed-policies.yaml"), "--request", Fixture("cli/admission-review-pod.json"));

        Assert.Equal(ExitCodes.Denied, result.ExitCode);
        var review = JsonNode.Parse(result.Out)!;
        Assert.Equal("admission.k8s.io/v1", review["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", review["kind"]!.GetValue<string>());
        var response = review["response"]!;
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", response["uid"]!.GetValue<string>());
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(403, response["status"]!["code"]!.GetValue<int>());
        Assert.Equal("Forbidden", response["status"]!["reason"]!.GetValue<string>());
        Assert.Contains("policy validate-pod-security-standards denied the request: missing required labels", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(response["request"]);
    }

    [Fact]
    public void Run_MutatingPolicy_ReturnsBase64JsonPatch()
    {
        var result = Invoke("run", "--policy", Fixture("cli/mutating-policy.yaml"), "--request", Fixture("cli/admission-review-pod.json"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var response = JsonNode.Parse(result.Out)!["response"]!;
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", response["patchType"]!.GetValue<string>());
        var patch = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(response["patch"]!.GetValue<string>())));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"op":"add","path":"/spec/containers/0/securityContext/capabilities/drop/1","value":"ALL"}]"""), patch), patch!.ToJsonString());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod"}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}""")]
    public void Run_BadRequest_ExitTwoWithMessage(string body)
    {
        var result = InvokeWithStdin(body, "run", "--policy", Repo("policies/examples/seed-policies.yaml"), "--request", "-");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.StartsWith("error: -:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ObjectWithAFieldOfTheWrongType_ExitTwoNamingTheField()
    {
        var review = JsonNode.Parse(File.ReadAllText(Fixture("cli/admission-review-pod.json")))!;
        review["request"]!["object"]!["spec"]!["containers"] = "nginx";

        var result = InvokeWithStdin(review.ToJsonString(), "run", "--policy", Repo("policies/examples/seed-policies.yaml"), "--request", "-");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("error: -: request.object: spec.containers: expected an array or null, got a string (the API server would refuse this object)", result.Error.TrimEnd());
        Assert.Equal("", result.Out);
    }
}

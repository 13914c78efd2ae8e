using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

[Trait("Category", "Integration")]
public sealed class BadInputIntegrationTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(new Dictionary<string, string>
    {
        ["team.yaml"] = TestPolicyFiles.TeamLabel(),
        ["set-image.yaml"] = TestPolicyFiles.Inline("set-image", """
            var spec = Copy(PodSpec())!;
            spec.Containers[0].Image = "nginx:2";
            return Mutate(spec);
            """, mutating: true),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { "not json", "application/json", "not a valid AdmissionReview JSON" },
        { """{"apiVersion":"v1","kind":"Pod"}""", "application/json", "expected kind AdmissionReview with apiVersion admission.k8s.io/v1" },
        { """{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}""", "application/json", "expected kind AdmissionReview" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "application/json", "has no request" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}""", "application/json", "request.uid is required" },
        { """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":[1,}}""", "application/json", "not a valid AdmissionReview JSON" },
        { Reviews.Pod("x"), "text/plain", "Content-Type must be application/json" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Post_BadBody_400WithClearJsonError(string body, string contentType, string expected)
    {
        using var response = await _server.PostAsync("/validate/team-label", body, contentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(400, (int)error["code"]!);
        Assert.Contains(expected, (string)error["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3 * 1024 * 1024)]
    [InlineData(20 * 1024 * 1024)] // over Kestrel's old backstop (twice the limit): the connection was cut before the answer
    public async Task Post_BodyOver3MiB_413(int size)
    {
        var huge = Reviews.Pod("big", labelsJson: "{\"x\":\"" + new string('a', size + 10) + "\"}");

        using var response = await _server.PostAsync("/validate", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 3145728", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_ObjectWithAFieldTwice_ThePolicyFailsNot500()
    {
        // Found by the fuzz suite (serve-bodies surface): the patch was computed outside the policy's isolation, and
        // JsonObject cannot hold a field twice, so /mutate answered 500 (and `run` said "internal error").
        var body = Reviews.Pod("twice").Replace("\"metadata\":{\"name\":\"web\",", "\"metadata\":{\"name\":\"web\",\"name\":\"web\",", StringComparison.Ordinal);
        Assert.Contains("\"name\":\"web\",\"name\":\"web\"", body, StringComparison.Ordinal);

        using var response = await _server.PostAsync("/mutate/set-image", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.Equal("twice", (string?)answer["uid"]);
        Assert.False((bool)answer["allowed"]!);
        Assert.StartsWith("policy set-image denied the request: policy set-image failed: cannot compute the patch: ", (string?)answer["status"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_ObjectNestedDeeperThan64_Patched()
    {
        // Found by the fuzz suite (serve-bodies surface): AdmissionReviews are read 256 levels deep, but the object was
        // read back for the patch with System.Text.Json's default of 64, and /mutate answered 500.
        var deep = new string('[', 100) + new string(']', 100);
        var body = Reviews.Pod("deep").Replace("\"spec\":{", $"\"spec\":{{\"x\":{deep},", StringComparison.Ordinal);
        Assert.Contains(deep, body, StringComparison.Ordinal);

        using var response = await _server.PostAsync("/mutate/set-image", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.True((bool)answer["allowed"]!, answer.ToJsonString());
        var patch = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)answer["patch"]!));
        Assert.Contains("\"path\":\"/spec/containers/0/image\",\"value\":\"nginx:2\"", patch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnknownPolicy_404()
    {
        using var response = await _server.PostAsync("/validate/no-such-policy", Reviews.Pod("x"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(404, (int)error["code"]!);
        Assert.StartsWith("no policy named \"no-such-policy\"", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OnAdmissionEndpoint_405()
    {
        using var response = await _server.Client.GetAsync(new Uri("/validate", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task BadRequests_DoNotHurtTheNextGoodOne()
    {
        foreach (var row in BadBodies())
        {
            using var bad = await _server.PostAsync("/validate/team-label", (string)row[0], (string)row[1]);
        }

        using var good = await _server.PostAsync("/validate/team-label", Reviews.Pod("after", """{"team":"a"}"""));

        Assert.True((bool)Reviews.Response(await good.Content.ReadAsStringAsync())["allowed"]!);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

[Trait("Category", "Integration")]
public sealed class BadInputIntegrationTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel() });

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

    [Fact]
    public async Task Post_BodyOver3MiB_413()
    {
        var huge = Reviews.Pod("big", labelsJson: "{\"x\":\"" + new string('a', (3 * 1024 * 1024) + 10) + "\"}");

        using var response = await _server.PostAsync("/validate", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 3145728", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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

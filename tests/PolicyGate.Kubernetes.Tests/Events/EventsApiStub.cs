using System.Text.Json;
using k8s;
using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PolicyGate.Kubernetes.Tests.Events;

/// <summary>A stand-in API server on 127.0.0.1 for the Events API of namespace <c>shop</c>, with a real client pointed
/// at it. Replies are scripted per call (first reply to the first call, and so on; the last one repeats).</summary>
internal sealed class EventsApiStub : IDisposable
{
    public const string EventsPath = "/apis/events.k8s.io/v1/namespaces/shop/events";

    private const string CreatedBody = """{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"x","namespace":"shop"}}""";

    private readonly WireMockServer _server = WireMockServer.Start();

    public EventsApiStub() => Client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url });

    public IKubernetes Client { get; }

    public static Reply Ok => new(200, CreatedBody);

    public static Reply Created => new(201, CreatedBody);

    /// <summary>A reply, with the Status body the API server sends for errors.</summary>
    public static Reply Error(int status, string message, string? retryAfter = null) =>
        new(status, $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"{{message}}","code":{{status}}}""", retryAfter);

    public void OnCreate(params Reply[] replies) => Script("create", Request.Create().WithPath(EventsPath).UsingPost(), replies);

    public void OnPatch(params Reply[] replies) =>
        Script("patch", Request.Create().WithPath(new WildcardMatcher(EventsPath + "/*")).UsingMethod("PATCH"), replies);

    public IReadOnlyList<ILogEntry> Requests(string method) =>
        _server.LogEntries.Where(e => e.RequestMessage.Method == method).OrderBy(e => e.RequestMessage.DateTime).ToList();

    public static JsonElement Body(ILogEntry entry) => JsonDocument.Parse(entry.RequestMessage.Body!).RootElement;

    public void Dispose()
    {
        Client.Dispose();
        _server.Stop();
        _server.Dispose();
    }

    private void Script(string scenario, IRequestBuilder request, Reply[] replies)
    {
        for (var i = 0; i < replies.Length; i++)
        {
            // A lone reply needs no scenario (WireMock answers 500 for a scenario no mapping moves into a state).
            var mapping = replies.Length == 1 ? _server.Given(request) : _server.Given(request).InScenario(scenario);
            if (i > 0)
            {
                mapping = mapping.WhenStateIs($"{scenario}-{i}");
            }

            if (i < replies.Length - 1)
            {
                mapping = mapping.WillSetStateTo($"{scenario}-{i + 1}");
            }

            var response = Response.Create().WithStatusCode(replies[i].Status)
                .WithHeader("Content-Type", "application/json").WithBody(replies[i].Body);
            if (replies[i].RetryAfter is { } retryAfter)
            {
                response = response.WithHeader("Retry-After", retryAfter);
            }

            mapping.RespondWith(response);
        }
    }

    public sealed record Reply(int Status, string Body, string? RetryAfter = null);
}

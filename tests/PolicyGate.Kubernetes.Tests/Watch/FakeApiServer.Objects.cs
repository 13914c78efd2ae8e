using System.Globalization;
using System.Text.Json.Nodes;

namespace PolicyGate.Kubernetes.Tests.Watch;

/// <summary>
/// The fake API server's object store: single objects are read (GET), created (POST to their collection), replaced
/// (PUT, with the API server's optimistic concurrency: a stale <c>metadata.resourceVersion</c> is a 409), merge-patched
/// (PATCH, also on the <c>/status</c> subresource, a resourceVersion in the patch checked the same way) and deleted,
/// as the API server does; enough for Leases, webhook configurations, and the status of policy objects. Objects that
/// <see cref="SetListFor"/> lists are readable one by one too. Lists and watches stay as the test drives them.
/// </summary>
internal sealed partial class FakeApiServer
{
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<(string Method, string PathPrefix, Failure Failure)> _objectFailures = [];
    private long _resourceVersion = 1000;

    /// <summary>Writes a kubeconfig file whose current context is the API server at <paramref name="host"/> with a bearer
    /// <paramref name="token"/>, for <c>serve --kubeconfig</c> in tests and benchmarks.</summary>
    public static void WriteKubeconfig(string path, string host, string token = "t") => File.WriteAllText(path, $$$"""
        apiVersion: v1
        kind: Config
        current-context: test
        clusters: [{name: test, cluster: {server: "{{{host}}}"}}]
        users: [{name: test, user: {token: {{{token}}}}}]
        contexts: [{name: test, context: {cluster: test, user: test}}]
        """);

    /// <summary>A copy of the object at <paramref name="path"/> (e.g. <c>/apis/coordination.k8s.io/v1/namespaces/ns/leases/x</c>), or null.</summary>
    public JsonObject? GetObject(string path)
    {
        lock (_gate)
        {
            return _objects.GetValueOrDefault(path)?.DeepClone().AsObject();
        }
    }

    /// <summary>Stores <paramref name="obj"/> at <paramref name="path"/> as if created (a resourceVersion, a generation).</summary>
    public void PutObject(string path, JsonObject obj)
    {
        lock (_gate)
        {
            _objects[path] = Stamp(obj.DeepClone().AsObject(), generation: null);
        }
    }

    /// <summary>The next <paramref name="method"/> request whose path starts with <paramref name="pathPrefix"/> is answered
    /// with <paramref name="status"/> (a Status body, and <c>Retry-After</c> when given).</summary>
    public void FailNext(string method, string pathPrefix, int status, string? retryAfter = null)
    {
        lock (_gate)
        {
            _objectFailures.Add((method, pathPrefix, new Failure(status, retryAfter)));
        }
    }

    /// <summary>The next <paramref name="method"/> request whose path starts with <paramref name="pathPrefix"/> is answered
    /// only after <paramref name="delay"/> (a slow API server).</summary>
    public void DelayNext(string method, string pathPrefix, TimeSpan delay)
    {
        lock (_gate)
        {
            _objectFailures.Add((method, pathPrefix, new Failure(0, null, delay)));
        }
    }

    /// <summary>The header a test's client may send to say which replica it is (see <see cref="BlockIdentity"/>).</summary>
    public const string IdentityHeader = "X-Fake-Identity";

    private readonly HashSet<string> _blocked = new(StringComparer.Ordinal);

    /// <summary>Removes the object at <paramref name="path"/>, as another client's delete would.</summary>
    public void DeleteObject(string path)
    {
        lock (_gate)
        {
            _objects.Remove(path);
        }
    }

    /// <summary>From now on, every request that carries <see cref="IdentityHeader"/> <paramref name="identity"/>, or the
    /// bearer token <paramref name="identity"/> (a kubeconfig user's), has its connection reset.</summary>
    public void BlockIdentity(string identity)
    {
        lock (_gate)
        {
            _blocked.Add(identity);
        }
    }

    private bool IsBlocked(string head)
    {
        var headers = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToList();
        var identity = headers.FirstOrDefault(p => p[0].Trim().Equals(IdentityHeader, StringComparison.OrdinalIgnoreCase))?[1].Trim();
        var token = headers.FirstOrDefault(p => p[0].Trim().Equals("Authorization", StringComparison.OrdinalIgnoreCase))?[1].Trim() is { } auth &&
            auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : null;
        lock (_gate)
        {
            return (identity is not null && _blocked.Contains(identity)) || (token is not null && _blocked.Contains(token));
        }
    }

    private Failure? TakeFailure(RecordedRequest request)
    {
        var index = _objectFailures.FindIndex(f => f.Method == request.Method && request.Path.StartsWith(f.PathPrefix, StringComparison.Ordinal));
        if (index < 0)
        {
            return null;
        }

        var failure = _objectFailures[index].Failure;
        _objectFailures.RemoveAt(index);
        return failure;
    }

    /// <summary>
    /// Whether the request is for the store: anything but a GET, or a GET of one object (a path that ends in a name,
    /// not in a resource type), but not a watch.
    /// </summary>
    private static bool IsObjectRequest(RecordedRequest request)
    {
        if (request.IsWatch)
        {
            return false;
        }

        if (request.Method != "GET")
        {
            return true;
        }

        var segments = ObjectPath(request.Path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length switch
        {
            5 or 7 => segments[0] == "apis",
            4 or 6 => segments[0] == "api",
            _ => false,
        };
    }

    /// <summary>The object's own path, without a <c>/status</c> subresource.</summary>
    private static string ObjectPath(string path) => path.EndsWith("/status", StringComparison.Ordinal) ? path[..^"/status".Length] : path;

    private (int Status, string Body) Answer(RecordedRequest request)
    {
        lock (_gate)
        {
            var path = ObjectPath(request.Path);
            var body = request.Body is { Length: > 0 } text ? JsonNode.Parse(text)?.AsObject() : null;
            switch (request.Method)
            {
                case "GET":
                    return Find(path) is { } found ? (200, found.ToJsonString()) : NotFound(path);

                case "POST":
                {
                    var name = body?["metadata"]?["name"]?.GetValue<string>();
                    if (body is null || name is null)
                    {
                        return (422, Error(422, "Invalid", "metadata.name: Required value"));
                    }

                    var created = $"{path}/{name}";
                    if (Find(created) is not null)
                    {
                        return (409, Error(409, "AlreadyExists", $"\"{name}\" already exists"));
                    }

                    _objects[created] = Stamp(body, generation: 1);
                    return (201, _objects[created].ToJsonString());
                }

                case "PUT":
                {
                    if (Find(path) is not { } current)
                    {
                        return NotFound(path);
                    }

                    if (body is null || body["metadata"]?["resourceVersion"]?.GetValue<string>() != current["metadata"]?["resourceVersion"]?.GetValue<string>())
                    {
                        return Conflict(path);
                    }

                    _objects[path] = Stamp(body, Generation(current));
                    return (200, _objects[path].ToJsonString());
                }

                case "PATCH":
                {
                    if (Find(path) is not { } current)
                    {
                        return NotFound(path);
                    }

                    var asked = body?["metadata"]?["resourceVersion"]?.GetValue<string>();
                    if (asked is not null && asked != current["metadata"]?["resourceVersion"]?.GetValue<string>())
                    {
                        return Conflict(path);
                    }

                    var patched = current.DeepClone().AsObject();
                    if (request.Path.EndsWith("/status", StringComparison.Ordinal))
                    {
                        patched["status"] = Merge(patched["status"], body?["status"]);
                    }
                    else if (body is not null)
                    {
                        patched = Merge(patched, body)!.AsObject();
                    }

                    _objects[path] = Stamp(patched, Generation(current));
                    return (200, _objects[path].ToJsonString());
                }

                case "DELETE":
                    return _objects.Remove(path) ? (200, Error(200, "Success", "deleted")) : NotFound(path);

                default:
                    return (405, Error(405, "MethodNotAllowed", request.Method));
            }
        }
    }

    /// <summary>The API groups whose lists come from the store (those the server writes itself), not from <see cref="SetList"/>.</summary>
    private static readonly string[] StoredGroups = ["/apis/coordination.k8s.io/", "/apis/admissionregistration.k8s.io/", "/apis/events.k8s.io/"];

    /// <summary>A list of the stored objects of a collection in <see cref="StoredGroups"/> (a <c>labelSelector</c> of
    /// <c>key=value</c> pairs honoured), or null for other paths.</summary>
    private string? StoredList(RecordedRequest request)
    {
        if (!StoredGroups.Any(g => request.Path.StartsWith(g, StringComparison.Ordinal)))
        {
            return null;
        }

        var wanted = request.Query.GetValueOrDefault("labelSelector") is { Length: > 0 } selector
            ? selector.Split(',').Select(p => p.Split('=', 2)).ToList()
            : [];
        lock (_gate)
        {
            var items = _objects.Where(o => o.Key.StartsWith(request.Path + "/", StringComparison.Ordinal) && !o.Key[(request.Path.Length + 1)..].Contains('/'))
                .Select(o => o.Value)
                .Where(o => wanted.All(w => (string?)o["metadata"]?["labels"]?[w[0]] == (w.Length > 1 ? w[1] : (string?)o["metadata"]?["labels"]?[w[0]])))
                .Select(o => o.DeepClone())
                .ToArray();
            return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray(items),
            }.ToJsonString();
        }
    }

    /// <summary>The stored object, or one that a list set by <see cref="SetListFor"/> holds under that name.</summary>
    private JsonObject? Find(string path)
    {
        if (_objects.TryGetValue(path, out var stored))
        {
            return stored;
        }

        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        var collection = path[..slash];
        var segments = collection.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var listPath = segments.Length == 6 && segments[3] == "namespaces" ? $"/{segments[0]}/{segments[1]}/{segments[2]}/{segments[5]}" : collection;
        if (_listsByPath.GetValueOrDefault(listPath) is not { } list || JsonNode.Parse(list)?["items"] is not JsonArray items)
        {
            return null;
        }

        var ns = segments.Length == 6 ? segments[4] : null;
        var item = items.OfType<JsonObject>().FirstOrDefault(i =>
            i["metadata"]?["name"]?.GetValue<string>() == name && i["metadata"]?["namespace"]?.GetValue<string>() == ns);
        if (item is null)
        {
            return null;
        }

        _objects[path] = Stamp(item.DeepClone().AsObject(), Generation(item));
        return _objects[path];
    }

    private static long? Generation(JsonObject obj) =>
        obj["metadata"]?["generation"] is JsonValue value && value.TryGetValue<long>(out var generation) ? generation : null;

    private JsonObject Stamp(JsonObject obj, long? generation)
    {
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["creationTimestamp"] ??= "2026-01-01T00:00:00Z";
        if (generation is not null)
        {
            metadata["generation"] = generation;
        }

        return obj;
    }

    /// <summary>RFC 7386 JSON merge patch.</summary>
    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Merge(result[key], value);
            }
        }

        return result;
    }

    private static (int, string) NotFound(string path) => (404, Error(404, "NotFound", $"{path} not found"));

    private static (int, string) Conflict(string path) =>
        (409, Error(409, "Conflict", $"Operation cannot be fulfilled on {path}: the object has been modified; please apply your changes to the latest version and try again"));

    private static string Error(int code, string reason, string message) => new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = code < 400 ? "Success" : "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    }.ToJsonString();
}

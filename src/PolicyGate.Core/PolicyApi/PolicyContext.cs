using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.PolicyApi;

/// <summary>
/// Everything a policy script sees; its members are in scope in the script (it is the script's globals object).
/// A new context is made for every evaluation, so what a script reads or changes is its own copy: one policy can
/// never see or alter what another policy, or another request, sees.
/// </summary>
public sealed class PolicyContext : IDisposable
{
    private readonly Func<object?>? _createSettings;
    private readonly JsonObject? _settingsSource;
    private readonly List<string> _denials = [];
    private readonly TimeSpan _timeBudget;
    private readonly CancellationToken _callerToken;
    private CancellationTokenSource? _budget;
    private readonly long _started;
    private List<string>? _warnings;
    private Dictionary<string, string>? _auditAnnotations;
    private JsonObject? _object;
    private JsonObject? _oldObject;
    private Dictionary<Type, object?>? _typedObjects;
    private object? _settings;
    private bool _settingsBound;
    private JsonObject? _settingsJson;
    private long _outputBytes;

    private readonly ParsedRequest _parsed;
    private readonly IModelLibrary? _models;

    public PolicyContext(
        ParsedRequest request,
        string policyName,
        bool mutating,
        JsonObject? settingsJson,
        Func<object?>? createSettings,
        TimeSpan timeBudget,
        CancellationToken cancellationToken,
        IModelLibrary? models = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        _parsed = request;
        Request = request.Request;
        PolicyName = policyName;
        Mutating = mutating;
        _settingsSource = settingsJson;
        _createSettings = createSettings;
        _timeBudget = timeBudget;
        _callerToken = cancellationToken;
        _models = models;
        _started = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// The whole admission request: uid, kind, resource, subResource, operation, userInfo, dryRun, options... Read-only:
    /// every policy of the request reads the same one.
    /// </summary>
    public AdmissionRequest Request { get; }

    /// <summary>The name of the policy being evaluated.</summary>
    public string PolicyName { get; }

    /// <summary>True when the policy has <c>mutating: true</c>: it may fix objects instead of denying them.</summary>
    public bool Mutating { get; }

    /// <summary>CREATE, UPDATE, DELETE or CONNECT.</summary>
    public string Operation => Request.Operation;

    /// <summary>The object's kind, e.g. <c>Pod</c> or <c>Deployment</c>.</summary>
    public string Kind => Request.Kind.Kind;

    public string? Namespace => Request.Namespace;

    public string? Name => Request.Name;

    public UserInfo UserInfo => Request.UserInfo;

    /// <summary>
    /// The policy's <c>settings</c> as JSON: this evaluation's own copy, made on first use. Prefer declaring a
    /// <c>Settings</c> type and calling <see cref="GetSettings{T}"/>.
    /// </summary>
    public JsonObject SettingsJson => _settingsJson ??= _settingsSource?.DeepClone().AsObject() ?? [];

    /// <summary>
    /// Cancelled when the evaluation runs out of its time budget (<c>timeoutSeconds</c>) or the caller gives up.
    /// Made on first use, so scripts that never look at it pay nothing for it.
    /// </summary>
    public CancellationToken CancellationToken
    {
        get
        {
            if (_budget is null)
            {
                _budget = CancellationTokenSource.CreateLinkedTokenSource(_callerToken);
                _budget.CancelAfter(_timeBudget);
            }

            return _budget.Token;
        }
    }

    /// <summary>Releases the time budget's timer, if a script asked for the token.</summary>
    /// <remarks>Explicit, so that it is not in scope in a script (a script could otherwise cut its own budget's timer).</remarks>
    void IDisposable.Dispose() => _budget?.Dispose();

    /// <summary>The object being admitted as JSON (null on DELETE); this evaluation's own copy, free to change.</summary>
    public JsonObject? Object => _object ??= ToJsonObject(Request.Object);

    /// <summary>The existing object on UPDATE and DELETE, as JSON; null otherwise.</summary>
    public JsonObject? OldObject => _oldObject ??= ToJsonObject(Request.OldObject);

    /// <summary>The object's metadata (labels, annotations, name...), null when there is no object. Read-only.</summary>
    public V1ObjectMeta? Metadata => _parsed.Metadata;

    /// <summary>
    /// The settings bound to the type the script declares (conventionally named <c>Settings</c>), checked when the
    /// policy loaded: this evaluation's own instance, bound on first use, so nothing written into it reaches another request.
    /// </summary>
    public T GetSettings<T>()
        where T : class
    {
        if (!_settingsBound)
        {
            _settings = _createSettings?.Invoke();
            _settingsBound = true;
        }

        return _settings as T ?? throw new InvalidOperationException(
            _settings is null
                ? $"Policy '{PolicyName}' has no bound settings of type {typeof(T).Name}: declare the type as 'Settings' in the script."
                : $"Policy '{PolicyName}' settings are a {_settings.GetType().Name}, not a {typeof(T).Name}.");
    }

    /// <summary>
    /// The object as a typed model, null on DELETE. PolicyGate's own models (<c>ObjectAs&lt;V1Pod&gt;()</c>) are
    /// read-only, parsed once per request for every policy: <c>Copy(...)</c> one to change it. Any other type, such as
    /// KubernetesClient's <c>ObjectAs&lt;k8s.Models.V1Service&gt;()</c> or a type the script declares, is this
    /// evaluation's own instance (the same one on every call), free to change: no other policy sees the change.
    /// </summary>
    public T? ObjectAs<T>()
        where T : class
    {
        if (typeof(T).IsAssignableTo(typeof(KubernetesModel)) && !typeof(T).IsCollectible)
        {
            return (T?)_parsed.Typed(typeof(T)); // the request's shared, read-only parse
        }

        _typedObjects ??= [];
        if (!_typedObjects.TryGetValue(typeof(T), out var typed))
        {
            typed = Read<T>(Request.Object);
            _typedObjects[typeof(T)] = typed;
        }

        return (T?)typed;
    }

    /// <summary>The old object as a typed model (UPDATE and DELETE), or null: a new instance on every call, free to change.</summary>
    public T? OldObjectAs<T>()
        where T : class => Read<T>(Request.OldObject);

    /// <summary>
    /// The pod spec of a Pod or of any pod controller (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
    /// ReplicationController), or null for other kinds. Read-only, parsed once per request for every policy: to
    /// change it, <c>var mine = Copy(PodSpec());</c>, change <c>mine</c> and <c>return Mutate(mine);</c>.
    /// </summary>
    public V1PodSpec? PodSpec() => _parsed.PodSpec;

    /// <summary>The metadata of the pods the object creates (the pod template's, or the Pod's own), or null.</summary>
    public V1ObjectMeta? PodMetadata() => _parsed.PodMetadata;

    /// <summary>Allows the request (warnings and audit annotations still apply).</summary>
    public PolicyResult Allow() => _denials.Count > 0 ? PolicyResult.Denied : PolicyResult.Allowed;

    /// <summary>Denies the request with a message for the user. Several denials are joined.</summary>
    public PolicyResult Deny(string message)
    {
        message = string.IsNullOrWhiteSpace(message) ? $"denied by policy {PolicyName}" : message;
        Measure(message);
        _denials.Add(message);
        return PolicyResult.Denied;
    }

    /// <summary>Adds an admission warning, shown by kubectl whatever the decision.</summary>
    public void Warn(string message)
    {
        if (!string.IsNullOrWhiteSpace(message))
        {
            Measure(message);
            (_warnings ??= []).Add(message);
        }
    }

    /// <summary>Records an audit annotation (<c>key</c> is prefixed by the API server with the webhook name).</summary>
    public void AuditAnnotation(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Measure(key);
        Measure(value ?? "");
        (_auditAnnotations ??= [])[key] = value ?? "";
    }

    /// <summary>Accepts the object with a changed pod spec, wherever the object's kind keeps it.</summary>
    public PolicyResult Mutate(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var path = PodSpecPath.ForKind(Kind)
            ?? throw new InvalidOperationException($"A {Kind} has no pod spec to mutate.");
        var root = ToJsonObject(Request.Object)
            ?? throw new InvalidOperationException("There is no object to mutate (DELETE and CONNECT requests carry none).");
        SetAt(root, path, KubernetesJson.SerializeToNode(spec));
        MutatedObject = root;
        return Result();
    }

    /// <summary>Accepts the object replaced by <paramref name="obj"/>, a typed model of the whole object.</summary>
    public PolicyResult Mutate<T>(T obj)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(obj);
        MutatedObject = obj as JsonNode ?? ToNode(obj);
        return Result();
    }

    /// <summary>Accepts the object replaced by <paramref name="obj"/> (for example the changed <see cref="Object"/>).</summary>
    public PolicyResult Mutate(JsonNode obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        MutatedObject = obj;
        return Result();
    }

    /// <summary>A private, changeable deep copy of a model: what <see cref="PodSpec"/>, <see cref="ObjectAs{T}"/> and <see cref="Metadata"/> return is read-only.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Scripts reach their globals' instance members.")]
    public T? Copy<T>(T? model)
        where T : KubernetesModel
    {
        if (model?.GetType() is not { IsCollectible: true } type)
        {
            return ModelCloner.Clone(model);
        }

        // A model type the script derived itself: copied through JSON with its own options, so that no static
        // cache (ModelCloner's copiers, the shared serializer options) keeps the script's code loaded.
        var options = ScriptTypeJson.For(type);
        return (T?)JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(model, type, options), type, options);
    }

    /// <summary>True when the evaluation has used up its time budget (or was cancelled): whatever it returned is not trusted.</summary>
    internal bool OverBudget =>
        System.Diagnostics.Stopwatch.GetElapsedTime(_started) > _timeBudget || _callerToken.IsCancellationRequested || (_budget?.IsCancellationRequested ?? false);

    /// <summary>
    /// True once the script tried to hand back more text than <see cref="PolicyOutputLimits.MaxTextBytes"/>: the
    /// evaluation fails, even if the script caught the exception and went on.
    /// </summary>
    internal bool OutputExceeded { get; private set; }

    internal IReadOnlyList<string> Denials => _denials;

    internal IReadOnlyList<string> Warnings => (IReadOnlyList<string>?)_warnings ?? [];

    internal IReadOnlyDictionary<string, string>? AuditAnnotations => _auditAnnotations;

    internal JsonNode? MutatedObject { get; private set; }

    private PolicyResult Result() => _denials.Count > 0 ? PolicyResult.Denied : PolicyResult.Mutated;

    /// <summary>Counts a string the script hands back, in bytes, before it is kept.</summary>
    private void Measure(string text)
    {
        _outputBytes += (long)text.Length * sizeof(char);
        if (_outputBytes > PolicyOutputLimits.MaxTextBytes)
        {
            OutputExceeded = true;
            throw new PolicyOutputException(
                $"the policy's denial messages, warnings and audit annotations exceed {PolicyOutputLimits.MaxTextBytes / 1024} KiB");
        }
    }

    private static void SetAt(JsonObject root, IReadOnlyList<string> path, JsonNode? value)
    {
        var current = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (current[path[i]] is not JsonObject next)
            {
                next = [];
                current[path[i]] = next;
            }

            current = next;
        }

        current[path[^1]] = value;
    }

    /// <summary>
    /// A script's own types are written with their own options (see <see cref="ScriptTypeJson"/>), another library's
    /// models (<c>k8s.Models</c>) by that library's rules, the rest as Kubernetes JSON.
    /// </summary>
    private JsonNode? ToNode<T>(T obj)
        where T : class
    {
        var type = typeof(T) == typeof(object) ? obj.GetType() : typeof(T);
        if (type.IsCollectible)
        {
            return JsonSerializer.SerializeToNode(obj, type, ScriptTypeJson.For(type));
        }

        return _models is { } models && models.Owns(type) ? models.Write(obj) : KubernetesJson.SerializeToNode(obj);
    }

    /// <summary>
    /// <paramref name="element"/> as a new <typeparamref name="T"/>: by the model library that owns the type, else
    /// with the options for the type (a script's own, or the shared Kubernetes JSON ones).
    /// </summary>
    private T? Read<T>(JsonElement? element)
        where T : class
    {
        if (element is not { ValueKind: JsonValueKind.Object } e)
        {
            return null;
        }

        return _models is { } models && models.Owns(typeof(T)) ? models.Read<T>(e) : e.Deserialize<T>(ScriptTypeJson.For(typeof(T)));
    }

    private static JsonObject? ToJsonObject(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Object } e ? JsonObject.Create(e.Clone()) : null;
}

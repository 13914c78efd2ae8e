using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Scripting.Loading;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;
using PolicyGate.Server.Policies;

namespace PolicyGate.Server.Admission;

/// <summary>
/// <c>POST /validate-policies</c>: PolicyGate's own webhook for its policy objects. A <c>ClusterAdmissionPolicy</c> or
/// <c>AdmissionPolicy</c> being created or updated is loaded exactly as serve would load it (parsed, its script
/// compiled through the sandbox, its settings bound by its own <c>Settings</c> code, in a worker process when it runs in
/// one), so <c>kubectl apply</c> of a policy that would not load is refused with the loader's messages, and rules that
/// can never match come back as warnings, which <c>kubectl apply</c> prints. Nothing here changes what is serving: the
/// loaded candidate is dropped at the next reload unless the cluster then holds it.
/// </summary>
internal sealed class PolicyValidationHandler(
    PolicyCompiler compiler,
    IsolationSupervisor isolation,
    PolicyGateMetrics metrics,
    IOptions<PolicyGateServerOptions> options,
    ConfigMapScripts? configMaps = null)
{
    public const string Path = WebhookPaths.PolicyValidationPath;

    private readonly long _maxBytes = options.Value.MaxRequestBodyBytes;

    /// <summary>The name of this endpoint's request span.</summary>
    public const string SpanName = "POST " + Path;

    public async Task HandleAsync(HttpContext context)
    {
        using var activity = AdmissionTracing.Start(context, SpanName);
        var (document, status, error) = await AdmissionReviewReader.ReadAsync(context.Request, _maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (document is null)
        {
            AdmissionTracing.Rejected(activity, status, error!);
            await AdmissionAnswer.RejectAsync(context, metrics, status, error!).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var response = await JudgeAsync(document.Request, context.RequestAborted).ConfigureAwait(false);
            if (activity is not null)
            {
                AdmissionTracing.Describe(activity, document.Request, response);
            }

            AdmissionAnswer.Write(context, document.Review.ApiVersion, response);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The answer for one request: allowed with warnings when the policy loads, else denied with every error.</summary>
    public async Task<AdmissionResponse> JudgeAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new AdmissionResponse { Uid = request.Uid, Allowed = true };
        if (request.Operation is not ("CREATE" or "UPDATE") || request.Object is not { ValueKind: JsonValueKind.Object } element)
        {
            return response; // deleting a policy, or a request with nothing to judge
        }

        var obj = JsonNode.Parse(element.GetRawText())!.AsObject();
        var kind = (string?)obj["kind"];
        var source = ClusterPolicySource.SourceOf(kind, request.Namespace, request.Name);
        if (configMaps is not null && PolicyResourceParser.Parse(obj, source) is { Succeeded: true, Policy.Spec.Module: { } module } &&
            ConfigMapModule.TryParse(module, out var configMap, out _))
        {
            // A ConfigMap not listed yet is waited for here, without holding a thread (only one the parser lets this
            // policy read); the load below then reads it at once.
            await configMaps.PrepareAsync(configMap, cancellationToken).ConfigureAwait(false);
        }

        var scripts = configMaps is null ? null : new UnreadConfigMaps(configMaps);
        var loaded = new PolicyLoader(compiler, isolation, options.Value.IsolateAll, scripts).LoadAll([], [(obj, source)]);
        var warnings = new List<string>();
        if (scripts?.Unread is { Count: > 0 } unread && loaded.Errors.All(e => unread.Any(u => e.Message.EndsWith(u, StringComparison.Ordinal))))
        {
            // The ConfigMap may be applied after the policy (kubectl apply -f of a folder has no order): not an error yet.
            warnings.AddRange(unread.Select(u => $"{u}: the policy does not serve until it can be read, and is checked then"));
            loaded = new PolicyLoadResult(loaded.Policies, []);
        }

        if (loaded.Errors.Count > 0)
        {
            response.Allowed = false;
            response.Status = new AdmissionStatus
            {
                Status = "Failure",
                Code = StatusCodes.Status422UnprocessableEntity,
                Reason = "Invalid",
                Message = $"PolicyGate cannot load this policy: {string.Join("; ", loaded.Errors.Select(e => e.Message))}",
            };
            return response;
        }

        warnings.AddRange(loaded.Policies.SelectMany(p => RuleReachability.Unreachable(p.Spec)));
        response.Warnings = warnings.Count > 0 ? warnings : null;
        return response;
    }

    /// <summary>Reads ConfigMap modules through serve's cache without waiting (the handler waited already), and
    /// remembers the ones it could not read.</summary>
    private sealed class UnreadConfigMaps(ConfigMapScripts inner) : IConfigMapScripts
    {
        public List<string> Unread { get; } = [];

        public string? Read(ConfigMapModule module, out string? error)
        {
            var text = inner.Read(module, wait: false, out error);
            if (text is null)
            {
                Unread.Add(error!);
            }

            return text;
        }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Polly;

namespace PolicyGate.Kubernetes.Registration;

/// <summary>
/// Writes <c>admissionregistration.k8s.io/v1</c> ValidatingWebhookConfigurations and MutatingWebhookConfigurations
/// whole: created when missing, replaced (with the resourceVersion just read, so a concurrent writer's change is a
/// 409 and the write starts again from a fresh read) when they differ from what this writer last applied. Transient
/// failures (429 with its Retry-After, 5xx, timeouts, dropped connections) are retried with back-off.
/// </summary>
public sealed class WebhookConfigurationWriter
{
    public const string ValidatingKind = "ValidatingWebhookConfiguration";
    public const string MutatingKind = "MutatingWebhookConfiguration";

    private const int MaxConflicts = 5;

    private readonly IKubernetes _client;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly Dictionary<string, Applied> _applied = new(StringComparer.Ordinal);

    public WebhookConfigurationWriter(IKubernetes client, TimeProvider time, ILogger logger, int maxRetryAttempts = 5, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _logger = logger;
        _pipeline = ApiRetries.ForWrites(maxRetryAttempts, requestTimeout, time, logger);
    }

    /// <summary>
    /// Makes the cluster's configuration of <paramref name="configuration"/>'s kind and name equal to it. Returns
    /// false when nothing had to be written (the cluster still holds what this writer last wrote).
    /// </summary>
    /// <exception cref="HttpOperationException">The API server refused the write (after retries), e.g. 401 or 403: the message says why.</exception>
    public async Task<bool> ApplyAsync(JsonObject configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var kind = configuration["kind"]?.GetValue<string>();
        var name = configuration["metadata"]?["name"]?.GetValue<string>()
            ?? throw new ArgumentException("the configuration has no metadata.name", nameof(configuration));
        var desired = configuration.ToJsonString();
        var key = $"{kind}/{name}";
        for (var attempt = 1; ; attempt++)
        {
            var current = await _pipeline.ExecuteAsync(async ct => await ReadAsync(kind, name, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (current is not null && _applied.TryGetValue(key, out var last) && last.ResourceVersion == current.ResourceVersion() && last.Json == desired)
            {
                return false;
            }

            try
            {
                var written = await _pipeline.ExecuteAsync(async ct => await WriteAsync(kind, desired, current, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                _applied[key] = new Applied(desired, written.ResourceVersion());
                RegistrationLog.Applied(_logger, kind!, name, current is null ? "created" : "updated");
                return true;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxConflicts)
            {
                // Someone else wrote it between our read and our write (or created it first): read again.
                RegistrationLog.Conflict(_logger, kind!, name, attempt);
            }
        }
    }

    /// <summary>Forgets what was applied, so the next <see cref="ApplyAsync"/> writes even if nothing changed (a new leader's first write).</summary>
    public void Forget() => _applied.Clear();

    private async Task<IKubernetesObject<V1ObjectMeta>?> ReadAsync(string? kind, string name, CancellationToken cancellationToken)
    {
        try
        {
            return kind switch
            {
                ValidatingKind => await _client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false),
                MutatingKind => await _client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false),
                _ => throw new ArgumentException($"not a webhook configuration kind: {kind}", nameof(kind)),
            };
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<IKubernetesObject<V1ObjectMeta>> WriteAsync(string? kind, string desired, IKubernetesObject<V1ObjectMeta>? current, CancellationToken cancellationToken)
    {
        var v1 = _client.AdmissionregistrationV1;
        if (kind == ValidatingKind)
        {
            var body = KubernetesJson.Deserialize<V1ValidatingWebhookConfiguration>(desired);
            if (current is null)
            {
                return await v1.CreateValidatingWebhookConfigurationAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            body.Metadata.ResourceVersion = current.ResourceVersion();
            return await v1.ReplaceValidatingWebhookConfigurationAsync(body, body.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var mutating = KubernetesJson.Deserialize<V1MutatingWebhookConfiguration>(desired);
        if (current is null)
        {
            return await v1.CreateMutatingWebhookConfigurationAsync(mutating, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        mutating.Metadata.ResourceVersion = current.ResourceVersion();
        return await v1.ReplaceMutatingWebhookConfigurationAsync(mutating, mutating.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private sealed record Applied(string Json, string? ResourceVersion);
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Polly;
using PolicyGate.Kubernetes.Watch;

namespace PolicyGate.Kubernetes.Status;

/// <summary>What became of one status write.</summary>
public enum StatusWriteResult
{
    /// <summary>The status subresource now holds the status.</summary>
    Written,

    /// <summary>The object changed its spec (its generation) since the status was worked out: the status is not written,
    /// and the watch brings the new version to work out again.</summary>
    Outdated,

    /// <summary>The object is gone.</summary>
    Gone,
}

/// <summary>
/// Writes the <c>status</c> subresource of custom objects with optimistic concurrency: the object is read, its
/// <c>metadata.generation</c> checked against the generation the status describes, and the status written by a JSON
/// merge patch that carries the resourceVersion just read, so a write that races another (an old leader's, say) is a
/// 409 and starts again from a fresh read. Transient failures are retried with back-off (<see cref="ApiRetries"/>).
/// </summary>
public sealed class StatusWriter
{
    private const int MaxConflicts = 5;

    private readonly IKubernetes _client;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    public StatusWriter(IKubernetes client, TimeProvider time, ILogger logger, int maxRetryAttempts = 5, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _logger = logger;
        _pipeline = ApiRetries.ForWrites(maxRetryAttempts, requestTimeout, time, logger);
    }

    /// <summary>Writes <paramref name="status"/> as the status of the object, if its spec is still at <paramref name="generation"/>.</summary>
    /// <exception cref="HttpOperationException">The API server refused the write (after retries), e.g. 403: the message says why.</exception>
    public async Task<StatusWriteResult> WriteAsync(WatchedResource resource, string? @namespace, string name, long generation, JsonObject status,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(status);
        for (var attempt = 1; ; attempt++)
        {
            JsonElement current;
            try
            {
                current = await _pipeline.ExecuteAsync(async ct => Element(resource.Namespaced
                    ? await _client.CustomObjects.GetNamespacedCustomObjectAsync(resource.Group, resource.Version, @namespace, resource.Plural, name, ct).ConfigureAwait(false)
                    : await _client.CustomObjects.GetClusterCustomObjectAsync(resource.Group, resource.Version, resource.Plural, name, ct).ConfigureAwait(false)),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return StatusWriteResult.Gone;
            }

            var metadata = current.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var currentGeneration = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("generation", out var g) && g.TryGetInt64(out var gen) ? gen : 0;
            if (currentGeneration != generation)
            {
                return StatusWriteResult.Outdated;
            }

            var resourceVersion = metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
            var patch = new V1Patch(new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
                ["status"] = status.DeepClone(),
            }.ToJsonString(), V1Patch.PatchType.MergePatch);
            try
            {
                await _pipeline.ExecuteAsync(async ct => resource.Namespaced
                    ? await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, resource.Group, resource.Version, @namespace, resource.Plural, name, cancellationToken: ct).ConfigureAwait(false)
                    : await _client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, resource.Group, resource.Version, resource.Plural, name, cancellationToken: ct).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                return StatusWriteResult.Written;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return StatusWriteResult.Gone;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxConflicts)
            {
                StatusLog.Conflict(_logger, resource.Plural, @namespace is null ? name : $"{@namespace}/{name}", attempt);
            }
        }
    }

    private static JsonElement Element(object result) => result switch
    {
        JsonElement element => element,
        _ => JsonSerializer.SerializeToElement(result),
    };
}

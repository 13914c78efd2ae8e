using System.Collections.Concurrent;
using System.Text.Json;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// A request with its object parsed once, however many policies judge it. The parse is frozen (read by
/// <see cref="ModelReader"/>, which builds read-only models directly): non-mutating policies read it as it is and
/// cannot change it, and each mutating policy gets its own copy (<see cref="ModelCloner"/>). So the parse is shared
/// and no state is. Safe to read from several threads.
/// </summary>
/// <remarks>
/// The models' raw-JSON values are elements of <see cref="AdmissionRequest.Object"/>'s document, not copies: that
/// document must stay undisposed while the models are in use. The webhook server disposes its
/// <see cref="AdmissionReviewDocument"/> only once the answer is written; after that a model's raw-JSON value throws
/// <see cref="ObjectDisposedException"/> instead of reading other bytes.
/// </remarks>
public sealed class ParsedRequest
{
    private static readonly string[] MetadataPath = ["metadata"];

    private ConcurrentDictionary<Type, object?>? _typed; // made on first use: most requests never ask for another type
    private Box<V1PodSpec>? _podSpec;
    private Box<V1ObjectMeta>? _podMetadata;
    private Box<V1ObjectMeta>? _metadata;

    public ParsedRequest(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
    }

    public AdmissionRequest Request { get; }

    /// <summary>The pod spec of a Pod or pod controller, parsed once, read-only.</summary>
    internal V1PodSpec? PodSpec => LazyInitializer.EnsureInitialized(ref _podSpec, () => new Box<V1PodSpec>(ReadAt<V1PodSpec>(PodSpecPath.ForKind(Request.Kind.Kind)))).Value;

    internal V1ObjectMeta? PodMetadata => LazyInitializer.EnsureInitialized(ref _podMetadata, () => new Box<V1ObjectMeta>(ReadAt<V1ObjectMeta>(PodSpecPath.MetadataForKind(Request.Kind.Kind)))).Value;

    internal V1ObjectMeta? Metadata => LazyInitializer.EnsureInitialized(ref _metadata, () => new Box<V1ObjectMeta>(ReadAt<V1ObjectMeta>(MetadataPath))).Value;

    /// <summary>The object as a model type, parsed once per type, read-only.</summary>
    internal object? Typed(Type type) =>
        LazyInitializer.EnsureInitialized(ref _typed).GetOrAdd(type, t => Request.Object is { ValueKind: JsonValueKind.Object } o ? ModelReader.ReadFrozen(o, t) : null);

    private T? ReadAt<T>(IReadOnlyList<string>? path)
        where T : KubernetesModel
    {
        if (path is null || Request.Object is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        foreach (var segment in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.Object ? ModelReader.ReadFrozen<T>(element) : null;
    }

    private sealed record Box<T>(T? Value);
}

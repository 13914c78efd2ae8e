using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.PolicyApi;

/// <summary>
/// Serializer options for the types a policy script declares. The shared <see cref="KubernetesJson.Options"/> keeps
/// the metadata of every type it has seen for the life of the process, which would keep a replaced script's load
/// context (and all its code) alive forever. A script's types get options of their own instead, held in a weak
/// table keyed by the type: they live exactly as long as the script's load context, and nothing outside it keeps
/// the script's types.
/// </summary>
internal static class ScriptTypeJson
{
    private static readonly ConditionalWeakTable<Type, JsonSerializerOptions> OptionsByType = new();

    /// <summary>The options for <paramref name="type"/>: its own when it belongs to a script (an unloadable load context), else the shared ones.</summary>
    public static JsonSerializerOptions For(Type type) =>
        type.IsCollectible ? OptionsByType.GetValue(type, static _ => Create()) : KubernetesJson.Options;

    private static JsonSerializerOptions Create()
    {
        // Same behaviour as the shared options (models inside a script's type still read and write as Kubernetes
        // JSON), but a resolver instance of its own: System.Text.Json shares one metadata cache between options that
        // are equal, resolver included, so an equal copy would land in the shared options' cache after all.
        var options = new JsonSerializerOptions(KubernetesJson.Options)
        {
            TypeInfoResolver = new OwnResolver(KubernetesJson.Options.TypeInfoResolver!),
        };
        options.MakeReadOnly();
        return options;
    }

    private sealed class OwnResolver(IJsonTypeInfoResolver inner) : IJsonTypeInfoResolver
    {
        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) => inner.GetTypeInfo(type, options);
    }
}

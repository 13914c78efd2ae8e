using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Scripting.Runtime;

/// <summary>
/// Makes System.Text.Json forget the types of unloaded scripts. It keeps what it learns about a type in
/// process-wide caches that never let go of collectible types (dotnet/runtime#65323, open): the accessors it emits
/// for every reflected property and constructor, and the metadata cache of shared options such as
/// <see cref="JsonSerializerOptions.Default"/> and <see cref="KubernetesJson.Options"/>, which a script reaches by
/// calling <c>JsonSerializer</c> or <c>KubernetesJson</c> on its own types. Either one keeps a replaced script's whole
/// load context alive.
/// </summary>
/// <remarks>
/// The runtime has no public call for this; the hook it uses itself when types change under hot reload
/// (<c>JsonSerializerOptionsUpdateHandler.ClearCache</c>) and the two internal methods it calls are invoked by
/// reflection. If a later runtime renames them, <see cref="Available"/> turns false and the unload tests fail;
/// until then nothing breaks: the accessor cache also drops entries unused for a second whenever it is next used.
/// Clearing only costs the metadata being built again on next use.
/// </remarks>
internal static class SerializerCaches
{
    private static readonly MethodInfo? UpdateHandler = typeof(JsonSerializer).Assembly
        .GetType("System.Text.Json.JsonSerializerOptionsUpdateHandler")
        ?.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]);

    private static readonly MethodInfo? ClearMemberAccessors = typeof(DefaultJsonTypeInfoResolver)
        .GetMethod("ClearMemberAccessorCaches", BindingFlags.NonPublic | BindingFlags.Static, Type.EmptyTypes);

    private static readonly MethodInfo? ClearOptions = typeof(JsonSerializerOptions)
        .GetMethod("ClearCaches", BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes);

    /// <summary>True when this runtime has the hooks used here.</summary>
    public static bool Available => ClearMemberAccessors is not null && ClearOptions is not null;

    /// <summary>Drops every cached serializer accessor and the metadata of the shared options; they are rebuilt on next use.</summary>
    public static void ForgetUnloadedTypes()
    {
        // Every options instance the runtime tracks (all of them when hot reload is supported), and the accessors.
        UpdateHandler?.Invoke(null, [null]);

        // The shared options scripts can reach, whether or not the runtime tracks them.
        ClearMemberAccessors?.Invoke(null, null);
        foreach (var options in new[] { JsonSerializerOptions.Default, JsonSerializerOptions.Web, KubernetesJson.Options })
        {
            ClearOptions?.Invoke(options, null);
        }
    }
}

using System.Text.Json.Serialization.Metadata;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Keeps explicit JSON <c>null</c>s of declared model properties through a round trip. Null properties are
/// normally omitted on write, which would drop, say, the <c>"creationTimestamp": null</c> the API server puts in
/// every pod template, and turn into a spurious patch. A null read into a property is remembered in
/// <see cref="KubernetesModel.ExplicitNulls"/> and written back for as long as the property stays null.
/// </summary>
internal static class ExplicitNullTracking
{
    /// <summary>A contract modifier that applies the tracking to every <see cref="KubernetesModel"/>.</summary>
    public static void Apply(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || !typeInfo.Type.IsAssignableTo(typeof(KubernetesModel)))
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            if (property.IsExtensionData
                || property.Set is not { } set
                || (property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null))
            {
                continue;
            }

            var name = property.Name;
            property.Set = (target, value) =>
            {
                if (value is null)
                {
                    var model = (KubernetesModel)target;
                    (model.ExplicitNulls ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
                }

                set(target, value);
            };
            property.ShouldSerialize = (target, value) => value is not null || IsExplicitNull(target, name);
        }
    }

    private static bool IsExplicitNull(object target, string name) =>
        ((KubernetesModel)target).ExplicitNulls?.Contains(name) == true;
}

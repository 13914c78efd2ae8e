// pvc-size: the largest storage a PersistentVolumeClaim may ask for.
//
// Settings:
//   maxStorage: a quantity (e.g. 10Gi); claims whose spec.resources.requests.storage (or limits.storage) is
//               larger are denied. Required.
// Also checks the volumeClaimTemplates of StatefulSets, which create claims without going through this policy
// under their own name (add statefulsets to the policy's rules to use it).
// Why: storage is billed and provisioned per claim; one typo (100Ti for 100Gi) is an expensive mistake.

public sealed class Settings
{
    public ResourceQuantity? MaxStorage { get; set; }

    public IEnumerable<string> Validate()
    {
        if (MaxStorage is null)
        {
            yield return "setting 'maxStorage' is required (for example 10Gi)";
        }
    }
}

var settings = GetSettings<Settings>();
var max = settings.MaxStorage!;
var problems = new List<string>();

void CheckClaim(string what, V1PersistentVolumeClaimSpec? claim)
{
    foreach (var (field, values) in new[] { ("request", claim?.Resources?.Requests), ("limit", claim?.Resources?.Limits) })
    {
        if (values is not null && values.TryGetValue("storage", out var size) && size > max)
        {
            problems.Add($"{what} storage {field} {size} is above the maximum {max}");
        }
    }
}

if (Kind == "PersistentVolumeClaim")
{
    CheckClaim($"PersistentVolumeClaim {Metadata?.Name ?? Name}", ObjectAs<V1PersistentVolumeClaim>()?.Spec);
}
else if (Kind == "StatefulSet")
{
    foreach (var template in ObjectAs<V1StatefulSet>()?.Spec?.VolumeClaimTemplates ?? [])
    {
        CheckClaim($"volumeClaimTemplate {template.Metadata?.Name}", template.Spec);
    }
}

return problems.Count > 0 ? Deny(string.Join("; ", problems)) : Allow();

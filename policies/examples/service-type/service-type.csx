// service-type: a Service that opens itself outside the cluster (type LoadBalancer or NodePort) needs an approval
// annotation.
//
// Settings:
//   approvalAnnotation: the annotation that approves such a Service (any non-empty value). Required.
//   types: the Service types that need it. Default: LoadBalancer and NodePort.
// Why: a LoadBalancer Service gets a public address (and a bill), a NodePort one opens a port on every node; both
// should be a decision someone made, not a default copied from a tutorial.
//
// It reads the Service through KubernetesClient's model (k8s.Models.V1Service): PolicyGate models pods itself, and
// any other kind is read typed this way. The object is this evaluation's own copy.

using k8s.Models;

public sealed class Settings
{
    public string? ApprovalAnnotation { get; set; }

    public List<string> Types { get; set; } = ["LoadBalancer", "NodePort"];

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ApprovalAnnotation))
        {
            yield return "setting 'approvalAnnotation' is required (for example network.example.com/external-approved)";
        }
    }
}

var settings = GetSettings<Settings>();
var service = ObjectAs<V1Service>();
var type = service?.Spec?.Type ?? "ClusterIP";
if (service is null || !settings.Types.Contains(type))
{
    return Allow();
}

if (!string.IsNullOrEmpty(service.GetAnnotation(settings.ApprovalAnnotation!)))
{
    return Allow();
}

var ports = string.Join(", ", (service.Spec.Ports ?? []).Select(p => p.NodePort is { } node ? $"{p.Port} (node port {node})" : $"{p.Port}"));
return Deny($"Service {service.Name()} is of type {type} (ports {ports}): add the annotation {settings.ApprovalAnnotation} to approve it, or use ClusterIP");

namespace PolicyGate.Core.Kubernetes;

/// <summary>Pod template of a controller (<c>spec.template</c>).</summary>
public sealed class V1PodTemplateSpec : KubernetesModel
{
    /// <summary>Metadata given to pods created from the template.</summary>
    public V1ObjectMeta? Metadata { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Specification of pods created from the template.</summary>
    public V1PodSpec? Spec { get; set { ThrowIfFrozen(); field = value; } }
}

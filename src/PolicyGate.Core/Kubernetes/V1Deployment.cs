namespace PolicyGate.Core.Kubernetes;

/// <summary>A Deployment (<c>apps/v1</c>). <c>status</c> is kept in <see cref="ExtensionData"/>.</summary>
public sealed class V1Deployment : KubernetesModel
{
    /// <summary>API version of the object, e.g. <c>apps/v1</c>.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Kind of the object.</summary>
    public string? Kind { get; set; }

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta? Metadata { get; set; }

    /// <summary>Desired state of the object.</summary>
    public V1DeploymentSpec? Spec { get; set; }
}

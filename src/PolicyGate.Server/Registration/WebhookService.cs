namespace PolicyGate.Server.Registration;

/// <summary>Where the API server reaches PolicyGate, and how it trusts it.</summary>
/// <param name="Name">The Service's name.</param>
/// <param name="Namespace">The Service's namespace.</param>
/// <param name="Port">The Service's port (not the pod's target port).</param>
/// <param name="CaBundle">The <c>caBundle</c> (base64 of the CA's PEM), or null when cert-manager injects it.</param>
/// <param name="InjectCaFrom">The <c>NAMESPACE/CERTIFICATE</c> of cert-manager's <c>inject-ca-from</c> annotation, or null.</param>
public sealed record WebhookService(string Name, string Namespace, int Port, string? CaBundle, string? InjectCaFrom)
{
    public const int DefaultPort = 8443;
}

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// The family of suffix a <see cref="ResourceQuantity"/> was written with, which its canonical form keeps
/// (Kubernetes' <c>resource.Format</c>).
/// </summary>
public enum QuantityFormat
{
    /// <summary>A decimal SI suffix or none: <c>n u m k M G T P E</c>, e.g. <c>500m</c>, <c>1.5</c>.</summary>
    DecimalSI,

    /// <summary>A binary SI suffix: <c>Ki Mi Gi Ti Pi Ei</c>, e.g. <c>512Mi</c>.</summary>
    BinarySI,

    /// <summary>A decimal exponent: <c>e</c> or <c>E</c> and an integer, e.g. <c>1e3</c>.</summary>
    DecimalExponent,
}

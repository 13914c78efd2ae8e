namespace PolicyGate.Core.Admission;

/// <summary>The <c>metav1.Status</c> of a response: set on a denial with code 403 and reason Forbidden.</summary>
public sealed class AdmissionStatus
{
    public string? Status { get; set; }

    public string? Message { get; set; }

    public string? Reason { get; set; }

    public int? Code { get; set; }
}

namespace PolicyGate.Core.Api.V1;

public enum PolicyKind
{
    /// <summary>Applies to every namespace and to cluster-scoped resources.</summary>
    ClusterAdmissionPolicy,

    /// <summary>Applies only to requests in the policy's own namespace.</summary>
    AdmissionPolicy,
}

namespace PolicyGate.Core.Api.V1;

/// <summary>What happens when a policy errors or runs out of time (the admissionregistration names).</summary>
public enum FailurePolicy
{
    Fail,
    Ignore,
}

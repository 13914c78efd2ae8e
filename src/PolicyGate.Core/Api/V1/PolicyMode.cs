namespace PolicyGate.Core.Api.V1;

/// <summary>What a policy does with a violation (Kubewarden's names).</summary>
public enum PolicyMode
{
    /// <summary>Violations deny the request.</summary>
    Protect,

    /// <summary>Violations are reported (warning, log, result) but never deny, and mutations are not applied.</summary>
    Monitor,
}

using System.Text.Json.Nodes;

namespace PolicyGate.Core.Api.V1;

/// <summary>The <c>spec</c> of a ClusterAdmissionPolicy or AdmissionPolicy.</summary>
public sealed record PolicySpec
{
    public const int DefaultTimeoutSeconds = 10;

    /// <summary><c>builtin://NAME</c> or <c>file://PATH</c>; null when <see cref="Script"/> is inline.</summary>
    public string? Module { get; init; }

    /// <summary>Inline C# source; null when <see cref="Module"/> is set.</summary>
    public string? Script { get; init; }

    public IReadOnlyList<RuleWithOperations> Rules { get; init; } = [];

    public bool Mutating { get; init; }

    public PolicyMode Mode { get; init; } = PolicyMode.Protect;

    public JsonObject? Settings { get; init; }

    public LabelSelector NamespaceSelector { get; init; } = LabelSelector.Everything;

    public LabelSelector ObjectSelector { get; init; } = LabelSelector.Everything;

    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.Fail;

    public int TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;

    /// <summary>Replaces the script's denial message (the script's own text is kept as the detail).</summary>
    public string? Message { get; init; }

    /// <summary><c>spec.isolation</c> as written; null takes the default of the policy's kind (<see cref="PolicyResource.Isolation"/>).</summary>
    public PolicyIsolation? Isolation { get; init; }
}

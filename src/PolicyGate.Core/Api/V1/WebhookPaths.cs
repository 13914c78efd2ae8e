using System.Diagnostics.CodeAnalysis;

namespace PolicyGate.Core.Api.V1;

/// <summary>
/// Where the API server sends a policy's AdmissionReviews, and what its webhook is called: the one rule shared by
/// <c>policygate webhook-config</c> (which writes the webhook configurations) and the server (which routes by it).
/// </summary>
/// <remarks>
/// <para>
/// Paths: <c>/validate/NAME</c> or <c>/mutate/NAME</c> for a ClusterAdmissionPolicy, and
/// <c>/validate/NAMESPACE/NAME</c> or <c>/mutate/NAMESPACE/NAME</c> for an AdmissionPolicy, following
/// <see cref="PolicyResource.DisplayName"/>. Names and namespaces hold only lower-case letters, digits, '-' and
/// '.', so no escaping is ever needed, and the number of segments tells the two kinds apart.
/// </para>
/// <para>
/// Webhook names: <c>NAME.policygate.io</c> for a ClusterAdmissionPolicy and <c>NAME.NAMESPACE.policygate.io</c>
/// for an AdmissionPolicy, in the DNS order of a Service's <c>svc.ns</c>. (<c>NAMESPACE-NAME</c> would be
/// ambiguous: <c>a-b</c>/<c>c</c> and <c>a</c>/<c>b-c</c> would share a name.) A ClusterAdmissionPolicy named
/// <c>NAME.NAMESPACE</c> would still collide with the AdmissionPolicy NAMESPACE/NAME, so writers of webhook
/// configurations must reject duplicate webhook names.
/// </para>
/// </remarks>
public static class WebhookPaths
{
    public const string ValidatePrefix = "/validate/";
    public const string MutatePrefix = "/mutate/";

    /// <summary>The domain every webhook name ends with.</summary>
    public const string WebhookNameSuffix = ".policygate.io";

    /// <summary>Where serve validates its own policy objects (ClusterAdmissionPolicy, AdmissionPolicy) on create and update.</summary>
    public const string PolicyValidationPath = "/validate-policies";

    /// <summary>The name of the webhook that sends PolicyGate's own objects to <see cref="PolicyValidationPath"/>.</summary>
    public const string PolicyValidationWebhookName = "policies.validate" + WebhookNameSuffix;

    /// <summary><c>/validate/NAME</c> or <c>/validate/NAMESPACE/NAME</c>.</summary>
    public static string ValidatePath(PolicyResource policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return ValidatePrefix + Target(policy);
    }

    /// <summary><c>/mutate/NAME</c> or <c>/mutate/NAMESPACE/NAME</c>.</summary>
    public static string MutatePath(PolicyResource policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return MutatePrefix + Target(policy);
    }

    /// <summary>The policy's path: <see cref="MutatePath"/> for a mutating policy, else <see cref="ValidatePath"/>.</summary>
    public static string PathOf(PolicyResource policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Spec.Mutating ? MutatePath(policy) : ValidatePath(policy);
    }

    /// <summary><c>NAME.policygate.io</c> or <c>NAME.NAMESPACE.policygate.io</c>.</summary>
    public static string WebhookName(PolicyResource policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Kind == PolicyKind.AdmissionPolicy
            ? $"{policy.Name}.{policy.Namespace}{WebhookNameSuffix}"
            : policy.Name + WebhookNameSuffix;
    }

    /// <summary>
    /// Reads a request path written by <see cref="ValidatePath"/> or <see cref="MutatePath"/>. False for any other
    /// path (unknown prefix, empty segment, more than two segments after the prefix).
    /// </summary>
    public static bool TryParse(string? path, [NotNullWhen(true)] out WebhookRoute? route)
    {
        route = null;
        bool mutating;
        string rest;
        if (path is null)
        {
            return false;
        }
        else if (path.StartsWith(ValidatePrefix, StringComparison.Ordinal))
        {
            mutating = false;
            rest = path[ValidatePrefix.Length..];
        }
        else if (path.StartsWith(MutatePrefix, StringComparison.Ordinal))
        {
            mutating = true;
            rest = path[MutatePrefix.Length..];
        }
        else
        {
            return false;
        }

        var segments = rest.Split('/');
        if (segments.Any(s => s.Length == 0))
        {
            return false;
        }

        route = segments.Length switch
        {
            1 => new WebhookRoute(mutating, PolicyKind.ClusterAdmissionPolicy, null, segments[0]),
            2 => new WebhookRoute(mutating, PolicyKind.AdmissionPolicy, segments[0], segments[1]),
            _ => null,
        };
        return route is not null;
    }

    private static string Target(PolicyResource policy) =>
        policy.Kind == PolicyKind.AdmissionPolicy ? $"{policy.Namespace}/{policy.Name}" : policy.Name;
}

namespace PolicyGate.Kubernetes.Naming;

/// <summary>The API server's name rules (<c>k8s.io/apimachinery/pkg/util/validation</c>), for names we generate or accept.</summary>
public static class KubernetesNames
{
    /// <summary>The longest DNS label (RFC 1123): a namespace name, or one part of a host name.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>The longest DNS subdomain (RFC 1123): most object names, webhook names.</summary>
    public const int MaxSubdomainLength = 253;

    /// <summary>An RFC 1123 label, as namespace names are: lower-case letters, digits and '-', starting and ending
    /// with a letter or digit, at most 63 characters.</summary>
    public static bool IsDnsLabel(string? name) =>
        name is { Length: > 0 and <= MaxLabelLength } &&
        IsLowerAlphanumeric(name[0]) && IsLowerAlphanumeric(name[^1]) &&
        name.All(c => IsLowerAlphanumeric(c) || c == '-');

    /// <summary>An RFC 1035 label, as Service names are: an RFC 1123 label that starts with a letter.</summary>
    public static bool IsServiceName(string? name) => IsDnsLabel(name) && char.IsAsciiLetterLower(name![0]);

    /// <summary>An RFC 1123 subdomain: dot-separated labels, at most 253 characters in all.</summary>
    public static bool IsDnsSubdomain(string? name) =>
        name is { Length: > 0 and <= MaxSubdomainLength } &&
        name.Split('.').All(label => label.Length > 0 && IsLowerAlphanumeric(label[0]) && IsLowerAlphanumeric(label[^1]) &&
            label.All(c => IsLowerAlphanumeric(c) || c == '-'));

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}

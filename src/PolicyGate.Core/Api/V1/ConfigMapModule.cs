using System.Diagnostics.CodeAnalysis;

namespace PolicyGate.Core.Api.V1;

/// <summary>
/// A <c>configmap://NAMESPACE/NAME/KEY</c> module: the policy's script is the value of one key of a ConfigMap, read
/// from the cluster by <c>serve</c> and watched, so changing the ConfigMap changes the policy without a restart.
/// </summary>
public sealed record ConfigMapModule(string Namespace, string Name, string Key)
{
    public const string Scheme = "configmap://";

    /// <summary>Reads a module string; false with the reason when it is a configmap:// module that is malformed.</summary>
    public static bool TryParse(string module, [NotNullWhen(true)] out ConfigMapModule? parsed, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(module);
        parsed = null;
        var parts = module.StartsWith(Scheme, StringComparison.Ordinal) ? module[Scheme.Length..].Split('/') : [];
        if (parts.Length != 3)
        {
            error = $"\"{module}\" must be configmap://NAMESPACE/NAME/KEY";
            return false;
        }

        var (ns, name, key) = (parts[0], parts[1], parts[2]);
        if (!IsDnsLabel(ns))
        {
            error = $"\"{module}\": \"{ns}\" is not a namespace name (lower-case letters, digits and '-', at most 63 characters)";
        }
        else if (!IsDnsSubdomain(name))
        {
            error = $"\"{module}\": \"{name}\" is not a ConfigMap name (lower-case letters, digits, '-' and '.', at most 253 characters)";
        }
        else if (key.Length is 0 or > 253 || key is "." or ".." || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            error = $"\"{module}\": \"{key}\" is not a ConfigMap key (letters, digits, '-', '_' and '.', at most 253 characters)";
        }
        else
        {
            parsed = new ConfigMapModule(ns, name, key);
            error = null;
            return true;
        }

        return false;
    }

    public override string ToString() => $"{Scheme}{Namespace}/{Name}/{Key}";

    private static bool IsDnsLabel(string text) =>
        text.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1]) &&
        text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static bool IsDnsSubdomain(string text) =>
        text.Length is > 0 and <= 253 && text.Split('.').All(IsDnsLabel);
}

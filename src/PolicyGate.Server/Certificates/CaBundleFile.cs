using System.Diagnostics.CodeAnalysis;
using PolicyGate.Core.IO;
using PolicyGate.Kubernetes.Certificates;

namespace PolicyGate.Server.Certificates;

/// <summary>A caBundle read from a file (<c>ca.crt</c>, or a file holding its base64): one reader for
/// <c>webhook-config --ca-bundle</c> and for the CA beside serve's certificate.</summary>
public static class CaBundleFile
{
    /// <summary>The file's caBundle, or false with why not (unreadable, or not CA certificates).</summary>
    public static bool TryRead(string path, [NotNullWhen(true)] out string? caBundle, [NotNullWhen(false)] out string? error)
    {
        caBundle = null;
        if (!InputFile.TryReadText(path, out var text, out var readError))
        {
            error = $"{path}: {readError}";
            return false;
        }

        if (!CaBundle.TryRead(text, out caBundle, out var invalid))
        {
            error = $"{path} {invalid}";
            return false;
        }

        error = null;
        return true;
    }
}

using System.Globalization;

namespace PolicyGate.Core.Patch;

/// <summary>JSON Pointer (RFC 6901) helpers.</summary>
internal static class JsonPointer
{
    /// <summary>Escapes a reference token: <c>~</c> becomes <c>~0</c> and <c>/</c> becomes <c>~1</c>.</summary>
    public static string Escape(string token) =>
        token.AsSpan().IndexOfAny('~', '/') < 0
            ? token
            : token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Append(string pointer, string token) => pointer + "/" + Escape(token);

    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits a pointer into unescaped tokens; returns <c>null</c> with an error when it is malformed.</summary>
    public static string[]? TryParse(string pointer, out string? error)
    {
        error = null;
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            error = "a JSON pointer must be empty or start with '/'";
            return null;
        }

        var tokens = pointer[1..].Split('/');
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (!token.Contains('~', StringComparison.Ordinal))
            {
                continue;
            }

            for (var c = 0; c < token.Length; c++)
            {
                if (token[c] == '~' && (c + 1 >= token.Length || token[c + 1] is not ('0' or '1')))
                {
                    error = "'~' must be followed by '0' or '1' in a JSON pointer";
                    return null;
                }
            }

            tokens[i] = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        return tokens;
    }

    /// <summary>Parses an array index token: <c>0</c> or digits without a leading zero.</summary>
    public static bool TryParseIndex(string token, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0'))
        {
            return false;
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// The text of an exception, read without trusting it: a policy script's own exception type may throw from its
/// <see cref="Exception.Message"/>, or return something huge. What reaches a log line or an error stays one bounded line.
/// </summary>
public static class ExceptionText
{
    /// <summary>The most of a message kept; the rest is cut with a note of how much.</summary>
    public const int MaxLength = 2000;

    /// <summary>The exception's message, or a placeholder when reading it throws; at most <see cref="MaxLength"/> characters.</summary>
    public static string Message(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string? message;
        try
        {
            message = exception.Message;
        }
        catch (Exception)
        {
            // The message getter is foreign code: whatever it throws, the caller still gets a line.
            message = null;
        }

        return message is null ? "(its message could not be read)" : Truncate(message);
    }

    /// <summary>"TypeName: message", for errors that must say what was thrown.</summary>
    public static string Describe(Exception exception) => $"{exception.GetType().Name}: {Message(exception)}";

    /// <summary>The exception with its stack trace and inner exceptions, for a <c>--verbose</c> report.</summary>
    public static string WithStackTrace(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        try
        {
            return exception.ToString();
        }
        catch (Exception)
        {
            // ToString reads the message, which may throw: fall back to what can be read.
            return $"{Describe(exception)}{Environment.NewLine}{exception.StackTrace}";
        }
    }

    /// <summary>Cuts <paramref name="text"/> to <see cref="MaxLength"/> characters, saying how many were left out.</summary>
    public static string Truncate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= MaxLength ? text : $"{text[..MaxLength]}... ({text.Length - MaxLength} more characters)";
    }
}

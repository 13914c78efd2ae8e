namespace PolicyGate.Core.Evaluation;

/// <summary>A policy script failed while it ran; the message names the exception and, when known, the script line.</summary>
public sealed class PolicyRuntimeException : Exception
{
    public PolicyRuntimeException()
    {
    }

    public PolicyRuntimeException(string message)
        : base(message)
    {
    }

    public PolicyRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

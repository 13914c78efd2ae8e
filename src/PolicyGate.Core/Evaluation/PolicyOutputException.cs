namespace PolicyGate.Core.Evaluation;

/// <summary>A policy handed back more than <see cref="PolicyOutputLimits"/> allow: that policy's failure.</summary>
public sealed class PolicyOutputException : Exception
{
    public PolicyOutputException()
    {
    }

    public PolicyOutputException(string message)
        : base(message)
    {
    }

    public PolicyOutputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

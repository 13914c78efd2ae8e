namespace PolicyGate.Core.Kubernetes;

/// <summary>A policy tried to change an object it may only read.</summary>
public sealed class ReadOnlyModelException : InvalidOperationException
{
    public ReadOnlyModelException()
        : this("model")
    {
    }

    public ReadOnlyModelException(string typeName)
        : base($"this {typeName} is read-only: only a policy with spec.mutating: true may change the object " +
            "(and return Mutate(...)); to change a private copy, use Copy(...)")
    {
    }

    public ReadOnlyModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace PolicyGate.Core.Patch;

/// <summary>A JSON patch (RFC 6902) that is malformed or cannot be applied to the document.</summary>
public sealed class JsonPatchException : Exception
{
    public JsonPatchException()
    {
    }

    public JsonPatchException(string message)
        : base(message)
    {
    }

    public JsonPatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for operation <paramref name="operationIndex"/> of a patch.</summary>
    /// <param name="operationIndex">0-based index of the failing operation.</param>
    /// <param name="operation">Its <c>op</c>, if known.</param>
    /// <param name="path">Its <c>path</c>, if known.</param>
    /// <param name="detail">What went wrong.</param>
    public JsonPatchException(int operationIndex, string? operation, string? path, string detail)
        : base($"JSON patch operation {operationIndex} ({operation ?? "?"} \"{path}\"): {detail}")
    {
        OperationIndex = operationIndex;
        Path = path;
    }

    /// <summary>0-based index of the failing operation in the patch, or -1.</summary>
    public int OperationIndex { get; } = -1;

    /// <summary>The failing operation's <c>path</c>, if known.</summary>
    public string? Path { get; }
}

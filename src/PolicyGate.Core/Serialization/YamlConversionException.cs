using YamlDotNet.Core;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// A document that YAML parses but that cannot become JSON (non-scalar key, duplicate key, <c>.inf</c>, ...).
/// The parser itself is still usable, so conversion goes on with the next document.
/// </summary>
internal sealed class YamlConversionException : Exception
{
    public YamlConversionException()
    {
    }

    public YamlConversionException(string message)
        : base(message)
    {
    }

    public YamlConversionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public YamlConversionException(Mark mark, string message)
        : base(message)
    {
        Mark = mark;
    }

    public Mark Mark { get; } = Mark.Empty;
}

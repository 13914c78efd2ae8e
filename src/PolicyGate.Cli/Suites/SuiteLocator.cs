using PolicyGate.Core.Serialization;

namespace PolicyGate.Cli.Suites;

/// <summary>Makes errors about the fields of one suite file, at the line and column each field is written on.</summary>
internal sealed class SuiteLocator(string file, YamlPositions? positions)
{
    public string File => file;

    public SuiteError Error(string field, string message, string? caseName = null)
    {
        var position = positions?.Find(field);
        return new SuiteError(file, position?.Line, position?.Column, caseName, field, message);
    }
}

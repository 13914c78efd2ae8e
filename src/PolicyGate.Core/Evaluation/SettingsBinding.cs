namespace PolicyGate.Core.Evaluation;

/// <summary>The result of binding a policy's settings: the bound object, or every problem found.</summary>
public sealed record SettingsBinding(object? Settings, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static SettingsBinding Success(object? settings) => new(settings, []);

    public static SettingsBinding Failure(IReadOnlyList<string> errors) => new(null, errors);
}

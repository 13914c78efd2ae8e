namespace PolicyGate.Core.Evaluation;

/// <summary>
/// The result of binding a policy's settings when it loads: how to make a fresh instance of the checked settings
/// (one per evaluation, so that no evaluation's changes reach another), or every problem found.
/// </summary>
/// <param name="CreateSettings">Binds the settings again; null when the script declares no settings type.</param>
public sealed record SettingsBinding(Func<object?>? CreateSettings, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static SettingsBinding Success(Func<object?>? createSettings) => new(createSettings, []);

    public static SettingsBinding Failure(IReadOnlyList<string> errors) => new(null, errors);
}

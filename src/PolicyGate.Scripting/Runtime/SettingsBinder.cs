using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Sandbox;

namespace PolicyGate.Scripting.Runtime;

/// <summary>
/// Binds a policy's <c>settings</c> to the <c>Settings</c> type its script declares, when the policy loads: unknown
/// settings, wrong types and missing required values are reported by setting name, and a
/// <c>IEnumerable&lt;string&gt; Validate()</c> method on the type adds the script's own checks.
/// The serializer options belong to this binder so that nothing outside the script's load context keeps its types.
/// </summary>
internal sealed class SettingsBinder
{
    /// <summary>The most problems read from a Validate() method: one that never stops yielding is cut short.</summary>
    internal const int MaxValidationProblems = 50;

    /// <summary>The largest settings (as JSON) copied from a template per evaluation rather than deserialized.</summary>
    internal const int MaxCopiedBytes = 64 * 1024;

    private readonly JsonSerializerOptions _options;
    private readonly Dictionary<string, string> _known;
    private readonly MethodInfo? _validate;

    public SettingsBinder(Type type)
    {
        Type = type;
        _options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectRequiredConstructorParameters = true,
            RespectNullableAnnotations = true,
            IncludeFields = false,
            Converters = { new JsonStringEnumConverter() },
        };
        _known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0)
            {
                // Two properties with one JSON name (Foo and foo) are the serializer's error to report, at binding.
                _known.TryAdd(JsonNamingPolicy.CamelCase.ConvertName(property.Name), property.Name);
            }
        }
        _validate = type.GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (_validate is not null && !typeof(IEnumerable<string>).IsAssignableFrom(_validate.ReturnType))
        {
            _validate = null;
        }
    }

    public Type Type { get; }

    /// <param name="timeBudget">
    /// Binding runs the script's own code (constructors, setters, Validate), so it runs under a budget like an
    /// evaluation: a Validate() that never returns is stopped and reported, not waited for.
    /// </param>
    public SettingsBinding Bind(JsonObject? settings, TimeSpan timeBudget)
    {
        settings ??= [];

        // The settings are written out as JSON text before the budget starts: that is PolicyGate's work, not the
        // script's, and the writer's buffers come from a shared pool, so what it allocates depends on what the process
        // did before. Counted against the script's memory budget, a large setting passed or failed by that history.
        byte[] utf8;
        try
        {
            utf8 = JsonSerializer.SerializeToUtf8Bytes(settings, _options);
        }
        catch (JsonException ex)
        {
            return SettingsBinding.Failure([Explain(ex)]);
        }
        catch (InvalidOperationException ex)
        {
            return SettingsBinding.Failure([$"settings: {ExceptionText.Message(ex)}"]); // nested past the writer's depth
        }

        using var budget = ScriptBudget.Start(timeBudget);
        SettingsBinding binding;
        try
        {
            binding = Bind(settings, utf8);
        }
        catch (Exception) when (budget.Stopped != BudgetStop.None)
        {
            return Stopped(budget);
        }

        // Checked after a normal return too: the stop may have been caught and reported as a bad setting on the way.
        return budget.Stopped == BudgetStop.None ? binding : Stopped(budget);
    }

    private static SettingsBinding Stopped(ScriptBudget budget) =>
        SettingsBinding.Failure([$"the script's Settings code was stopped: {budget.Explain()}"]);

    private SettingsBinding Bind(JsonObject settings, byte[] utf8)
    {
        var errors = new List<string>();
        foreach (var (key, _) in settings)
        {
            if (!_known.ContainsKey(key))
            {
                var known = _known.Count == 0 ? "this policy takes no settings" : "known settings: " + string.Join(", ", _known.Keys.Order(StringComparer.Ordinal));
                errors.Add($"setting '{key}' is unknown ({known})");
            }
        }

        if (errors.Count > 0)
        {
            return SettingsBinding.Failure(errors);
        }

        object? bound;
        try
        {
            bound = JsonSerializer.Deserialize(utf8, Type, _options);
        }
        catch (JsonException ex)
        {
            return SettingsBinding.Failure([Explain(ex)]);
        }
        catch (Exception ex)
        {
            // The script's own code runs here (constructors, setters, static initialisers): whatever it throws is a
            // rejected setting, never the loader's crash. A stop by the budget is reported by the caller.
            return SettingsBinding.Failure([$"settings rejected by the script's Settings type: {ExceptionText.Describe(Unwrap(ex))}"]);
        }

        if (bound is null)
        {
            return SettingsBinding.Failure(["settings must be an object"]);
        }

        if (_validate is not null)
        {
            try
            {
                // Enumerated here, inside the try: a Validate() written with yield return runs only now.
                if (_validate.Invoke(bound, null) is IEnumerable problems)
                {
                    foreach (var problem in problems)
                    {
                        if (errors.Count == MaxValidationProblems)
                        {
                            errors.Add($"... Validate() reported more than {MaxValidationProblems} problems; the rest are not shown");
                            break;
                        }

                        if (problem is string text)
                        {
                            errors.Add(ExceptionText.Truncate(text));
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                errors.Add($"settings validation failed: {ExceptionText.Describe(Unwrap(ex))}");
            }
        }

        // Valid: every evaluation gets an instance of its own (made inside its budget, since the script's constructor and
        // setters run), so that nothing one request writes into its settings reaches the next.
        return errors.Count > 0 ? SettingsBinding.Failure(errors) : SettingsBinding.Success(PerEvaluation(utf8));
    }

    /// <summary>
    /// How each evaluation gets its own instance: a copy of a pristine template (one no Validate() and no request has
    /// seen) when <see cref="SettingsCopier"/> can copy it and the copy serializes exactly as the template does; otherwise
    /// the settings deserialized afresh, about ten times slower. Settings over <see cref="MaxCopiedBytes"/> are always
    /// deserialized: checking a copy costs a few times their size, inside the script's memory budget.
    /// </summary>
    private Func<object?> PerEvaluation(byte[] utf8)
    {
        object? Deserialize() => JsonSerializer.Deserialize(utf8, Type, _options);
        try
        {
            if (utf8.Length <= MaxCopiedBytes && Deserialize() is { } template && SettingsCopier.TryCreate(template) is { } copier
                && JsonSerializer.SerializeToUtf8Bytes(copier.Copy(), Type, _options).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(template, Type, _options)))
            {
                return copier.Copy;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The script's getters or setters threw while copying: deserialize per evaluation, as without a copier. A stop
            // by the budget is reported by the caller.
        }

        return Deserialize;
    }

    private static Exception Unwrap(Exception ex) => ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;

    private static string Explain(JsonException ex)
    {
        var path = ex.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : ex.Path?.TrimStart('$', '.');
        var message = ex.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        message = message
            .Replace("System.String", "string", StringComparison.Ordinal)
            .Replace("System.Int32", "int", StringComparison.Ordinal)
            .Replace("System.Int64", "long", StringComparison.Ordinal)
            .Replace("System.Boolean", "bool", StringComparison.Ordinal)
            .Replace("Submission#0+", "", StringComparison.Ordinal);
        return string.IsNullOrEmpty(path) ? $"settings: {message}" : $"setting '{path}': {message}";
    }
}

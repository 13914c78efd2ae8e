using System.Text.Json.Nodes;
using PolicyGate.Cli.Tests;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>What every <c>policygate</c> run must satisfy, whatever its input: the oracle shared by the CLI surfaces.</summary>
internal static class CliChecks
{
    /// <summary>Exit 0, 1 or 2, and no sign of an exception that got out (an internal error is a bug found).</summary>
    public static void Common(CliOutput output, List<string> problems)
    {
        if (output.ExitCode is not (0 or 1 or 2))
        {
            problems.Add($"exit code {output.ExitCode}, not 0, 1 or 2");
        }

        foreach (var (stream, text) in new[] { ("stdout", output.Out), ("stderr", output.Error) })
        {
            if (text.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{stream} shows an unhandled exception: {Excerpt(text, "Unhandled exception")}");
            }

            if (text.Contains("internal error", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{stream} reports an internal error (a bug): {Excerpt(text, "internal error")}");
            }
        }
    }

    /// <summary>On exit 2, stderr has <c>error:</c> lines and each names <paramref name="path"/> (as <c>path:</c>, or <c>path#N</c> for a document).</summary>
    public static void ErrorsNameFile(CliOutput output, string path, List<string> problems)
    {
        if (output.ExitCode != 2)
        {
            return;
        }

        var errors = ErrorLines(output.Error).ToList();
        if (errors.Count == 0)
        {
            problems.Add($"exit 2 without an 'error:' line on stderr; stderr: {Excerpt(output.Error, "")}");
        }

        foreach (var line in errors.Where(l => !l.Contains(path + ":", StringComparison.Ordinal) && !l.Contains(path + "#", StringComparison.Ordinal)))
        {
            problems.Add($"an error does not name the input file {Path.GetFileName(path)}: {Excerpt(line, "")}");
        }
    }

    public static IEnumerable<string> ErrorLines(string stderr) =>
        stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal));

    /// <summary>
    /// dry-run's JSON report: <c>results</c>, <c>answers</c> and <c>errors</c> arrays, an exit code that agrees with them
    /// (2 with errors, else 1 with a denial, else 0). Null (and a problem) when stdout is not that.
    /// </summary>
    public static JsonObject? DryRunReport(CliOutput output, List<string> problems)
    {
        JsonObject? report;
        try
        {
            report = JsonNode.Parse(output.Out) as JsonObject;
        }
        catch (System.Text.Json.JsonException ex)
        {
            problems.Add($"stdout is not JSON ({ex.Message}): {Excerpt(output.Out, "")}");
            return null;
        }

        if (report?["results"] is not JsonArray || report["answers"] is not JsonArray answers || report["errors"] is not JsonArray errors)
        {
            problems.Add($"stdout lacks the results, answers and errors arrays: {Excerpt(output.Out, "")}");
            return null;
        }

        var expected = errors.Count > 0 ? 2 : answers.Any(a => a?["allowed"]?.GetValue<bool>() == false) ? 1 : 0;
        if (output.ExitCode != expected)
        {
            problems.Add($"exit code {output.ExitCode}, but the report ({errors.Count} error(s)) says {expected}");
        }

        return report;
    }

    /// <summary>On exit 2 the report has errors, and every one's source names <paramref name="path"/> (with <c>#N</c> unless the whole file failed).</summary>
    public static void ReportErrorsNameFile(CliOutput output, JsonObject report, string path, List<string> problems)
    {
        var errors = report["errors"]!.AsArray();
        if (output.ExitCode == 2 && errors.Count == 0)
        {
            problems.Add("exit 2 with no errors in the report");
        }

        foreach (var error in errors)
        {
            var source = error?["source"]?.GetValue<string>() ?? "";
            var message = error?["message"]?.GetValue<string>() ?? "";
            if (!source.StartsWith(path, StringComparison.Ordinal))
            {
                problems.Add($"an error's source \"{source}\" does not name the input file {Path.GetFileName(path)}: {message}");
            }
            else if (source != path && !source.StartsWith(path + "#", StringComparison.Ordinal))
            {
                problems.Add($"an error's source \"{source}\" is neither the file nor file#N: {message}");
            }

            if (string.IsNullOrWhiteSpace(message))
            {
                problems.Add($"an error from {source} has no message");
            }
        }
    }

    /// <summary>
    /// <c>run</c>'s answer on exit 0 or 1: an AdmissionReview whose response echoes <paramref name="uid"/> and whose
    /// <c>allowed</c> agrees with the exit code.
    /// </summary>
    public static void ReviewAnswer(CliOutput output, string uid, List<string> problems)
    {
        JsonNode? response;
        try
        {
            response = JsonNode.Parse(output.Out)?["response"];
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            problems.Add($"exit {output.ExitCode} but stdout is not an AdmissionReview ({ex.Message}): {Excerpt(output.Out, "")}");
            return;
        }

        if (response?["uid"]?.ToString() != uid)
        {
            problems.Add($"the response's uid is not the request's {uid}: {Excerpt(output.Out, "")}");
        }

        if (response?["allowed"] is not JsonValue allowed || !allowed.TryGetValue<bool>(out var isAllowed) || (isAllowed ? 0 : 1) != output.ExitCode)
        {
            problems.Add($"exit {output.ExitCode} does not agree with the response's allowed: {Excerpt(output.Out, "")}");
        }
    }

    /// <summary>Up to 300 characters of <paramref name="text"/> around <paramref name="near"/>.</summary>
    public static string Excerpt(string text, string near)
    {
        var at = near.Length == 0 ? 0 : Math.Max(0, text.IndexOf(near, StringComparison.OrdinalIgnoreCase) - 100);
        var part = text.Substring(at, Math.Min(300, text.Length - at));
        return System.Text.Json.JsonSerializer.Serialize(part) + (text.Length - at > 300 ? "..." : "");
    }
}

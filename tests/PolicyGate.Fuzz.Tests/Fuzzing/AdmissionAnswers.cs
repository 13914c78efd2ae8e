using System.Text.Json.Nodes;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>What <c>serve</c> must answer to any body POSTed to an admission path: 200 with an AdmissionReview response,
/// or 400/413 with the documented error body; never 500 or anything else.</summary>
internal static class AdmissionAnswers
{
    /// <summary>Adds to <paramref name="problems"/> what is wrong with the answer <paramref name="body"/> (status
    /// <paramref name="status"/>) to <paramref name="request"/> POSTed to <paramref name="path"/>.</summary>
    public static void Check(byte[] request, string path, int status, string body, List<string> problems)
    {
        switch (status)
        {
            case 400 or 413:
                ErrorBody(status, body, problems);
                break;
            case 200:
                AdmissionAnswer(request, path, body, problems);
                break;
            default:
                problems.Add($"status {status}, not 200, 400 or 413: {CliChecks.Excerpt(body, "")}");
                break;
        }
    }

    /// <summary>A rejected body: <c>{"error": {"code": STATUS, "message": "..."}}</c>.</summary>
    private static void ErrorBody(int status, string body, List<string> problems)
    {
        try
        {
            var error = JsonNode.Parse(body)?["error"];
            if (error?["code"] is not JsonValue code || !code.TryGetValue<int>(out var c) || c != status ||
                error["message"] is not JsonValue message || !message.TryGetValue<string>(out var text) || string.IsNullOrWhiteSpace(text))
            {
                problems.Add($"status {status} without the error body {{\"error\": {{\"code\": {status}, \"message\"}}}}: {CliChecks.Excerpt(body, "")}");
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            problems.Add($"status {status} with a body that is not JSON ({ex.Message}): {CliChecks.Excerpt(body, "")}");
        }
    }

    /// <summary>An accepted body: an AdmissionReview response that echoes the request's uid (and carries no patch from /validate).</summary>
    private static void AdmissionAnswer(byte[] request, string path, string body, List<string> problems)
    {
        var uid = ReviewUid.Of(request);
        if (uid is null)
        {
            problems.Add($"200 for a body that has no request.uid: {CliChecks.Excerpt(body, "")}");
            return;
        }

        try
        {
            var answer = JsonNode.Parse(body);
            var response = answer?["response"];
            if (answer?["kind"]?.ToString() != "AdmissionReview" || response?["uid"]?.ToString() != uid ||
                response["allowed"] is not JsonValue allowed || !allowed.TryGetValue<bool>(out _))
            {
                problems.Add($"200 without an AdmissionReview response for uid {CliChecks.Excerpt(uid, "")}: {CliChecks.Excerpt(body, "")}");
            }
            else if (path.StartsWith("/validate", StringComparison.Ordinal) && response["patch"] is not null)
            {
                problems.Add($"a patch from {path}: {CliChecks.Excerpt(body, "")}");
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            problems.Add($"200 with a body that is not JSON ({ex.Message}): {CliChecks.Excerpt(body, "")}");
        }
    }
}

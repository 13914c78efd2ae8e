using System.CommandLine;
using System.Text.Json;
using PolicyGate.Cli.Commands;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.IO;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Cli.Run;

/// <summary>
/// <c>policygate run --policy PATH --request PATH</c>: evaluates a full AdmissionReview and prints the
/// AdmissionReview response the webhook would send.
/// </summary>
internal static class RunCommand
{
    private static readonly JsonSerializerOptions Indented = new(AdmissionJson.Options) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliConsole console)
    {
        var policies = new Option<string[]>("--policy", "-p")
        {
            Description = "Policy files or folders; every policy in them is evaluated.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var request = new Option<string>("--request", "-r")
        {
            Description = "An AdmissionReview (admission.k8s.io/v1) JSON file, or '-' for stdin.",
            Required = true,
        };
        var isolation = IsolationOption.Create();
        var command = new Command("run", "Evaluate one AdmissionReview and print the response the webhook would send.\n" + ExitCodes.Help)
        {
            policies, request, isolation,
        };
        command.SetAction(parse => Execute(parse.GetValue(policies)!, parse.GetValue(request)!, parse.GetValue(isolation) == IsolationOption.Process, console));
        return command;
    }

    private static int Execute(string[] policyPaths, string requestPath, bool isolateAll, CliConsole console)
    {
        using var review = ReadReview(requestPath, console, out var readError);
        if (review is null)
        {
            console.Error.WriteLine($"error: {requestPath}: {readError}");
            return ExitCodes.InputError;
        }

        var request = review.Request;
        foreach (var (field, obj) in new[] { ("request.object", request.Object), ("request.oldObject", request.OldObject) })
        {
            if (obj is { } element && ObjectSchema.FindTypeError(element, request.Kind) is { } typeError)
            {
                console.Error.WriteLine($"error: {requestPath}: {field}: {typeError} (the API server would refuse this object)");
                return ExitCodes.InputError;
            }
        }

        using var loading = new PolicyLoading(CompileCacheLocation.Resolve(), isolateAll);
        if (StrictPolicyLoad.Load(policyPaths, loading, console) is not { } policies)
        {
            return ExitCodes.InputError;
        }

        var outcome = AdmissionEvaluator.Review(policies, request, _ => null);
        var answer = new AdmissionReview
        {
            ApiVersion = review.Review.ApiVersion,
            Kind = AdmissionReview.KindName,
            Response = outcome.Response,
        };
        console.Out.WriteLine(JsonSerializer.Serialize(answer, Indented));
        return outcome.Response.Allowed ? ExitCodes.Success : ExitCodes.Denied;
    }

    private static AdmissionReviewDocument? ReadReview(string path, CliConsole console, out string? error)
    {
        byte[]? json;
        if (path == "-")
        {
            json = System.Text.Encoding.UTF8.GetBytes(console.In.ReadToEnd());
        }
        else if (!InputFile.TryReadBytes(path, out json, out var readError))
        {
            error = $"cannot read the request: {readError}";
            return null;
        }

        return AdmissionReviewDocument.TryParse(json, out var review, out error) ? review : null;
    }
}

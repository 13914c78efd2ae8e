using System.Text.Json.Serialization;

namespace PolicyGate.Server.Admission;

/// <summary>The one JSON body of every rejected HTTP request: <c>{"error": {"code": 400, "message": "..."}}</c>.</summary>
internal sealed record ApiError([property: JsonPropertyName("error")] ApiErrorDetail Error)
{
    /// <summary>Messages quote names: keep the quotes readable instead of escaping them.</summary>
    public static System.Text.Json.JsonSerializerOptions JsonOptions { get; } = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static ApiError Of(int code, string message) => new(new ApiErrorDetail(code, message));
}

internal sealed record ApiErrorDetail([property: JsonPropertyName("code")] int Code, [property: JsonPropertyName("message")] string Message);

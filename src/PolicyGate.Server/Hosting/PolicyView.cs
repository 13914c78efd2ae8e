using System.Text.Json.Serialization;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Registry;
using PolicyGate.Scripting.Isolation;

namespace PolicyGate.Server.Hosting;

/// <summary>One policy in <c>GET /policies</c>: its status, where it runs, and its worker process when it has one.</summary>
internal sealed record PolicyView(
    [property: JsonIgnore] PolicyStatus Status,
    [property: JsonPropertyOrder(1)] string Isolation,
    [property: JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WorkerState? Worker)
{
    public string Name => Status.Name;

    public string Source => Status.Source;

    public string? Hash => Status.Hash;

    public PolicyMode? Mode => Status.Mode;

    public PolicyState State => Status.State;

    public bool Serving => Status.Serving;

    public string? LastError => Status.LastError;

    public DateTimeOffset ChangedAt => Status.ChangedAt;
}

using System.Text.Json.Nodes;

namespace PolicyGate.Scripting.Tests.TestSupport;

/// <summary>Puts a pod spec where each pod controller keeps it, so one case can be checked on every kind.</summary>
internal static class Workloads
{
    public static readonly string[] Kinds =
        ["Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"];

    public static TheoryData<string> AllKinds()
    {
        var data = new TheoryData<string>();
        foreach (var kind in Kinds)
        {
            data.Add(kind);
        }

        return data;
    }

    /// <summary>The JSON path of the pod spec inside a <paramref name="kind"/>, as a JSON Pointer.</summary>
    public static string PodSpecPointer(string kind) => kind switch
    {
        "Pod" => "/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    };

    public static JsonObject Wrap(string kind, string podSpecJson, string? labelsJson = null)
    {
        var spec = JsonNode.Parse(podSpecJson)!.AsObject();
        var labels = labelsJson is null ? null : JsonNode.Parse(labelsJson);
        var metadata = new JsonObject { ["name"] = kind.ToLowerInvariant() + "-1", ["namespace"] = "team-a" };
        if (labels is not null)
        {
            metadata["labels"] = labels;
        }

        var apiVersion = kind switch
        {
            "Pod" or "ReplicationController" => "v1",
            "Job" or "CronJob" => "batch/v1",
            _ => "apps/v1",
        };
        // A node has one parent: a Pod's spec is the body itself, so the template is only made for the controllers.
        JsonObject Template() => new() { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "x" } }, ["spec"] = spec };
        JsonObject body = kind switch
        {
            "Pod" => spec,
            "CronJob" => new JsonObject
            {
                ["schedule"] = "*/5 * * * *",
                ["jobTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = Template() } },
            },
            "Job" => new JsonObject { ["template"] = Template() },
            _ => new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "x" } }, ["template"] = Template() },
        };
        return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata, ["spec"] = body };
    }
}

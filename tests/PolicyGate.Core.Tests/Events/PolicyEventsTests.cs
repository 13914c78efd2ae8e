using System.Text;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Events;

namespace PolicyGate.Core.Tests.Events;

public class PolicyEventsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static readonly PolicyResource Cluster = new(PolicyKind.ClusterAdmissionPolicy, "no-root", null, new PolicySpec(), "p.yaml#1");

    private static readonly PolicyResource Tenant = new(PolicyKind.AdmissionPolicy, "team-label", "shop", new PolicySpec(), "p.yaml#2");

    private static PolicyResource? Find(string name) => name switch
    {
        "no-root" => Cluster,
        "shop/team-label" => Tenant,
        _ => null,
    };

    private static AdmissionRequest Request(string objectJson, string? name = "web", bool dryRun = false, string ns = "shop", string operation = "CREATE")
    {
        var nameField = name is null ? "" : $"\"name\":\"{name}\",";
        var objectField = operation == "DELETE" ? "oldObject" : "object";
        var review =
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\"," +
            "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"}," +
            $"{nameField}\"namespace\":\"{ns}\",\"operation\":\"{operation}\",\"userInfo\":{{\"username\":\"alice\"}}," +
            $"\"{objectField}\":{objectJson},\"dryRun\":{(dryRun ? "true" : "false")}}}}}";
        Assert.True(AdmissionReviewDocument.TryParse(Encoding.UTF8.GetBytes(review), out var document, out var error), error);
        return document!.Request;
    }

    private static PolicyDecision Decision(string policy, DecisionOutcome outcome, bool allowed, string? message, PolicyMode mode = PolicyMode.Protect) =>
        new(policy, mode, outcome, allowed, message, [], null, null);

    [Fact]
    public void From_DenialMonitorViolationAndMutation_OneEventEachAboutTheObject()
    {
        var request = Request("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","uid":"pod-uid"}}""");
        var decisions = new[]
        {
            Decision("no-root", DecisionOutcome.Denied, allowed: false, "must not run as root"),
            Decision("shop/team-label", DecisionOutcome.Denied, allowed: true, "needs a team label", PolicyMode.Monitor),
            Decision("no-root", DecisionOutcome.Mutated, allowed: true, null),
            Decision("no-root", DecisionOutcome.Allowed, allowed: true, null),
        };

        var events = PolicyEvents.From(request, decisions, Find, Now);

        Assert.Equal([PolicyEventAction.Denied, PolicyEventAction.Audited, PolicyEventAction.Mutated], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(new EventSubject("v1", "Pod", "shop", "web", "pod-uid"), e.Regarding));
        Assert.All(events, e => Assert.Equal("shop", e.Namespace));
        Assert.Equal(["must not run as root", "needs a team label", "policy no-root changed the object"], events.Select(e => e.Note));
        Assert.Equal(new EventSubject("policygate.io/v1", "ClusterAdmissionPolicy", null, "no-root", null), events[0].PolicySubject);
        Assert.Equal("default", events[0].PolicyEventNamespace);
        Assert.Equal("shop", events[1].PolicyEventNamespace);
    }

    [Fact]
    public void From_FailureUnderFail_IsADenialEvent_UnderIgnore_None()
    {
        var request = Request("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"}}""");

        var events = PolicyEvents.From(request, [
            Decision("no-root", DecisionOutcome.Failed, allowed: false, "policy no-root failed: boom"),
            Decision("shop/team-label", DecisionOutcome.Failed, allowed: true, "policy failed, ignored"),
        ], Find, Now);

        Assert.Equal("policy no-root failed: boom", Assert.Single(events).Note);
    }

    [Fact]
    public void From_DryRunRequest_NoEvents()
    {
        var request = Request("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"}}""", dryRun: true);

        Assert.Empty(PolicyEvents.From(request, [Decision("no-root", DecisionOutcome.Denied, allowed: false, "no")], Find, Now));
    }

    [Fact]
    public void Regarding_PodWithOnlyAGenerateName_ItsControllingOwner()
    {
        var request = Request("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-7d9f-","namespace":"shop","ownerReferences":[
              {"apiVersion":"v1","kind":"ConfigMap","name":"not-the-controller","uid":"x"},
              {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d9f","uid":"rs-uid","controller":true}]}}
            """, name: null);

        Assert.Equal(new EventSubject("apps/v1", "ReplicaSet", "shop", "web-7d9f", "rs-uid"), PolicyEvents.Regarding(request));
    }

    [Fact]
    public void Regarding_NoNameAndNoController_ItsNamespace()
    {
        var request = Request("""{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"job-"}}""", name: null);

        Assert.Equal(new EventSubject("v1", "Namespace", null, "shop", null), PolicyEvents.Regarding(request));
    }

    [Fact]
    public void Regarding_Delete_TheOldObject()
    {
        var request = Request("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","uid":"old-uid"}}""", operation: "DELETE");

        Assert.Equal("old-uid", PolicyEvents.Regarding(request)!.Uid);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Tests.Sandbox;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Runtime;

/// <summary>
/// Scripts read any kind typed through KubernetesClient's models: <c>ObjectAs&lt;k8s.Models.V1Service&gt;()</c> and
/// friends, read with KubernetesClient's JSON rules, each evaluation with its own copy.
/// </summary>
public sealed class KubernetesClientModelsTests
{
    private const string Service = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"shop","namespace":"web","labels":{"app":"shop"}},
         "spec":{"type":"LoadBalancer","selector":{"app":"shop"},
                 "ports":[{"name":"http","port":80,"targetPort":"http"},{"name":"admin","port":9000,"targetPort":8080}]}}
        """;

    private static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    private static PolicyDecision Decide(string script, string manifest, string operation = "CREATE") =>
        TestPolicies.Decide(TestPolicies.Single(AllowListTests.InlinePolicy(script)), Json(manifest), operation);

    [Fact]
    public void ObjectAs_V1Service_ReadsTypeAndIntOrStringTargetPorts()
    {
        var decision = Decide("""
            using k8s.Models;
            var svc = ObjectAs<V1Service>()!;
            var ports = svc.Spec.Ports.Select(p => $"{p.Port}->{p.TargetPort.Value}");
            return Deny($"{svc.Spec.Type} {svc.Metadata.Labels["app"]} {string.Join(",", ports)} {svc.Spec.Ports[1].TargetPort.ToInt() + 1}");
            """, Service);

        Assert.Equal("LoadBalancer shop 80->http,9000->8080 8081", decision.Message);
    }

    [Fact]
    public void ObjectAs_V1Ingress_ReadsRulesAndBackendPortFullyQualified()
    {
        var decision = Decide("""
            var ing = ObjectAs<k8s.Models.V1Ingress>()!;
            var rule = ing.Spec.Rules[0];
            var backend = rule.Http.Paths[0].Backend.Service;
            return Deny($"{ing.Spec.IngressClassName} {rule.Host} {rule.Http.Paths[0].PathType} {backend.Name}:{backend.Port.Number} tls={ing.Spec.Tls?.Count ?? 0}");
            """, """
            {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"web"},
             "spec":{"ingressClassName":"nginx","rules":[{"host":"shop.example.com","http":{"paths":[
               {"path":"/","pathType":"Prefix","backend":{"service":{"name":"shop","port":{"number":80}}}}]}}]}}
            """);

        Assert.Equal("nginx shop.example.com Prefix shop:80 tls=0", decision.Message);
    }

    [Fact]
    public void ObjectAs_V1RoleBinding_ReadsRoleRefAndSubjects()
    {
        var decision = Decide("""
            using k8s.Models;
            var binding = ObjectAs<V1RoleBinding>()!;
            var subjects = string.Join(",", binding.Subjects.Select(s => $"{s.Kind}/{s.Name}"));
            return binding.RoleRef.Name == "cluster-admin" ? Deny($"{binding.RoleRef.Kind} {binding.RoleRef.Name} to {subjects}") : Allow();
            """, """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"ops","namespace":"web"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
             "subjects":[{"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"},{"kind":"ServiceAccount","name":"ci","namespace":"web"}]}
            """);

        Assert.Equal("ClusterRole cluster-admin to User/alice,ServiceAccount/ci", decision.Message);
    }

    [Fact]
    public void ObjectAs_K8sPersistentVolumeClaim_ReadsQuantitiesAndDates()
    {
        var decision = Decide("""
            var pvc = ObjectAs<k8s.Models.V1PersistentVolumeClaim>()!;
            var storage = pvc.Spec.Resources.Requests["storage"];
            return Deny($"{storage} {storage.ToDecimal()} {pvc.Metadata.CreationTimestamp:yyyy-MM-dd HH:mm:ss}");
            """, """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"web","creationTimestamp":"2026-03-01T10:20:30Z"},
             "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1.5Gi"}}}}
            """);

        Assert.Equal("1536Mi 1610612736 2026-03-01 10:20:30", decision.Message);
    }

    [Fact]
    public void OldObjectAs_Update_ReadsTheObjectBeforeTheChange()
    {
        var request = AdmissionRequestFactory.Create(Json(Service), "test", "UPDATE") with
        {
            OldObject = JsonSerializer.SerializeToElement(Json(Service.Replace("LoadBalancer", "ClusterIP", StringComparison.Ordinal))),
        };
        var policy = TestPolicies.Single(AllowListTests.InlinePolicy("""
            var now = ObjectAs<k8s.Models.V1Service>()!;
            var before = OldObjectAs<k8s.Models.V1Service>()!;
            return now.Spec.Type != before.Spec.Type ? Deny($"{Operation}: {before.Spec.Type} -> {now.Spec.Type}") : Allow();
            """));

        var decision = PolicyEvaluator.Decide(policy, request);

        Assert.Equal("UPDATE: ClusterIP -> LoadBalancer", decision.Message);
    }

    [Fact]
    public void ObjectAs_Delete_IsNullAndOldObjectAsIsTheObject()
    {
        var decision = Decide("""
            var svc = ObjectAs<k8s.Models.V1Service>();
            return Deny($"{svc is null} {OldObjectAs<k8s.Models.V1Service>()?.Metadata.Name}");
            """, Service, "DELETE");

        Assert.Equal("True shop", decision.Message);
    }

    [Fact]
    public void ObjectAs_PolicyChangesItsCopy_TheNextPolicySeesTheOriginal()
    {
        var changer = TestPolicies.Single(AllowListTests.InlinePolicy("""
            var svc = ObjectAs<k8s.Models.V1Service>()!;
            svc.Spec.Type = "ClusterIP";
            svc.Spec.Ports.Clear();
            svc.Metadata.Labels["app"] = "changed";
            return ReferenceEquals(svc, ObjectAs<k8s.Models.V1Service>()) && ObjectAs<k8s.Models.V1Service>()!.Spec.Type == "ClusterIP"
                ? Allow() : Deny("ObjectAs gave another instance within one evaluation");
            """).Replace("name: inline", "name: a-changer", StringComparison.Ordinal));
        var reader = TestPolicies.Single(AllowListTests.InlinePolicy("""
            var svc = ObjectAs<k8s.Models.V1Service>()!;
            return Deny($"{svc.Spec.Type} {svc.Spec.Ports.Count} {svc.Metadata.Labels["app"]}");
            """).Replace("name: inline", "name: b-reader", StringComparison.Ordinal));

        var decisions = TestPolicies.Evaluate([changer, reader], Json(Service));

        Assert.True(decisions.Single(d => d.Policy == "a-changer").Allowed);
        Assert.Equal("LoadBalancer 2 shop", decisions.Single(d => d.Policy == "b-reader").Message);
    }

    [Fact]
    public void Mutate_K8sService_WritesKubernetesClientJson()
    {
        var policy = TestPolicies.Single(AllowListTests.InlinePolicy("""
            var svc = ObjectAs<k8s.Models.V1Service>()!;
            svc.Spec.Type = "ClusterIP";
            return Mutate(svc);
            """).Replace("spec:\n", "spec:\n  mutating: true\n", StringComparison.Ordinal));

        var decision = TestPolicies.Decide(policy, Json(Service));

        Assert.True(decision.Allowed, decision.Message);
        var spec = decision.MutatedObject!["spec"]!;
        Assert.Equal("ClusterIP", (string?)spec["type"]);
        Assert.Equal("http", (string?)spec["ports"]![0]!["targetPort"]); // IntOrString stays a string...
        Assert.Equal(8080, (int?)spec["ports"]![1]!["targetPort"]); // ...or a number
    }

    [Fact]
    public void ObjectAs_ObjectNotOfTheModelsShape_FailsTheEvaluation()
    {
        var decision = Decide(
            "return ObjectAs<k8s.Models.V1Service>()!.Spec.Ports.Count > 0 ? Allow() : Deny(\"no ports\");",
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"shop"},"spec":{"ports":"80"}}""");

        Assert.Equal(DecisionOutcome.Failed, decision.Outcome);
        Assert.False(decision.Allowed); // failurePolicy: Fail
        Assert.Contains("JsonException", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectAs_QuantityWithAHugePowerOfTen_FailsInsteadOfComputingIt()
    {
        var decision = Decide(
            "return ObjectAs<k8s.Models.V1PersistentVolumeClaim>() is null ? Deny(\"none\") : Allow();",
            """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
             "spec":{"resources":{"requests":{"storage":"1e999999999"}}}}
            """);

        Assert.Equal(DecisionOutcome.Failed, decision.Outcome);
        Assert.Contains("powers of ten up to e1000", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ScriptImportsK8sModels_ItsV1PodIsKubernetesClients()
    {
        var decision = Decide("""
            using k8s.Models;
            var pod = ObjectAs<V1Pod>()!;
            var own = PodSpec()!;
            return Deny($"{typeof(V1Pod).Namespace} {pod.Spec.Containers[0].Image} {own.GetType().Namespace}");
            """, """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""");

        Assert.Equal("k8s.Models nginx PolicyGate.Core.Kubernetes", decision.Message);
    }

    [Fact]
    public void Compile_ScriptImportsK8sModelsAndTypesPodSpec_ErrorNamesBothTypes()
    {
        var result = TestPolicies.Load(AllowListTests.InlinePolicy("""
            using k8s.Models;
            V1PodSpec spec = PodSpec()!;
            return Allow();
            """));

        Assert.Empty(result.Policies);
        var error = Assert.Single(result.Errors).Message;
        Assert.Contains("CS0029", error, StringComparison.Ordinal);
        Assert.Contains("'PolicyGate.Core.Kubernetes.V1PodSpec' to 'k8s.Models.V1PodSpec'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_K8sModelsNotImported_V1ServiceIsUnknown()
    {
        var result = TestPolicies.Load(AllowListTests.InlinePolicy("return ObjectAs<V1Service>() is null ? Allow() : Allow();"));

        Assert.Empty(result.Policies);
        Assert.Contains("CS0246", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }
}

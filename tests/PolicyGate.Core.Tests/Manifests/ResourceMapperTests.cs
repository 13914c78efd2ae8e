using System.Text.Json.Nodes;
using PolicyGate.Core.Manifests;

namespace PolicyGate.Core.Tests.Manifests;

public class ResourceMapperTests
{
    [Theory]
    [InlineData("v1", "Pod", "", "v1", "pods", true)]
    [InlineData("v1", "Service", "", "v1", "services", true)]
    [InlineData("v1", "ConfigMap", "", "v1", "configmaps", true)]
    [InlineData("v1", "Secret", "", "v1", "secrets", true)]
    [InlineData("v1", "Namespace", "", "v1", "namespaces", false)]
    [InlineData("v1", "Node", "", "v1", "nodes", false)]
    [InlineData("v1", "PersistentVolume", "", "v1", "persistentvolumes", false)]
    [InlineData("v1", "PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", true)]
    [InlineData("v1", "ServiceAccount", "", "v1", "serviceaccounts", true)]
    [InlineData("v1", "ReplicationController", "", "v1", "replicationcontrollers", true)]
    [InlineData("v1", "Endpoints", "", "v1", "endpoints", true)]
    [InlineData("v1", "Event", "", "v1", "events", true)]
    [InlineData("v1", "LimitRange", "", "v1", "limitranges", true)]
    [InlineData("v1", "ResourceQuota", "", "v1", "resourcequotas", true)]
    [InlineData("v1", "PodTemplate", "", "v1", "podtemplates", true)]
    [InlineData("apps/v1", "Deployment", "apps", "v1", "deployments", true)]
    [InlineData("apps/v1", "ReplicaSet", "apps", "v1", "replicasets", true)]
    [InlineData("apps/v1", "StatefulSet", "apps", "v1", "statefulsets", true)]
    [InlineData("apps/v1", "DaemonSet", "apps", "v1", "daemonsets", true)]
    [InlineData("apps/v1", "ControllerRevision", "apps", "v1", "controllerrevisions", true)]
    [InlineData("batch/v1", "Job", "batch", "v1", "jobs", true)]
    [InlineData("batch/v1", "CronJob", "batch", "v1", "cronjobs", true)]
    [InlineData("networking.k8s.io/v1", "Ingress", "networking.k8s.io", "v1", "ingresses", true)]
    [InlineData("networking.k8s.io/v1", "IngressClass", "networking.k8s.io", "v1", "ingressclasses", false)]
    [InlineData("networking.k8s.io/v1", "NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", true)]
    [InlineData("rbac.authorization.k8s.io/v1", "Role", "rbac.authorization.k8s.io", "v1", "roles", true)]
    [InlineData("rbac.authorization.k8s.io/v1", "RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", true)]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", false)]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", false)]
    [InlineData("policy/v1", "PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", true)]
    [InlineData("storage.k8s.io/v1", "StorageClass", "storage.k8s.io", "v1", "storageclasses", false)]
    [InlineData("apiextensions.k8s.io/v1", "CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions", false)]
    [InlineData("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", false)]
    [InlineData("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", false)]
    [InlineData("autoscaling/v2", "HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", true)]
    [InlineData("policygate.io/v1", "ClusterAdmissionPolicy", "policygate.io", "v1", "clusteradmissionpolicies", false)]
    [InlineData("policygate.io/v1", "AdmissionPolicy", "policygate.io", "v1", "admissionpolicies", true)]
    public void Resolve_WellKnownKind_UsesTable(string apiVersion, string kind, string group, string version, string resource, bool namespaced)
    {
        Assert.Equal(new ResourceInfo(group, version, resource, namespaced), ResourceMapper.Resolve(apiVersion, kind));
    }

    [Theory]
    [InlineData("example.com/v1alpha1", "SQLClaim", "sqlclaims")]
    [InlineData("example.com/v1", "Gateway", "gateways")]
    [InlineData("example.com/v1", "Policy", "policies")]
    [InlineData("example.com/v1", "Proxy", "proxies")]
    [InlineData("example.com/v1", "Ingress", "ingresses")]
    [InlineData("example.com/v1", "Status", "statuses")]
    [InlineData("example.com/v1", "MyEndpoints", "myendpoints")]
    [InlineData("example.com/v1", "Key", "keys")]
    [InlineData("example.com/v1", "Widget", "widgets")]
    [InlineData("example.com/v1", "Pod", "pods")]
    public void Resolve_UnknownKind_GuessesPluralAndIsNamespaced(string apiVersion, string kind, string resource)
    {
        var info = ResourceMapper.Resolve(apiVersion, kind);

        Assert.Equal(new ResourceInfo("example.com", info.Version, resource, true), info);
    }

    [Fact]
    public void Resolve_WellKnownKindInOtherGroup_IsNotTakenFromTable()
    {
        Assert.Equal(new ResourceInfo("example.com", "v1", "namespaces", true), ResourceMapper.Resolve("example.com/v1", "Namespace"));
    }

    [Fact]
    public void Resolve_OtherVersionOfWellKnownKind_KeepsVersion()
    {
        Assert.Equal(new ResourceInfo("batch", "v1beta1", "cronjobs", true), ResourceMapper.Resolve("batch/v1beta1", "CronJob"));
    }

    [Theory]
    [InlineData("SQLClaim", "sqlclaims")]
    [InlineData("Gateway", "gateways")]
    [InlineData("NetworkPolicy", "networkpolicies")]
    [InlineData("Endpoints", "endpoints")]
    [InlineData("Ingress", "ingresses")]
    [InlineData("Y", "ies")]
    [InlineData("Day", "days")]
    [InlineData("Buoy", "buoys")]
    [InlineData("Guy", "guys")]
    [InlineData("Alias", "aliases")]
    public void GuessResource_Kind_FollowsKubectlRules(string kind, string expected)
    {
        Assert.Equal(expected, ResourceMapper.GuessResource(kind));
    }

    [Theory]
    [InlineData("v1", "", "v1")]
    [InlineData("apps/v1", "apps", "v1")]
    [InlineData("networking.k8s.io/v1beta1", "networking.k8s.io", "v1beta1")]
    public void ParseApiVersion_Valid_SplitsGroupAndVersion(string apiVersion, string group, string version)
    {
        Assert.Equal((group, version), ResourceMapper.ParseApiVersion(apiVersion));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b/c")]
    [InlineData("apps/")]
    [InlineData("/v1")]
    public void ParseApiVersion_Malformed_Throws(string apiVersion)
    {
        Assert.Throws<ArgumentException>(() => ResourceMapper.ParseApiVersion(apiVersion));
    }

    [Fact]
    public void Resolve_EmptyKind_Throws()
    {
        Assert.Throws<ArgumentException>(() => ResourceMapper.Resolve("v1", ""));
    }

    [Fact]
    public void TryResolve_Manifest_ReadsApiVersionAndKind()
    {
        var manifest = JsonNode.Parse("""{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web"}}""")!.AsObject();

        Assert.True(ResourceMapper.TryResolve(manifest, out var info));
        Assert.Equal(new ResourceInfo("networking.k8s.io", "v1", "ingresses", true), info);
    }

    [Theory]
    [InlineData("""{"kind":"Pod"}""")]
    [InlineData("""{"apiVersion":"v1"}""")]
    [InlineData("""{"apiVersion":"v1","kind":""}""")]
    [InlineData("""{"apiVersion":1,"kind":"Pod"}""")]
    [InlineData("""{"apiVersion":"a/b/c","kind":"Pod"}""")]
    public void TryResolve_MissingOrMalformedFields_ReturnsFalse(string json)
    {
        Assert.False(ResourceMapper.TryResolve(JsonNode.Parse(json)!.AsObject(), out var info));
        Assert.Null(info);
    }
}

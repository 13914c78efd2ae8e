using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

public sealed class KubernetesJsonTests
{
    /// <summary>
    /// A Deployment as the API server sends it in an AdmissionReview, plus fields the models do not declare at
    /// every level (top level, metadata, pod spec, container, security context, quantities map owner).
    /// </summary>
    private const string Deployment = """
        {
          "apiVersion": "apps/v1",
          "kind": "Deployment",
          "metadata": {
            "name": "web",
            "namespace": "prod",
            "uid": "0f9c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f",
            "resourceVersion": "123456",
            "generation": 4,
            "creationTimestamp": "2024-05-01T10:00:00Z",
            "labels": { "app": "web", "App.Kubernetes.io/Name": "Web" },
            "annotations": {
              "deployment.kubernetes.io/revision": "3",
              "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}}\n",
              "note": "a < b && c > d, 'quoted', caf\u00e9 \ud83d\ude80"
            },
            "finalizers": ["example.com/cleanup"],
            "managedFields": [
              {
                "manager": "kubectl-client-side-apply",
                "operation": "Update",
                "apiVersion": "apps/v1",
                "time": "2024-05-01T10:00:00Z",
                "fieldsType": "FieldsV1",
                "fieldsV1": { "f:spec": { "f:replicas": {} } }
              }
            ],
            "futureMetadataField": { "nested": [1, 2.50, true, null, "x"] }
          },
          "spec": {
            "replicas": 3,
            "selector": {
              "matchLabels": { "app": "web" },
              "matchExpressions": [{ "key": "tier", "operator": "In", "values": ["frontend", "edge"] }]
            },
            "template": {
              "metadata": {
                "creationTimestamp": null,
                "labels": { "app": "web", "tier": "frontend" },
                "annotations": { "prometheus.io/scrape": "true" }
              },
              "spec": {
                "volumes": [
                  { "name": "data", "emptyDir": { "sizeLimit": "1Gi" } },
                  { "name": "logs", "hostPath": { "path": "/var/log/web", "type": "DirectoryOrCreate" } }
                ],
                "initContainers": [
                  {
                    "name": "migrate",
                    "image": "registry.example.com/web:1.2.3",
                    "command": ["/app/migrate", "--all"],
                    "resources": { "requests": { "cpu": "100m", "memory": "64Mi" } },
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent"
                  }
                ],
                "containers": [
                  {
                    "name": "web",
                    "image": "registry.example.com/web:1.2.3",
                    "args": ["--port=8080"],
                    "ports": [
                      { "name": "http", "containerPort": 8080, "protocol": "TCP" },
                      { "name": "debug", "containerPort": 9000, "hostPort": 9000, "hostIP": "127.0.0.1", "protocol": "TCP" }
                    ],
                    "env": [
                      { "name": "ENV", "value": "prod" },
                      { "name": "POD_IP", "valueFrom": { "fieldRef": { "apiVersion": "v1", "fieldPath": "status.podIP" } } }
                    ],
                    "resources": {
                      "limits": { "cpu": "1", "memory": "512Mi", "ephemeral-storage": "2Gi" },
                      "requests": { "cpu": "250m", "memory": "0.25Gi" }
                    },
                    "volumeMounts": [{ "name": "data", "mountPath": "/data" }, { "name": "logs", "mountPath": "/logs", "readOnly": true }],
                    "livenessProbe": {
                      "httpGet": { "path": "/healthz", "port": 8080, "scheme": "HTTP" },
                      "initialDelaySeconds": 10,
                      "periodSeconds": 10
                    },
                    "lifecycle": { "preStop": { "sleep": { "seconds": 5 } } },
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent",
                    "securityContext": {
                      "capabilities": { "add": ["NET_BIND_SERVICE"], "drop": ["ALL"] },
                      "runAsNonRoot": true,
                      "runAsUser": 10001,
                      "runAsGroup": 10001,
                      "readOnlyRootFilesystem": true,
                      "allowPrivilegeEscalation": false,
                      "privileged": false,
                      "seLinuxOptions": { "type": "container_t" },
                      "seccompProfile": { "type": "RuntimeDefault" },
                      "futureSecurityField": "keep-me"
                    },
                    "resizePolicy": [{ "resourceName": "cpu", "restartPolicy": "NotRequired" }],
                    "futureContainerField": { "a": [{ "b": 1 }] }
                  }
                ],
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst",
                "serviceAccountName": "web",
                "serviceAccount": "web",
                "automountServiceAccountToken": false,
                "hostNetwork": false,
                "hostPID": false,
                "hostIPC": false,
                "hostUsers": false,
                "setHostnameAsFQDN": false,
                "os": { "name": "linux" },
                "nodeSelector": { "kubernetes.io/os": "linux" },
                "securityContext": {
                  "fsGroup": 2000,
                  "supplementalGroups": [3000, 4000],
                  "sysctls": [{ "name": "net.ipv4.ip_local_port_range", "value": "1024 65535" }],
                  "seccompProfile": { "type": "RuntimeDefault" }
                },
                "affinity": {
                  "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                      { "weight": 100, "podAffinityTerm": { "topologyKey": "kubernetes.io/hostname", "labelSelector": { "matchLabels": { "app": "web" } } } }
                    ]
                  }
                },
                "tolerations": [{ "key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule", "tolerationSeconds": 60 }],
                "schedulerName": "default-scheduler",
                "futurePodField": 42
              }
            },
            "strategy": { "type": "RollingUpdate", "rollingUpdate": { "maxUnavailable": "25%", "maxSurge": 1 } },
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "futureSpecField": []
          },
          "status": {
            "observedGeneration": 4,
            "replicas": 3,
            "conditions": [{ "type": "Available", "status": "True", "lastUpdateTime": "2024-05-01T10:01:00Z" }]
          },
          "futureTopLevelField": { "x": null }
        }
        """;

    [Fact]
    public void RoundTrip_DeploymentWithUnknownFields_IsSemanticallyEqual()
    {
        var original = JsonNode.Parse(Deployment);

        var deployment = KubernetesJson.Deserialize<V1Deployment>(JsonDocument.Parse(Deployment).RootElement);
        var roundTripped = KubernetesJson.SerializeToNode(deployment);

        Assert.True(JsonNode.DeepEquals(original, roundTripped), roundTripped?.ToJsonString());
    }

    [Fact]
    public void Deserialize_Deployment_ReadsTypedFieldsAndKeepsTheRestAside()
    {
        var deployment = KubernetesJson.Deserialize<V1Deployment>(JsonDocument.Parse(Deployment).RootElement)!;

        Assert.Equal("apps/v1", deployment.ApiVersion);
        Assert.Equal("prod", deployment.Metadata!.Namespace);
        Assert.Equal("Web", deployment.Metadata.Labels!["App.Kubernetes.io/Name"]);
        Assert.Equal(3, deployment.Spec!.Replicas);
        Assert.Equal("In", deployment.Spec.Selector!.MatchExpressions![0].Operator);
        Assert.Null(deployment.Spec.Template!.Metadata!.CreationTimestamp);
        Assert.Contains("status", deployment.ExtensionData!.Keys);
        Assert.Contains("futureTopLevelField", deployment.ExtensionData.Keys);
        Assert.Contains("futureMetadataField", deployment.Metadata.ExtensionData!.Keys);

        var pod = deployment.Spec.Template.Spec!;
        Assert.True(pod.HostUsers is false && pod.HostIPC is false && pod.HostPID is false && pod.SetHostnameAsFQDN is false);
        Assert.Equal("linux", pod.Os!.Name);
        Assert.Equal([3000L, 4000L], pod.SecurityContext!.SupplementalGroups!);
        Assert.Equal("/var/log/web", pod.Volumes![1].HostPath!.Path);
        Assert.Contains("emptyDir", pod.Volumes[0].ExtensionData!.Keys);
        Assert.Equal(60L, pod.Tolerations![0].TolerationSeconds);
        Assert.Equal(42, pod.ExtensionData!["futurePodField"].GetInt32());

        var web = pod.Containers![0];
        Assert.Equal("127.0.0.1", web.Ports![1].HostIP);
        Assert.Equal(ResourceQuantity.Parse("512Mi"), web.Resources!.Limits!["memory"]);
        Assert.Equal(ResourceQuantity.Parse("256Mi"), web.Resources.Requests!["memory"]);
        Assert.Equal("0.25Gi", web.Resources.Requests["memory"].Original);
        Assert.Equal(["ALL"], web.SecurityContext!.Capabilities!.Drop!);
        Assert.Equal(10001L, web.SecurityContext.RunAsUser);
        Assert.Equal("container_t", web.SecurityContext.SeLinuxOptions!.Type);
        Assert.Equal("keep-me", web.SecurityContext.ExtensionData!["futureSecurityField"].GetString());
        Assert.Equal("HTTP", web.LivenessProbe!.Value.GetProperty("httpGet").GetProperty("scheme").GetString());
        Assert.Equal("status.podIP", web.Env![1].ValueFrom!.Value.GetProperty("fieldRef").GetProperty("fieldPath").GetString());
    }

    [Fact]
    public void RoundTrip_ScriptModification_ChangesOnlyWhatWasModified()
    {
        var deployment = KubernetesJson.Deserialize<V1Deployment>(JsonDocument.Parse(Deployment).RootElement)!;
        var web = deployment.Spec!.Template!.Spec!.Containers![0];
        web.Resources!.Limits!["memory"] = ResourceQuantity.Parse("1Gi");
        web.SecurityContext!.Privileged = null;
        deployment.Spec.Template.Metadata!.Labels!["patched"] = "true";

        var expected = JsonNode.Parse(Deployment)!;
        var expectedWeb = expected["spec"]!["template"]!["spec"]!["containers"]![0]!;
        expectedWeb["resources"]!["limits"]!["memory"] = "1Gi";
        expectedWeb["securityContext"]!.AsObject().Remove("privileged");
        expected["spec"]!["template"]!["metadata"]!["labels"]!["patched"] = "true";

        Assert.True(JsonNode.DeepEquals(expected, KubernetesJson.SerializeToNode(deployment)));
    }

    [Fact]
    public void RoundTrip_ExplicitNullOfDeclaredProperty_IsWrittenBackWhileStillNull()
    {
        const string Json = """{"metadata":{"name":"p","creationTimestamp":null},"spec":{"affinity":null,"priority":null,"containers":null}}""";

        var pod = KubernetesJson.Deserialize<V1Pod>(JsonDocument.Parse(Json).RootElement)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Json), KubernetesJson.SerializeToNode(pod)));

        pod.Metadata!.CreationTimestamp = "2024-05-01T10:00:00Z";
        pod.Spec!.Priority = 5;
        var written = KubernetesJson.SerializeToNode(pod)!;
        Assert.Equal("2024-05-01T10:00:00Z", (string?)written["metadata"]!["creationTimestamp"]);
        Assert.Equal(5, (int?)written["spec"]!["priority"]);
    }

    [Fact]
    public void Serialize_NewModel_OmitsNullProperties()
    {
        var pod = new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new V1ObjectMeta { Name = "p" } };

        var written = KubernetesJson.SerializeToNode(pod)!.ToJsonString();

        Assert.Equal("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}""", written);
    }

    [Fact]
    public void Serialize_QuantityReadFromNumber_IsWrittenAsString()
    {
        var pod = KubernetesJson.Deserialize<V1Pod>(
            JsonDocument.Parse("""{"spec":{"containers":[{"resources":{"limits":{"cpu":2,"memory":1e9}}}]}}""").RootElement)!;

        var limits = pod.Spec!.Containers![0].Resources!.Limits!;
        Assert.Equal(ResourceQuantity.Parse("2000m"), limits["cpu"]);
        Assert.Equal(ResourceQuantity.Parse("1G"), limits["memory"]);
        Assert.Equal(
            """{"spec":{"containers":[{"resources":{"limits":{"cpu":"2","memory":"1e9"}}}]}}""",
            KubernetesJson.SerializeToNode(pod)!.ToJsonString());
    }

    [Fact]
    public void Deserialize_InvalidQuantity_ThrowsJsonExceptionWithPath()
    {
        var json = JsonDocument.Parse("""{"spec":{"containers":[{"resources":{"limits":{"memory":"1KB"}}}]}}""").RootElement;

        var exception = Assert.Throws<JsonException>(() => KubernetesJson.Deserialize<V1Pod>(json));

        Assert.Contains("invalid quantity \"1KB\"", exception.Message, StringComparison.Ordinal);
        Assert.Equal("$.spec.containers[0].resources.limits.memory", exception.Path);
    }

    [Fact]
    public void Deserialize_PropertyNameInOtherCase_IsKeptAsUnknownField()
    {
        const string Json = """{"metadata":{"Name":"upper","name":"lower"}}""";

        var pod = KubernetesJson.Deserialize<V1Pod>(JsonDocument.Parse(Json).RootElement)!;

        Assert.Equal("lower", pod.Metadata!.Name);
        Assert.Equal("upper", pod.Metadata.ExtensionData!["Name"].GetString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Json), KubernetesJson.SerializeToNode(pod)));
    }

    [Theory]
    [InlineData(typeof(V1Pod), """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"ephemeralContainers":[{"name":"debugger","image":"busybox","targetContainerName":"app","futureField":1}],"containers":[{"name":"app"}]},"status":{"phase":"Running"}}""")]
    [InlineData(typeof(V1ReplicaSet), """{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"r"},"spec":{"replicas":2,"minReadySeconds":5,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"c"}]}}}}""")]
    [InlineData(typeof(V1StatefulSet), """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s"},"spec":{"serviceName":"s","podManagementPolicy":"Parallel","updateStrategy":{"type":"RollingUpdate"},"template":{"spec":{"containers":[{"name":"c"}]}},"volumeClaimTemplates":[{"metadata":{"name":"data","creationTimestamp":null},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"10Gi"}}},"status":{"phase":"Pending"}}]}}""")]
    [InlineData(typeof(V1DaemonSet), """{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"updateStrategy":{"type":"OnDelete"},"template":{"spec":{"hostNetwork":true,"containers":[{"name":"c","securityContext":{"privileged":true,"procMount":"Unmasked","windowsOptions":{"hostProcess":false},"appArmorProfile":{"type":"Localhost","localhostProfile":"p"}}}]}}}}""")]
    [InlineData(typeof(V1Job), """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"backoffLimit":4,"completionMode":"Indexed","podFailurePolicy":{"rules":[]},"ttlSecondsAfterFinished":100,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c"}]}}}}""")]
    [InlineData(typeof(V1CronJob), """{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},"spec":{"schedule":"*/5 * * * *","timeZone":"Etc/UTC","concurrencyPolicy":"Forbid","jobTemplate":{"metadata":{"creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c"}]}}}}}}""")]
    [InlineData(typeof(V1ReplicationController), """{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"rc"},"spec":{"replicas":1,"selector":{"app":"x"},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c"}]}}}}""")]
    [InlineData(typeof(V1PersistentVolumeClaim), """{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"pvc"},"spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"fast","volumeMode":"Filesystem","resources":{"requests":{"storage":"10Gi"},"limits":{"storage":"20Gi"}},"selector":{"matchExpressions":[{"key":"k","operator":"Exists"}]},"dataSourceRef":{"kind":"VolumeSnapshot","name":"snap"}},"status":{"phase":"Bound"}}""")]
    public void RoundTrip_EachRootKind_IsSemanticallyEqual(Type type, string json)
    {
        var model = JsonSerializer.Deserialize(json, type, KubernetesJson.Options);

        Assert.IsType(type, model);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonSerializer.SerializeToNode(model, type, KubernetesJson.Options)));
    }

    [Fact]
    public void Deserialize_CronJob_ReachesThePodSpecThroughTheJobTemplate()
    {
        var cronJob = KubernetesJson.Deserialize<V1CronJob>(JsonDocument.Parse(
            """{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}}}""").RootElement)!;

        Assert.Equal("i", cronJob.Spec!.JobTemplate!.Spec!.Template!.Spec!.Containers![0].Image);
    }

    [Fact]
    public void Deserialize_EphemeralContainer_IsV1EphemeralContainerWithTarget()
    {
        var pod = KubernetesJson.Deserialize<V1Pod>(JsonDocument.Parse(
            """{"spec":{"ephemeralContainers":[{"name":"debugger","targetContainerName":"app"}]}}""").RootElement)!;

        var debugger = Assert.IsType<V1EphemeralContainer>(pod.Spec!.EphemeralContainers![0]);
        Assert.Equal("app", debugger.TargetContainerName);
    }

    [Fact]
    public void Options_ModelsComeFromTheSourceGeneratedContext()
    {
        Assert.True(KubernetesJson.Options.IsReadOnly);
        Assert.IsType<KubernetesJsonContext>(KubernetesJson.Options.GetTypeInfo(typeof(V1Pod)).OriginatingResolver);
        Assert.IsType<KubernetesJsonContext>(KubernetesJson.Options.GetTypeInfo(typeof(V1Container)).OriginatingResolver);
    }

    [Fact]
    public void SerializeToNode_TypeUnknownToTheContext_UsesReflectionWithTheSameConventions()
    {
        var node = KubernetesJson.SerializeToNode(new ScriptResult { MaxMemory = ResourceQuantity.Parse("1Gi"), Reason = null });

        Assert.Equal("""{"maxMemory":"1Gi"}""", node!.ToJsonString());
        Assert.Equal(ResourceQuantity.Parse("1Gi"), KubernetesJson.Deserialize<ScriptResult>(JsonDocument.Parse("""{"maxMemory":"1024Mi"}""").RootElement)!.MaxMemory);
    }

    [Fact]
    public void Serialize_AnnotationWithHtmlCharacters_IsNotEscaped()
    {
        var meta = new V1ObjectMeta { Annotations = new Dictionary<string, string> { ["note"] = "a<b & 'c' café" } };

        Assert.Equal("""{"annotations":{"note":"a<b & 'c' café"}}""", JsonSerializer.Serialize(meta, KubernetesJson.Options));
    }

    /// <summary>Stands for a policy script's own type.</summary>
    private sealed class ScriptResult
    {
        public ResourceQuantity? MaxMemory { get; set; }

        public string? Reason { get; set; }
    }
}

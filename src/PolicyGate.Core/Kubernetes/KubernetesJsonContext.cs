using System.Text.Json.Serialization;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Source-generated serialization metadata for the Kubernetes models. Use it through
/// <see cref="KubernetesJson.Options"/>, which adds the settings the models need.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1PodSpec))]
[JsonSerializable(typeof(V1PodTemplateSpec))]
[JsonSerializable(typeof(V1ObjectMeta))]
[JsonSerializable(typeof(V1Container))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1ReplicaSet))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1DaemonSet))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1CronJob))]
[JsonSerializable(typeof(V1ReplicationController))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(ResourceQuantity))]
internal sealed partial class KubernetesJsonContext : JsonSerializerContext;

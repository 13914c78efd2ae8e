using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>A container of a pod. Not sealed: <see cref="V1EphemeralContainer"/> derives from it.</summary>
public class V1Container : KubernetesModel
{
    /// <summary>Arguments to the entrypoint.</summary>
    public IList<string>? Args { get; set; }

    /// <summary>Entrypoint array.</summary>
    public IList<string>? Command { get; set; }

    /// <summary>Environment variables.</summary>
    public IList<V1EnvVar>? Env { get; set; }

    /// <summary>Sources of environment variables, kept as raw JSON.</summary>
    public IList<JsonElement>? EnvFrom { get; set; }

    /// <summary>Container image reference.</summary>
    public string? Image { get; set; }

    /// <summary>Image pull policy: <c>Always</c>, <c>Never</c> or <c>IfNotPresent</c>.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Lifecycle hooks, kept as raw JSON.</summary>
    public JsonElement? Lifecycle { get; set; }

    /// <summary>Liveness probe, kept as raw JSON.</summary>
    public JsonElement? LivenessProbe { get; set; }

    /// <summary>Container name, unique within the pod.</summary>
    public string? Name { get; set; }

    /// <summary>Ports the container exposes.</summary>
    public IList<V1ContainerPort>? Ports { get; set; }

    /// <summary>Readiness probe, kept as raw JSON.</summary>
    public JsonElement? ReadinessProbe { get; set; }

    /// <summary>In-place resize policies, kept as raw JSON.</summary>
    public IList<JsonElement>? ResizePolicy { get; set; }

    /// <summary>Compute resource requests and limits.</summary>
    public V1ResourceRequirements? Resources { get; set; }

    /// <summary>Container restart policy; <c>Always</c> on an init container makes it a sidecar.</summary>
    public string? RestartPolicy { get; set; }

    /// <summary>Container-level security attributes.</summary>
    public V1SecurityContext? SecurityContext { get; set; }

    /// <summary>Startup probe, kept as raw JSON.</summary>
    public JsonElement? StartupProbe { get; set; }

    /// <summary>Whether a stdin buffer is allocated.</summary>
    public bool? Stdin { get; set; }

    /// <summary>Whether stdin is closed after the first attach.</summary>
    public bool? StdinOnce { get; set; }

    /// <summary>Path of the termination message file.</summary>
    public string? TerminationMessagePath { get; set; }

    /// <summary>How the termination message is populated.</summary>
    public string? TerminationMessagePolicy { get; set; }

    /// <summary>Whether a TTY is allocated.</summary>
    public bool? Tty { get; set; }

    /// <summary>Block devices, kept as raw JSON.</summary>
    public IList<JsonElement>? VolumeDevices { get; set; }

    /// <summary>Volumes mounted into the container.</summary>
    public IList<V1VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Working directory.</summary>
    public string? WorkingDir { get; set; }
}

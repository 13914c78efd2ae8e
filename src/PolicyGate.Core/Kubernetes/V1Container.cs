using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>A container of a pod. Not sealed: <see cref="V1EphemeralContainer"/> derives from it.</summary>
public class V1Container : KubernetesModel
{
    /// <summary>Arguments to the entrypoint.</summary>
    public IList<string>? Args { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Entrypoint array.</summary>
    public IList<string>? Command { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Environment variables.</summary>
    public IList<V1EnvVar>? Env { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Sources of environment variables, kept as raw JSON.</summary>
    public IList<JsonElement>? EnvFrom { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Container image reference.</summary>
    public string? Image { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Image pull policy: <c>Always</c>, <c>Never</c> or <c>IfNotPresent</c>.</summary>
    public string? ImagePullPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Lifecycle hooks, kept as raw JSON.</summary>
    public JsonElement? Lifecycle { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Liveness probe, kept as raw JSON.</summary>
    public JsonElement? LivenessProbe { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Container name, unique within the pod.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Ports the container exposes.</summary>
    public IList<V1ContainerPort>? Ports { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Readiness probe, kept as raw JSON.</summary>
    public JsonElement? ReadinessProbe { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>In-place resize policies, kept as raw JSON.</summary>
    public IList<JsonElement>? ResizePolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Compute resource requests and limits.</summary>
    public V1ResourceRequirements? Resources { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Container restart policy; <c>Always</c> on an init container makes it a sidecar.</summary>
    public string? RestartPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Container-level security attributes.</summary>
    public V1SecurityContext? SecurityContext { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Startup probe, kept as raw JSON.</summary>
    public JsonElement? StartupProbe { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether a stdin buffer is allocated.</summary>
    public bool? Stdin { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether stdin is closed after the first attach.</summary>
    public bool? StdinOnce { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Path of the termination message file.</summary>
    public string? TerminationMessagePath { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>How the termination message is populated.</summary>
    public string? TerminationMessagePolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether a TTY is allocated.</summary>
    public bool? Tty { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Block devices, kept as raw JSON.</summary>
    public IList<JsonElement>? VolumeDevices { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Volumes mounted into the container.</summary>
    public IList<V1VolumeMount>? VolumeMounts { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Working directory.</summary>
    public string? WorkingDir { get; set { ThrowIfFrozen(); field = value; } }
}

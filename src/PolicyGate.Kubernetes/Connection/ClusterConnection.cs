using k8s;
using k8s.Exceptions;

namespace PolicyGate.Kubernetes.Connection;

/// <summary>
/// How <c>policygate serve</c> reaches the API server: a kubeconfig file (and optionally one of its contexts), or, run
/// in a pod with neither, the pod's service account (its token file is re-read by the client as it rotates, and the
/// cluster CA comes from the same mount). Without either there is no cluster: serve works from its policy folder alone.
/// </summary>
public sealed class ClusterConnection : IDisposable
{
    private ClusterConnection(IKubernetes client, string description)
    {
        Client = client;
        Description = description;
    }

    /// <summary>The client every call to the API server goes through.</summary>
    public IKubernetes Client { get; }

    /// <summary>Where it points and how it was found, for the start-up log.</summary>
    public string Description { get; }

    /// <summary>
    /// Connects as the options say: <paramref name="kubeconfig"/> (with <paramref name="context"/>, else its current
    /// one); <paramref name="context"/> alone reads the default kubeconfig (KUBECONFIG, then ~/.kube/config); neither,
    /// the in-cluster service account when this runs in a pod; else null.
    /// </summary>
    /// <exception cref="InvalidOperationException">The kubeconfig or the context cannot be used: the message names it.</exception>
    /// <param name="allowInCluster">False never uses the in-cluster service account (tests that may run inside a pod).</param>
    public static ClusterConnection? Connect(string? kubeconfig, string? context, bool allowInCluster = true)
    {
        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            throw new InvalidOperationException($"--kubeconfig: the file \"{kubeconfig}\" does not exist");
        }

        KubernetesClientConfiguration configuration;
        string description;
        try
        {
            if (kubeconfig is not null || context is not null)
            {
                configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
                description = $"kubeconfig {kubeconfig ?? "(default)"}, context {configuration.CurrentContext ?? context ?? "(current)"}, server {configuration.Host}";
            }
            else if (allowInCluster && KubernetesClientConfiguration.IsInCluster())
            {
                configuration = KubernetesClientConfiguration.InClusterConfig();
                description = $"in-cluster service account, server {configuration.Host}";
            }
            else
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException or FormatException or YamlDotNet.Core.YamlException)
        {
            var what = kubeconfig is not null ? $"--kubeconfig {kubeconfig}" : context is not null ? "the default kubeconfig" : "the in-cluster service account";
            throw new InvalidOperationException($"{what}{(context is null ? "" : $" (context {context})")}: {ex.Message}", ex);
        }

        return new ClusterConnection(new k8s.Kubernetes(configuration), description);
    }

    public void Dispose() => Client.Dispose();
}

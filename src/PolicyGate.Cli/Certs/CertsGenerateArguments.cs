namespace PolicyGate.Cli.Certs;

/// <summary>The parsed arguments of <c>policygate certs generate</c>.</summary>
internal sealed record CertsGenerateArguments(
    string ServiceName,
    string Namespace,
    string OutputDirectory,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    int Days,
    bool Force);

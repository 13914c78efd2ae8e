using System.CommandLine;

namespace PolicyGate.Cli.Commands;

/// <summary><c>--isolation policy|process</c>: each policy's own <c>spec.isolation</c>, or every policy in a worker process.</summary>
internal static class IsolationOption
{
    public const string PerPolicy = "policy";
    public const string Process = "process";

    public static Option<string> Create()
    {
        var option = new Option<string>("--isolation")
        {
            Description = "Where policies run: 'policy' (each as its spec.isolation says: AdmissionPolicy scripts in worker processes, " +
                "the rest in-process) or 'process' (every policy in a worker process of its own).",
            DefaultValueFactory = _ => PerPolicy,
        };
        option.AcceptOnlyFromAmong(PerPolicy, Process);
        return option;
    }
}

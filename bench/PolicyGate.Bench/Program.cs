using PolicyGate.Bench;

// Benchmarks print their figures; they are not timed tests. Run with:
//   dotnet run -c Release --project bench/PolicyGate.Bench [-- evaluation|dry-run|server-path|limits]
//   dotnet run -c Release --project bench/PolicyGate.Bench -- recompile [iterations=1000] [baseline=200]
//   dotnet run -c Release --project bench/PolicyGate.Bench -- startup [policies=50]
//   dotnet run -c Release --project bench/PolicyGate.Bench -- write-policies DIR [policies=50]   (startup's policies, for memory.sh)
//   taskset -c 0 dotnet run -c Release --project bench/PolicyGate.Bench -- isolation
//   dotnet run -c Release --project bench/PolicyGate.Bench -- reload [changes=50]
//   dotnet run -c Release --project bench/PolicyGate.Bench -- events [rounds=3] [seconds=10] [rate=1000] [connections=16]
//   dotnet run -c Release --project bench/PolicyGate.Bench -- handler-loop [warm-up seconds=10] [seconds=10] [evict bytes=0]  (for bench/server/profile.sh)
// "all" runs evaluation, dry-run, server-path and limits; recompile, startup, isolation, reload and events run only by
// name (they take minutes, start processes or servers).
var which = args.Length > 0 ? args[0] : "all";
if (which is "all" or "evaluation")
{
    EvaluationBenchmark.Run();
}

if (which is "all" or "dry-run")
{
    DryRunBenchmark.Run();
}

if (which is "all" or "server-path")
{
    ServerPathBenchmark.Run();
}

if (which is "all" or "limits")
{
    LimitsBenchmark.Run();
}

if (which == "handler-loop")
{
    ServerPathBenchmark.Loop(Arg(1, 10), Arg(2, 10), Arg(3, 0));
}

if (which == "isolation")
{
    IsolationBenchmark.Run();
}

if (which == "reload")
{
    ReloadBenchmark.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50);
}

if (which == "events")
{
    EventsBenchmark.Run(
        Arg(1, 3),
        Arg(2, 10),
        Arg(3, 1000),
        Arg(4, 16));
}

if (which == "recompile")
{
    RecompileBenchmark.Run(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
}

if (which == "startup")
{
    StartupBenchmark.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50);
}

if (which == "write-policies")
{
    if (args.Length < 2)
    {
        Console.Error.WriteLine("usage: write-policies DIR [policies=50]");
        return 2;
    }

    var count = Arg(2, 50);
    BenchPolicies.Write(args[1], count, out var distinct);
    Console.WriteLine($"wrote {count} policies ({distinct} distinct scripts) to {args[1]}");
}

return 0;

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;

using PolicyGate.Bench;

// Benchmarks print their figures; they are not timed tests. Run with:
//   dotnet run -c Release --project bench/PolicyGate.Bench [-- evaluation|dry-run]
var which = args.Length > 0 ? args[0] : "all";
if (which is "all" or "evaluation")
{
    EvaluationBenchmark.Run();
}

if (which is "all" or "dry-run")
{
    DryRunBenchmark.Run();
}

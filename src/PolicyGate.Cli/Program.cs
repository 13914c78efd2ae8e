using PolicyGate.Cli;

PolicyGate.Core.Sandbox.RegexTimeout.Install(); // first: the runtime reads the regex default once, at first use of Regex

// Policies are evaluated on the thread that runs the command (run; dry-run's Parallel.For works on its calling
// thread too), and the main thread's stack is the OS's (8 MiB on Linux, 1 MiB on Windows). A thread the runtime
// creates gets System.Threading.DefaultStackSize from policygate.runtimeconfig.json (Directory.Build.targets): a
// stack deep enough for the base library's recursion through anything a policy script can build.
var exitCode = 0;
var command = new Thread(() => exitCode = CliApp.Run(args, new CliConsole(Console.In, Console.Out, Console.Error, !Console.IsOutputRedirected)))
{
    Name = "policygate",
};
command.Start();
command.Join();
return exitCode;

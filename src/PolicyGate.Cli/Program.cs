using PolicyGate.Cli;

PolicyGate.Core.Sandbox.RegexTimeout.Install(); // first: the runtime reads the regex default once, at first use of Regex

return CliApp.Run(args, new CliConsole(Console.In, Console.Out, Console.Error, !Console.IsOutputRedirected));

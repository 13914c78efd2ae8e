using System.CommandLine;
using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Cli.New;

/// <summary>
/// <c>policygate new NAME [--dir DIR] [--force]</c>: a first policy in minutes. Writes the policy resource, its script
/// (with a <c>Settings</c> class), a test suite that passes, and editor help (the API as a <c>#load</c>ed globals
/// file and an <c>omnisharp.json</c>).
/// </summary>
internal static class NewCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The policy's name: lower-case letters, digits and '-' (a DNS label)." };
        var dir = new Option<string?>("--dir") { Description = "Where to write the files (default: a new folder NAME)." };
        var force = new Option<bool>("--force") { Description = "Replace files that exist." };
        var command = new Command(
            "new",
            "Scaffold a policy: NAME.yaml (the ClusterAdmissionPolicy), NAME.csx (its script, with a Settings class), " +
            "NAME.test.yaml (a suite `policygate test` passes), and editor help (policygate.globals.csx, omnisharp.json).\n" +
            "Exit codes: 0 written; 2 a bad name or files that exist (see --force).")
        {
            name, dir, force,
        };
        command.SetAction(parse => Execute(parse.GetValue(name)!, parse.GetValue(dir), parse.GetValue(force), console));
        return command;
    }

    private static int Execute(string name, string? dir, bool force, CliConsole console)
    {
        if (!KubernetesNames.IsDnsLabel(name))
        {
            console.Error.WriteLine($"error: NAME: \"{name}\" is not a valid policy name here (lower-case letters, digits and '-', at most {KubernetesNames.MaxLabelLength} characters)");
            return ExitCodes.InputError;
        }

        dir ??= name;
        var files = PolicyTemplate.Files(name);
        var existing = files.Keys.Select(f => Path.Combine(dir, f)).Where(File.Exists).ToList();
        if (existing.Count > 0 && !force)
        {
            console.Error.WriteLine($"error: {string.Join(", ", existing)} already exist{(existing.Count == 1 ? "s" : "")}; pass --force to replace {(existing.Count == 1 ? "it" : "them")}");
            return ExitCodes.InputError;
        }

        try
        {
            Directory.CreateDirectory(dir);
            foreach (var (file, text) in files)
            {
                File.WriteAllText(Path.Combine(dir, file), text);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: --dir {dir}: {ex.Message}");
            return ExitCodes.InputError;
        }

        console.Out.WriteLine($"wrote {string.Join(", ", files.Keys)} to {dir}");
        console.Out.WriteLine($"next: policygate test {dir}    (runs {name}.test.yaml)");
        console.Out.WriteLine($"      policygate dry-run --policy {Path.Combine(dir, name + ".yaml")} --manifests YOUR-MANIFESTS");
        return ExitCodes.Success;
    }
}

using Spectre.Console;
using Spectre.Console.Rendering;

namespace PolicyGate.Cli.Commands;

/// <summary>Writes a Spectre table the way every command's table output looks: colour only on a terminal, whole lines when piped.</summary>
internal static class ConsoleTable
{
    public static void Write(IRenderable table, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        using var buffer = new StringWriter();
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = console.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = console.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(buffer),
            Interactive = InteractionSupport.No,
        });
        if (!console.IsTerminal)
        {
            // Piped output keeps whole lines: no wrapping at 80 columns.
            ansi.Profile.Width = 240;
        }

        ansi.Write(table);

        // Spectre pads every line to the table's width; trailing blanks only get in the way of diff and grep.
        foreach (var line in buffer.ToString().Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed.Length > 0)
            {
                console.Out.WriteLine(trimmed);
            }
        }
    }
}

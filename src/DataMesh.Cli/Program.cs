using System.CommandLine;
using DataMesh.Cli;
using DataMesh.Cli.Commands;

if (Console.IsOutputRedirected)
{
    // Piped or captured output: do not wrap tables at the 80 columns Spectre assumes without a terminal.
    Spectre.Console.AnsiConsole.Profile.Width = Math.Max(Spectre.Console.AnsiConsole.Profile.Width, 160);
}

var root = new RootCommand("datamesh: data products as code on a local mesh (Azurite + Durable Task) or Azure Functions.")
{
    InitCommand.Create(),
    ValidateCommand.Create(),
    NewCommand.Create(),
    DiffCommand.Create(),
    ImpactCommand.Create(),
    RunCommand.Create(),
    DropCommand.Create(),
    BackfillCommand.Create(),
    QuarantineCommand.Create(),
    DemoCommand.Create(),
    UpCommand.Create(),
    CatalogCommand.Create(),
    RunsCommand.Create(),
    QueryCommand.Create(),
    BenchCommand.Create(),
    InfraCommand.Create(),
};

CommandExamples.Apply(root);
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync("Run `datamesh --help` for usage.").ConfigureAwait(false);
    return ExitCodes.UsageOrEnvironment;
}

using var interrupt = CliInterrupt.Listen();
try
{
    // Ctrl+C is CliInterrupt's (see there why System.CommandLine's own handling is off).
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, interrupt.Token).ConfigureAwait(false);
}
catch (Exception ex) when (interrupt.Requested || ex is OperationCanceledException)
{
    // Whatever the interrupted action threw on its way out (a wait cancelled, a storage call cut short) is the interruption.
    await Console.Error.WriteLineAsync("Interrupted: the runs this command started were cancelled (landing inputs kept), but for a run a warning above says had committed its release first.").ConfigureAwait(false);
    return ExitCodes.Interrupted;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Azure.RequestFailedException or KeyNotFoundException)
{
    // Environment trouble (no node/npm, storage unreachable, a run that never ended): say what, exit 2.
    await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
    return ExitCodes.UsageOrEnvironment;
}

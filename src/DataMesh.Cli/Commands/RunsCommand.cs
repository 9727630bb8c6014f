using System.CommandLine;

namespace DataMesh.Cli.Commands;

/// <summary><c>datamesh runs ...</c>: the runs of the local mesh.</summary>
internal static class RunsCommand
{
    public static Command Create() => new("runs", "The runs of the local mesh: cancel one.")
    {
        RunsCancelCommand.Create(),
    };
}

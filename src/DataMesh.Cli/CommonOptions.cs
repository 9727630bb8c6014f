using System.CommandLine;

namespace DataMesh.Cli;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON document on stdout and nothing else there." };

    public static Option<bool> Verbose() => new("--verbose", "-v") { Description = "Log engine activity to stderr." };
}

namespace DataMesh.Cli;

/// <summary>Exit codes of every command (DESIGN §8).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The thing checked failed: invalid spec, quality gate failed, run failed.</summary>
    public const int CheckFailed = 1;

    /// <summary>Usage or environment error.</summary>
    public const int UsageOrEnvironment = 2;

    /// <summary>Interrupted (Ctrl+C, SIGINT): the runs the command started were cancelled (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}

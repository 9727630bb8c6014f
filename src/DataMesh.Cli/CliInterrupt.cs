using System.Runtime.InteropServices;

namespace DataMesh.Cli;

/// <summary>
/// Ctrl+C as a user expects it: the first SIGINT lets the command cancel what it started (System.CommandLine cancels
/// the action's token; the mesh terminates its runs and records them as cancelled) and exit 130 within seconds; a
/// second SIGINT exits 130 at once. Registered before System.CommandLine's own handler, which blocks its signal
/// thread while it waits for the action, so this one still sees the second signal.
/// </summary>
internal sealed class CliInterrupt : IDisposable
{
    /// <summary>How long the action may take to cancel before System.CommandLine returns 130 without it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(8.5);

    private readonly PosixSignalRegistration? _registration;
    private int _signals;

    private CliInterrupt()
    {
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSigInt);
        }
    }

    /// <summary>Whether a SIGINT arrived (an exception the action then throws is the interruption, not a failure).</summary>
    public bool Requested => Volatile.Read(ref _signals) > 0;

    /// <summary>Starts listening for SIGINT.</summary>
    public static CliInterrupt Listen() => new();

    public void Dispose() => _registration?.Dispose();

    private void OnSigInt(PosixSignalContext context)
    {
        // Not cancelled here: System.CommandLine's handler, next, cancels the action's token and keeps the process alive.
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Console.Error.WriteLine("Interrupted: cancelling the runs this command started (Ctrl+C again to exit at once)...");
            return;
        }

        // ProcessExit handlers still run: the embedded Azurite is stopped on the way out.
        context.Cancel = true;
        Environment.Exit(ExitCodes.Interrupted);
    }
}

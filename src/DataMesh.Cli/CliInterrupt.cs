using System.Runtime.InteropServices;

namespace DataMesh.Cli;

/// <summary>
/// Ctrl+C as a user expects it: the first SIGINT (or SIGTERM) cancels <see cref="Token"/>, the action's token, so the
/// command cancels what it started (the mesh terminates its runs and records them as cancelled), and the process exits
/// within <see cref="Grace"/> whatever the action still waits on; a second SIGINT exits 130 at once.
/// </summary>
/// <remarks>
/// System.CommandLine's own termination handling is off (<c>ProcessTerminationTimeout = null</c>): its handler blocks
/// the signal thread while it waits for the action, and .NET runs a signal's handlers one after the other, so a second
/// Ctrl+C reached this one only once the first wait was over. This handler never blocks.
/// </remarks>
internal sealed class CliInterrupt : IDisposable
{
    /// <summary>How long the action may take to cancel before the process exits without it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(8.5);

    // 128 + the signal, as shells report it.
    private const int TerminatedExitCode = 143;

    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private int _signals;

    private CliInterrupt()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Whether a signal arrived (an exception the action then throws is the interruption, not a failure).</summary>
    public bool Requested => Volatile.Read(ref _signals) > 0;

    /// <summary>Cancelled by the first signal: the token System.CommandLine hands the action.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Starts listening for SIGINT and SIGTERM.</summary>
    public static CliInterrupt Listen() => new();

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Handled here, never by the runtime's default (the process gone at once, Azurite and the runs left as they were).
        context.Cancel = true;
        var exitCode = context.Signal == PosixSignal.SIGTERM ? TerminatedExitCode : ExitCodes.Interrupted;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // ProcessExit handlers still run: an embedded Azurite is stopped on the way out.
            Environment.Exit(exitCode);
        }

        Console.Error.WriteLine("Interrupted: cancelling the runs this command started (Ctrl+C again to exit at once)...");

        // Off this thread: the token's callbacks (the mesh's cancellation among them) must not delay a second signal.
        _ = Task.Run(async () =>
        {
            await _cancel.CancelAsync().ConfigureAwait(false);
            await Task.Delay(Grace).ConfigureAwait(false);

            // The action did not end within the grace (storage gone or too slow): what it left is finished by the next
            // host's stuck-run detector (the terminations are durable).
            Environment.Exit(exitCode);
        });
    }
}

using DuckDB.NET.Data;

namespace DataMesh.Engine;

/// <summary>
/// Interrupts a running DuckDB command when a token is cancelled, and turns the interrupted statement's error into
/// <see cref="OperationCanceledException"/>. DuckDB clears its interrupt flag when a statement starts, so an interrupt
/// that lands just before the start would be lost: once cancelled, the command is interrupted again every 100 ms until
/// it has returned.
/// </summary>
internal sealed class DuckDbInterrupt : IDisposable
{
    private static readonly TimeSpan Repeat = TimeSpan.FromMilliseconds(100);

    private readonly DuckDBCommand _command;
    private readonly CancellationToken _cancellationToken;
    private readonly Lock _gate = new();
    private CancellationTokenRegistration _registration;
    private Timer? _timer;
    private bool _done;

    private DuckDbInterrupt(DuckDBCommand command, CancellationToken cancellationToken)
    {
        _command = command;
        _cancellationToken = cancellationToken;
    }

    public static DuckDbInterrupt Watch(DuckDBCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var interrupt = new DuckDbInterrupt(command, cancellationToken);
        if (cancellationToken.CanBeCanceled)
        {
            interrupt._registration = cancellationToken.Register(interrupt.Start);
        }

        return interrupt;
    }

    /// <summary>Runs <paramref name="statement"/>; a DuckDB error after cancellation is the interruption.</summary>
    public T Run<T>(Func<T> statement)
    {
        try
        {
            var result = statement();
            // An interrupt can also land between two chunks a reader had already fetched: the token decides.
            _cancellationToken.ThrowIfCancellationRequested();
            return result;
        }
        catch (DuckDBException ex) when (_cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("DuckDB was interrupted: " + ex.Message, ex, _cancellationToken);
        }
    }

    private void Start()
    {
        lock (_gate)
        {
            if (!_done)
            {
                _timer = new Timer(_ => Interrupt(), null, TimeSpan.Zero, Repeat);
            }
        }
    }

    private void Interrupt()
    {
        lock (_gate)
        {
            if (!_done)
            {
                _command.Cancel();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _done = true;
            _timer?.Dispose();
        }

        _registration.Dispose();
    }
}

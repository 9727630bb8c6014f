using DataMesh.Pipeline;

namespace DataMesh.Engine;

/// <summary>
/// The slots of DuckDB sessions outside runs (<see cref="EngineLimits.Side"/>): the run's <c>memory_limit</c> is what
/// DuckDB's share of the instance leaves after <see cref="EngineLimits.SideSessions"/> of them, so no more may be open at
/// once. <see cref="DuckDbSession.Open"/> (<see cref="DuckDbSession.OpenAsync"/> for an asynchronous caller) takes a slot
/// before it opens such a session and the session gives it back when disposed; a session that waits longer than
/// <see cref="Wait"/> fails with <see cref="EngineBusyException"/> (an HTTP route answers 503 with <c>Retry-After</c>)
/// instead of waiting forever.
/// </summary>
/// <remarks>
/// A session that may read no file (no allowed directory: a type probe, a masking check, a transform's bind check) holds
/// no data and takes no slot, so a check run while a reader's session is open never waits on it.
/// </remarks>
public sealed class SideSessionGate
{
    /// <summary>
    /// How long a session waits for a slot by default: shorter than the rows route's own time limit (30 s), so a page
    /// that cannot start is answered 503 "busy, retry" rather than 504.
    /// </summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);

    /// <summary>The process's gate: <see cref="EngineLimits.SideSessions"/> slots, the figure the run's memory limit assumes.</summary>
    public static SideSessionGate Process { get; } = new(EngineLimits.SideSessions, DefaultWait);

    private readonly SemaphoreSlim _slots;

    /// <summary>A gate of <paramref name="slots"/> sessions, each waiting at most <paramref name="wait"/> for one.</summary>
    public SideSessionGate(int slots, TimeSpan wait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        Slots = slots;
        Wait = wait;
        _slots = new SemaphoreSlim(slots, slots);
    }

    /// <summary>Sessions that may be open at once.</summary>
    public int Slots { get; }

    /// <summary>The longest a session waits for a slot before <see cref="EngineBusyException"/>.</summary>
    public TimeSpan Wait { get; }

    /// <summary>Slots free now.</summary>
    public int Free => _slots.CurrentCount;

    /// <summary>
    /// Takes a slot, waiting at most <see cref="Wait"/>; the returned handle gives it back once, when disposed.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    /// <exception cref="EngineBusyException">No slot freed within <see cref="Wait"/>.</exception>
    /// <remarks>Blocks the calling thread while it waits: an asynchronous caller awaits <see cref="EnterAsync"/> instead.</remarks>
    public IDisposable Enter(CancellationToken cancellationToken) =>
        _slots.Wait(Wait, cancellationToken) ? new Slot(_slots) : throw Busy();

    /// <summary>
    /// Takes a slot as <see cref="Enter"/> does (same slots, same wait, same failures), without holding a thread while it
    /// waits: a burst of pages waiting for a slot does not starve the thread pool that the sessions freeing them run on.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    /// <exception cref="EngineBusyException">No slot freed within <see cref="Wait"/>.</exception>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken) =>
        await _slots.WaitAsync(Wait, cancellationToken).ConfigureAwait(false) ? new Slot(_slots) : throw Busy();

    private EngineBusyException Busy() => new(
        $"The engine is busy: {Slots} DuckDB session(s) outside runs (reads, queries, compaction) are open and none freed within {Wait.TotalSeconds:0.#} s; retry shortly.",
        Wait);

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}

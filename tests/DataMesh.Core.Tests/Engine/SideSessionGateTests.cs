using DataMesh.Engine;
using DataMesh.Pipeline;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// The budget of DuckDB sessions outside runs is enforced where sessions open (<see cref="DuckDbSession.Open"/>): the run's
/// memory limit leaves room for <see cref="EngineLimits.SideSessions"/> of them, and a further one waits for a slot,
/// gives up when its caller cancels, and fails "busy, retry" past the gate's wait. Each test has a gate of its own, so
/// sessions of tests running beside it take none of its slots.
/// </summary>
public sealed class SideSessionGateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-side-gate-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ProcessGate_Slots_AreTheSideSessionsTheRunsMemoryLimitLeavesRoomFor()
    {
        // Arrange: an instance whose run limit is what DuckDB's share leaves after the side sessions.
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(2048 * EngineLimits.Megabyte, 4, null, IsInstance: true));
        var duckDbMB = (long)((2048 - EngineLimits.FunctionsHostMB - EngineLimits.WorkerMB) * EngineLimits.DuckDbShare);
        var sideMB = EngineLimits.Megabytes(limits.SideMemoryLimit)!.Value;

        // Assert: the gate has exactly the slots the run's limit took off, and every side session takes the process gate.
        Assert.Equal(EngineLimits.SideSessions, SideSessionGate.Process.Slots);
        Assert.Equal(duckDbMB - (SideSessionGate.Process.Slots * sideMB), EngineLimits.Megabytes(limits.MemoryLimit));
        Assert.Same(SideSessionGate.Process, limits.Side.Gate);
        Assert.Same(SideSessionGate.Process, EngineLimits.Process.Side.Gate);
        Assert.Null(limits.Run.Gate);
        Assert.Null(limits.Quality.Gate);
    }

    [Fact]
    public async Task Open_ThirdSideSessionWhileTwoAreOpen_WaitsForASlotAndOpensWhenOneCloses()
    {
        // Arrange: the budget's two sessions open.
        var gate = new SideSessionGate(EngineLimits.SideSessions, TimeSpan.FromMinutes(5));
        using var first = DuckDbSession.Open(Options(gate));
        var second = DuckDbSession.Open(Options(gate));

        // Act: a third asks for a slot.
        var third = Task.Run(() => DuckDbSession.Open(Options(gate)));
        var finishedWhileFull = await Task.WhenAny(third, Task.Delay(TimeSpan.FromMilliseconds(500))) == third;
        second.Dispose();
        using var opened = await third.WaitAsync(TimeSpan.FromMinutes(2));

        // Assert: it waited while both slots were taken, opened once one was given back, and works.
        Assert.False(finishedWhileFull);
        Assert.Equal(42, Convert.ToInt32(opened.Scalar("SELECT 42"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, gate.Free);
        opened.Dispose();
        first.Dispose();
        Assert.Equal(EngineLimits.SideSessions, gate.Free);
    }

    [Fact]
    public async Task Open_CancelledWhileWaitingForASlot_ThrowsOperationCanceledAndTakesNoSlot()
    {
        // Arrange
        var gate = new SideSessionGate(1, TimeSpan.FromMinutes(5));
        using var open = DuckDbSession.Open(Options(gate));
        using var cancel = new CancellationTokenSource();
        var waiting = Task.Run(() => DuckDbSession.Open(Options(gate) with { Cancellation = cancel.Token }));
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(200)));

        // Act
        await cancel.CancelAsync();

        // Assert: the caller's cancellation ends the wait; the slot stays the open session's, and frees with it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, gate.Free);
        open.Dispose();
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public void Open_NoSlotFreesWithinTheWait_ThrowsEngineBusyWithRetryAfter()
    {
        // Arrange
        var gate = new SideSessionGate(1, TimeSpan.FromMilliseconds(100));
        using var open = DuckDbSession.Open(Options(gate));

        // Act
        var busy = Assert.Throws<EngineBusyException>(() => DuckDbSession.Open(Options(gate)));

        // Assert: a clear "busy, retry" with when to retry; nothing opened, the slot still the open session's.
        Assert.Contains("busy", busy.Message, StringComparison.Ordinal);
        Assert.Contains("retry", busy.Message, StringComparison.Ordinal);
        Assert.Equal(gate.Wait, busy.RetryAfter);
        Assert.Equal(0, gate.Free);
    }

    [Fact]
    public void Open_SessionThatMayReadNoFile_TakesNoSlot()
    {
        // Arrange: every slot taken by a session reading files.
        var gate = new SideSessionGate(1, TimeSpan.FromMilliseconds(100));
        using var open = DuckDbSession.Open(Options(gate));

        // Act: a probe (no allowed directory), as a type or masking check opens.
        using var probe = DuckDbSession.Open(Options(gate) with { AllowedDirectories = [], TempDirectory = "" });

        // Assert
        Assert.Equal(1, Convert.ToInt32(probe.Scalar("SELECT 1"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Dispose_Twice_GivesTheSlotBackOnce()
    {
        var gate = new SideSessionGate(2, TimeSpan.FromMilliseconds(100));
        using var other = DuckDbSession.Open(Options(gate));
        var session = DuckDbSession.Open(Options(gate));

        session.Dispose();
        session.Dispose();

        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task EnterAsync_FarMoreWaitersThanPoolThreads_HoldNoThreadAndAllEnterAsSlotsFree()
    {
        // Arrange: every slot held, and many more waiters to come than the pool starts threads for (a burst of pages).
        var gate = new SideSessionGate(EngineLimits.SideSessions, TimeSpan.FromMinutes(5));
        var held = Enumerable.Range(0, gate.Slots).Select(_ => gate.Enter(CancellationToken.None)).ToList();
        ThreadPool.GetMinThreads(out var poolThreads, out _);
        var count = (poolThreads * 4) + 64;

        // Act: one thread starts every waiter; each gives its slot back once it has it.
        var waiters = Enumerable.Range(0, count).Select(_ => EnterAndLeave(gate)).ToList();
        var pendingWhileFull = waiters.Count(w => !w.IsCompleted);
        held.ForEach(h => h.Dispose());
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromMinutes(2));

        // Assert: each call returned at once, still waiting (no thread blocked on it), and every waiter got a slot in turn.
        Assert.Equal(count, pendingWhileFull);
        Assert.All(waiters, w => Assert.True(w.IsCompletedSuccessfully));
        Assert.Equal(gate.Slots, gate.Free);

        static async Task EnterAndLeave(SideSessionGate gate)
        {
            using var slot = await gate.EnterAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task OpenAsync_ThirdSideSessionWhileTwoAreOpen_ReturnsWithoutBlockingAndOpensWhenOneCloses()
    {
        // Arrange: the budget's two sessions open.
        var gate = new SideSessionGate(EngineLimits.SideSessions, TimeSpan.FromMinutes(5));
        using var first = await DuckDbSession.OpenAsync(Options(gate));
        var second = await DuckDbSession.OpenAsync(Options(gate));

        // Act: a third asks for a slot on this thread.
        var third = DuckDbSession.OpenAsync(Options(gate));
        var pendingWhileFull = !third.IsCompleted;
        second.Dispose();
        using var opened = await third.WaitAsync(TimeSpan.FromMinutes(2));

        // Assert: the call did not block its thread while both slots were taken, and opened once one was given back.
        Assert.True(pendingWhileFull);
        Assert.Equal(42, Convert.ToInt32(opened.Scalar("SELECT 42"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, gate.Free);
        opened.Dispose();
        opened.Dispose();
        first.Dispose();
        Assert.Equal(EngineLimits.SideSessions, gate.Free);
    }

    [Fact]
    public async Task OpenAsync_CancelledWhileWaitingForASlot_ThrowsOperationCanceledAndTakesNoSlot()
    {
        // Arrange: the only slot held, a session waiting for it.
        var gate = new SideSessionGate(1, TimeSpan.FromMinutes(5));
        using var open = DuckDbSession.Open(Options(gate));
        using var cancel = new CancellationTokenSource();
        var waiting = DuckDbSession.OpenAsync(Options(gate) with { Cancellation = cancel.Token });

        // Act
        await cancel.CancelAsync();

        // Assert: the caller's cancellation ends the wait; the slot stays the open session's, and frees with it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, gate.Free);
        open.Dispose();
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task OpenAsync_NoSlotFreesWithinTheWait_ThrowsEngineBusyWithRetryAfter()
    {
        // Arrange
        var gate = new SideSessionGate(1, TimeSpan.FromMilliseconds(100));
        using var open = DuckDbSession.Open(Options(gate));

        // Act
        var busy = await Assert.ThrowsAsync<EngineBusyException>(() => DuckDbSession.OpenAsync(Options(gate)).WaitAsync(TimeSpan.FromMinutes(2)));

        // Assert: the same "busy, retry" as a synchronous open; nothing opened, the slot still the open session's.
        Assert.Contains("busy", busy.Message, StringComparison.Ordinal);
        Assert.Contains("retry", busy.Message, StringComparison.Ordinal);
        Assert.Equal(gate.Wait, busy.RetryAfter);
        Assert.Equal(0, gate.Free);
    }

    [Fact]
    public async Task OpenAsync_OpenFailsAfterTakingTheSlot_GivesTheSlotBack()
    {
        // Arrange: a spill folder that cannot be created (its parent is a file).
        var gate = new SideSessionGate(1, TimeSpan.FromMilliseconds(100));
        var file = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(file, "");

        // Act
        var error = await Record.ExceptionAsync(() => DuckDbSession.OpenAsync(Options(gate) with { TempDirectory = Path.Combine(file, "tmp") }));

        // Assert: the open failed, and the slot it took is free again.
        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task OpenLockedAsync_SetupFails_GivesTheSlotBack()
    {
        var gate = new SideSessionGate(1, TimeSpan.FromMilliseconds(100));

        var error = await Record.ExceptionAsync(() => DuckDbSession.OpenLockedAsync(Options(gate), "CREATE VIEW v AS SELECT * FROM no_such_table"));

        Assert.NotNull(error);
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task EnterAsync_SlotDisposedTwice_GivesItBackOnce()
    {
        var gate = new SideSessionGate(2, TimeSpan.FromMilliseconds(100));
        using var other = await gate.EnterAsync(CancellationToken.None);
        var slot = await gate.EnterAsync(CancellationToken.None);

        slot.Dispose();
        slot.Dispose();

        Assert.Equal(1, gate.Free);
    }

    private DuckDbSessionOptions Options(SideSessionGate gate) => new()
    {
        AllowedDirectories = [_root],
        TempDirectory = Path.Combine(_root, "tmp-" + Guid.NewGuid().ToString("N")[..8]),
        Limits = EngineLimits.Process.Side with { Gate = gate },
    };
}

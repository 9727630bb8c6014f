using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The CLI as a terminal runs it, interrupted: started in a process group of its own (as a shell job is), signalled once
/// a stderr line shows the work has started, then given <see cref="ExitWithin"/> to end (the bound for Ctrl+C).
/// </summary>
internal static class SignalledCli
{
    public const int SigInt = 2;
    public const int SigStop = 19;
    public const int SigCont = 18;

    /// <summary>From the signal to the process gone.</summary>
    public static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Starts <c>datamesh <paramref name="args"/></c> in <paramref name="workingDirectory"/>, waits for a stderr line containing
    /// <paramref name="ready"/>, sends SIGINT to the process (or its whole group: <paramref name="wholeGroup"/>), and again once a
    /// line containing <paramref name="secondSignalAfter"/> appears; returns how it ended (<c>Exited</c> false: still running
    /// after <see cref="ExitWithin"/>, then killed).
    /// </summary>
    public static async Task<(int ExitCode, bool Exited, string StdErr)> InterruptAsync(
        string workingDirectory, IDictionary<string, string> environment, IEnumerable<string> args, string ready,
        bool wholeGroup = false, Action? beforeSignal = null, string? secondSignalAfter = null)
    {
        var start = new ProcessStartInfo("/usr/bin/setsid")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // SIGINT back to its default before the CLI starts: a test run started from a script's background job (`dotnet test
        // ... &`) ignores SIGINT, its children inherit the ignore, and .NET (as any Unix program) leaves an inherited ignore
        // alone, so the CLI would never see the Ctrl+C under test. GNU env's --default-signal resets it across the exec.
        foreach (var arg in new[] { "/usr/bin/env", "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "datamesh.dll") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DATAMESH_STORAGE");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var stderr = new ConcurrentQueue<string>();
        using var process = Process.Start(start)!;

        // The CLI's output is read, and its exit awaited, on threads of their own: the bound is then measured on the CLI,
        // never on this test host's thread pool, which other tests running in parallel may keep busy (a late callback
        // would read as a CLI that neither answered the signal nor exited).
        var clock = Stopwatch.StartNew();
        var signalledAt = TimeSpan.Zero;
        var errorReader = new Thread(() =>
        {
            while (process.StandardError.ReadLine() is { } line)
            {
                stderr.Enqueue(signalledAt == TimeSpan.Zero ? line : $"{line}    [{(clock.Elapsed - signalledAt).TotalSeconds:0.0} s after the signal]");
            }
        }) { IsBackground = true };
        var outputReader = new Thread(() => process.StandardOutput.ReadToEnd()) { IsBackground = true };
        errorReader.Start();
        outputReader.Start();
        try
        {
            await WaitForLineAsync(process, stderr, ready);
            beforeSignal?.Invoke();

            // Ctrl+C (and again).
            signalledAt = clock.Elapsed;
            Assert.Equal(0, Signal(wholeGroup ? -process.Id : process.Id, SigInt));
            if (secondSignalAfter is not null)
            {
                await WaitForLineAsync(process, stderr, secondSignalAfter);
                Assert.Equal(0, Signal(process.Id, SigInt));
            }

            var remaining = ExitWithin - (clock.Elapsed - signalledAt);
            if (remaining <= TimeSpan.Zero || !await Task.Factory.StartNew(() => process.WaitForExit(remaining), TaskCreationOptions.LongRunning))
            {
                // Whether it ended at all, and when, tells a slow exit from a hang.
                var late = await Task.Factory.StartNew(() => process.WaitForExit(TimeSpan.FromSeconds(30)), TaskCreationOptions.LongRunning);
                var after = (clock.Elapsed - signalledAt).TotalSeconds;
                stderr.Enqueue(late ? $"(test: the CLI exited {after:0.0} s after the signal)" : $"(test: the CLI was still running {after:0.0} s after the signal)");
                return (-1, false, string.Join('\n', stderr));
            }

            errorReader.Join(TimeSpan.FromSeconds(30)); // The rest of the redirected output.
            return (process.ExitCode, true, string.Join('\n', stderr));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    /// <summary>kill(2): a negative id signals the whole process group.</summary>
    public static int Signal(int processId, int signal) => Kill(processId, signal);

    private static async Task WaitForLineAsync(Process process, ConcurrentQueue<string> stderr, string text)
    {
        var started = Stopwatch.StartNew();
        while (!stderr.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.False(process.HasExited, $"the CLI ended before printing '{text}':\n" + string.Join('\n', stderr));
            Assert.True(started.Elapsed < TimeSpan.FromMinutes(4), $"no line '{text}' within 4 minutes:\n" + string.Join('\n', stderr));
            await Task.Delay(50);
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int processId, int signal);
}

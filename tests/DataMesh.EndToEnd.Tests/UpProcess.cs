using System.Collections.Concurrent;
using System.Diagnostics;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// A real <c>datamesh up</c> child process serving the mesh folder it started in, its stdout and stderr lines kept in
/// order of arrival (<see cref="Log"/>); disposing it kills it.
/// </summary>
internal sealed class UpProcess : IDisposable
{
    private readonly Process _process;

    private UpProcess(Process process, ConcurrentQueue<string> log)
    {
        _process = process;
        Log = log;
    }

    /// <summary>Every line printed so far, stdout and stderr together.</summary>
    public ConcurrentQueue<string> Log { get; }

    /// <summary>Starts <c>datamesh up</c> in <paramref name="meshFolder"/> on a free loopback port with <paramref name="environment"/>.</summary>
    public static UpProcess Start(string meshFolder, IDictionary<string, string> environment)
    {
        var process = StartCli(meshFolder, UpArguments(), environment, out var lines);
        return new UpProcess(process, lines);
    }

    /// <summary><c>up</c> on a free loopback port.</summary>
    public static string[] UpArguments() => ["up", "--port", LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>
    /// Starts <c>datamesh</c> with <paramref name="arguments"/> in <paramref name="folder"/>, with <paramref name="environment"/>
    /// over this process's (less <c>DATAMESH_STORAGE</c>: the child's storage is the environment's or its folder's), its
    /// stdout and stderr lines kept in <paramref name="log"/> in order of arrival. A test that sends it SIGINT starts it
    /// with <see cref="SignalledCli"/> instead.
    /// </summary>
    public static Process StartCli(string folder, IEnumerable<string> arguments, IEnumerable<KeyValuePair<string, string>> environment, out ConcurrentQueue<string> log)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datamesh.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("DATAMESH_STORAGE");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var lines = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lines.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lines.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log = lines;
        return process;
    }

    /// <summary>The lines printed so far that contain every one of <paramref name="texts"/>.</summary>
    public IReadOnlyList<string> Lines(params string[] texts) =>
        Log.Where(l => texts.All(t => l.Contains(t, StringComparison.Ordinal))).ToList();

    /// <summary>
    /// Waits until <paramref name="count"/> lines contain every one of <paramref name="texts"/>, failing with the whole
    /// log when <c>up</c> exits first or <paramref name="seconds"/> pass; returns the last such line.
    /// </summary>
    public async Task<string> WaitForLineAsync(string[] texts, int count = 1, int seconds = 240)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Lines(texts) is var found && found.Count < count)
        {
            Assert.False(_process.HasExited, $"datamesh up exited early:\n{string.Join('\n', Log)}");
            Assert.True(DateTime.UtcNow < deadline, $"No {count} line(s) with '{string.Join("', '", texts)}' within {seconds} s:\n{string.Join('\n', Log)}");
            await Task.Delay(100);
        }

        return Lines(texts)[count - 1];
    }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}

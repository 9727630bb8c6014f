using System.Collections.Concurrent;
using System.Diagnostics;

namespace DataMesh.Local.Azurite;

/// <summary>
/// The last lines a child process wrote to stdout and stderr: drained continuously so the child never
/// blocks on a full pipe, and kept so a failed start can say why.
/// </summary>
internal sealed class ProcessOutputTail
{
    private const int MaxLines = 200;

    private readonly ConcurrentQueue<string> _lines = new();

    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, line) => Add(line.Data);
        process.ErrorDataReceived += (_, line) => Add(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public bool Contains(string text) => _lines.Any(line => line.Contains(text, StringComparison.Ordinal));

    public override string ToString() => _lines.IsEmpty ? "(Azurite printed nothing)" : string.Join(Environment.NewLine, _lines);

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > MaxLines)
        {
            _lines.TryDequeue(out _);
        }
    }
}

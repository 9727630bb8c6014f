using System.Diagnostics;

namespace DataMesh.Cli.Commands;

/// <summary>
/// This process's resident set (RSS), from <c>/proc/self/status</c> on Linux (the kernel's own figures, peak included),
/// else from <see cref="Process"/>.
/// </summary>
internal static class ResidentSet
{
    /// <summary>The resident set now, in bytes.</summary>
    public static long Current() => Read("VmRSS:") ?? Refreshed().WorkingSet64;

    /// <summary>The most the resident set has been since the process started (the kernel's high-water mark), in bytes.</summary>
    public static long Peak() => Read("VmHWM:") ?? Refreshed().PeakWorkingSet64;

    private static Process Refreshed()
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        return process;
    }

    private static long? Read(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmRSS:     123456 kB"
                var kilobytes = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>Samples the resident set on its own thread until stopped: the peak of a span of time, where the kernel keeps only the process's.</summary>
    internal sealed class Sampler : IDisposable
    {
        private readonly List<(DateTimeOffset At, long Bytes)> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public Sampler(TimeSpan every)
        {
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var sample = (DateTimeOffset.UtcNow, Current());
                    lock (_samples)
                    {
                        _samples.Add(sample);
                    }

                    _stop.Token.WaitHandle.WaitOne(every);
                }
            })
            { IsBackground = true, Name = "rss-sampler" };
            _thread.Start();
        }

        /// <summary>Stops sampling and returns the samples, oldest first.</summary>
        public List<(DateTimeOffset At, long Bytes)> Stop()
        {
            _stop.Cancel();
            _thread.Join();
            lock (_samples)
            {
                return [.. _samples];
            }
        }

        public void Dispose()
        {
            if (!_stop.IsCancellationRequested)
            {
                Stop();
            }

            _stop.Dispose();
        }
    }
}

using System.Diagnostics;

namespace DataMesh.Local.Tests.Azurite;

/// <summary>Whether a process id names a live process.</summary>
internal static class ProcessState
{
    public static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Ids of live processes with this exact command-line argument (read from /proc; empty elsewhere).</summary>
    public static IReadOnlyList<int> RunningWithArgument(string argument)
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux())
        {
            return found;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(directory), out var processId))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(System.IO.Path.Combine(directory, "cmdline")).Split('\0');
                if (arguments.Contains(argument, StringComparer.Ordinal))
                {
                    found.Add(processId);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return found;
    }

    /// <summary>Starts a node process that idles for a minute: a live pid that is not Azurite.</summary>
    public static Process StartIdleNode() =>
        Process.Start(new ProcessStartInfo("node") { ArgumentList = { "-e", "setTimeout(() => {}, 60000)" }, UseShellExecute = false })
        ?? throw new InvalidOperationException("Could not start node.");

    /// <summary>The id of a process that has already exited.</summary>
    public static async Task<int> ExitedProcessIdAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("node") { ArgumentList = { "-e", "" }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start node.");
        await process.WaitForExitAsync();
        return process.Id;
    }
}

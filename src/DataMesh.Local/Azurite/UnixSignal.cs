using System.Runtime.InteropServices;

namespace DataMesh.Local.Azurite;

/// <summary>
/// Sends SIGTERM to a child on Unix so Azurite flushes its persisted metadata and closes its ports;
/// <see cref="System.Diagnostics.Process.Kill(bool)"/> only sends SIGKILL.
/// </summary>
internal static class UnixSignal
{
    private const int SigTerm = 15;

    /// <summary>Asks the process to terminate; false when that is not possible here (Windows, no libc).</summary>
    public static bool TryTerminate(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return Kill(processId, SigTerm) == 0;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int processId, int signal);
}

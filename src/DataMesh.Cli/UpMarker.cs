using System.Diagnostics;
using System.Text.Json;

namespace DataMesh.Cli;

/// <summary>
/// <c>.datamesh/up.json</c>: says that a <c>datamesh up</c> serves this mesh (its pid and catalog URL), so other
/// commands hand their work to it instead of running a second worker.
/// </summary>
internal static class UpMarker
{
    private const string FileName = "up.json";

    /// <summary>Writes the marker for this process and returns its path.</summary>
    public static string Write(string stateDirectory, string url)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(new Marker(Environment.ProcessId, url)));
        return path;
    }

    /// <summary>The catalog URL of a live <c>datamesh up</c> on this mesh, or null (no marker, or its process is gone).</summary>
    public static string? FindServing(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var marker = JsonSerializer.Deserialize<Marker>(File.ReadAllText(path));
            using var process = marker is null ? null : Process.GetProcessById(marker.Pid);
            return process is { HasExited: false } ? marker!.Url : null;
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or IOException or InvalidOperationException)
        {
            return null; // a stale or unreadable marker: nobody serves the mesh
        }
    }

    private sealed record Marker(int Pid, string Url);
}

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace DataMesh.Local.Azurite;

/// <summary>
/// <c>storage-ports.json</c> in a mesh's state folder: the loopback ports its Azurite listens on, chosen once and kept,
/// so the storage URIs the catalog records (release locations) and the endpoints <c>up</c> prints stay valid whenever
/// the mesh runs, across restarts, instead of dying with the Azurite of one command.
/// </summary>
internal static class MeshStoragePorts
{
    /// <summary>The file name under the state folder.</summary>
    public const string FileName = "storage-ports.json";

    // Below the ephemeral ranges (Linux 32768-60999, Windows and macOS 49152-65535), so no outgoing connection takes a
    // mesh's port between two runs, and clear of Azurite's own 10000-10002, where a developer's own Azurite listens.
    private const int RangeStart = 20000;
    private const int Triples = (32700 - RangeStart) / 3;
    private const int CandidatesTried = 64;

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>The stored ports; null when none are stored yet (or the file cannot be read, which chooses again).</summary>
    public static AzuritePortsRecord? Read(string stateDirectory)
    {
        try
        {
            var ports = JsonSerializer.Deserialize(File.ReadAllText(PathIn(stateDirectory)), AzuriteJsonContext.Default.AzuritePortsRecord);
            return ports is { Blob: > 0 and < 65536, Queue: > 0 and < 65536, Table: > 0 and < 65536 } ? ports : null;
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stores the ports through a temporary file and a rename, so a reader never sees half of them.</summary>
    public static void Write(string stateDirectory, AzuritePortsRecord ports)
    {
        var path = PathIn(stateDirectory);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(ports, AzuriteJsonContext.Default.AzuritePortsRecord));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Three consecutive free ports (blob, queue, table, as Azurite's 10000-10002) for a mesh that has none yet: the first
    /// free triple from a start derived from the state folder's path, so two meshes rarely pick the same; attempt n
    /// starts further on (a port taken between the check and Azurite's bind).
    /// </summary>
    public static AzuritePortsRecord? Choose(string stateDirectory, int attempt)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(stateDirectory)));
        var start = (int)(BitConverter.ToUInt32(hash, 0) % Triples);
        for (var i = 0; i < CandidatesTried; i++)
        {
            var blob = RangeStart + (3 * ((start + ((attempt - 1) * CandidatesTried) + i) % Triples));
            var ports = new AzuritePortsRecord(blob, blob + 1, blob + 2);
            if (AreFree(ports))
            {
                return ports;
            }
        }

        return null;
    }

    /// <summary>True when nothing listens on any of the three ports (each can be bound on loopback now).</summary>
    public static bool AreFree(AzuritePortsRecord ports)
    {
        foreach (var port in new[] { ports.Blob, ports.Queue, ports.Table })
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException)
            {
                return false;
            }
            finally
            {
                listener.Stop();
            }
        }

        return true;
    }
}

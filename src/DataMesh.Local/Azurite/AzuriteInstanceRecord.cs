using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataMesh.Local.Azurite;

/// <summary>
/// The content of <c>azurite.json</c>: which Azurite serves a state directory, and the folder of the account keys it serves
/// (<c>accountKeys</c>, a path, never a key; absent in records written before it existed, which means the state folder's
/// <c>storage-keys</c>).
/// </summary>
internal sealed record AzuriteInstanceRecord(
    [property: JsonPropertyName("pid")] int ProcessId,
    [property: JsonPropertyName("ports")] AzuritePortsRecord? Ports,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("accountKeys")] string? AccountKeysDirectory = null)
{
    /// <summary>Reads the record; null when the file is missing or unreadable, which counts as stale.</summary>
    public static AzuriteInstanceRecord? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), AzuriteJsonContext.Default.AzuriteInstanceRecord);
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the record through a temporary file and a rename, so readers never see half of it.</summary>
    public void WriteAtomically(string path)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, AzuriteJsonContext.Default.AzuriteInstanceRecord));
        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}

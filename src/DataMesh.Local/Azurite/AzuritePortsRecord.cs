using System.Text.Json.Serialization;

namespace DataMesh.Local.Azurite;

/// <summary>The <c>ports</c> object of <c>azurite.json</c>.</summary>
internal sealed record AzuritePortsRecord(
    [property: JsonPropertyName("blob")] int Blob,
    [property: JsonPropertyName("queue")] int Queue,
    [property: JsonPropertyName("table")] int Table);

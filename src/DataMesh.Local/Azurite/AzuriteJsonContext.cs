using System.Text.Json.Serialization;

namespace DataMesh.Local.Azurite;

/// <summary>Source-generated serialisation of <c>azurite.json</c>, so it also works trimmed or AOT-compiled.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(AzuriteInstanceRecord))]
[JsonSerializable(typeof(AzuritePortsRecord))]
internal sealed partial class AzuriteJsonContext : JsonSerializerContext;

using System.Text.Json.Nodes;

namespace DataMesh.Testing;

/// <summary>One request an <see cref="OpenLineageReceiver"/> received: its path, content type and JSON body (null when not JSON).</summary>
public sealed record OpenLineageRequest(string Path, string ContentType, JsonNode? Body);

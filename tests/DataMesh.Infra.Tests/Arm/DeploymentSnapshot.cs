using System.Text.Json.Nodes;

namespace DataMesh.Infra.Tests.Arm;

/// <summary>
/// What <c>bicep snapshot</c> predicts a deployment creates: every resource of every nested module with its id, name
/// and properties evaluated for the given parameters; values known only in Azure stay <c>[reference(...)]</c>.
/// </summary>
public sealed class DeploymentSnapshot
{
    public DeploymentSnapshot(string json)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("The snapshot is not a JSON object.");
        Resources = (root["predictedResources"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        Outputs = root["outputs"] as JsonObject ?? [];
        Diagnostics = (root["diagnostics"] as JsonArray ?? []).Select(d => d?.ToJsonString() ?? "").ToList();
    }

    public IReadOnlyList<JsonObject> Resources { get; }

    public JsonObject Outputs { get; }

    public IReadOnlyList<string> Diagnostics { get; }

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Text("type"), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The one resource of a type; fails the test when there is none or several.</summary>
    public JsonObject Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected exactly one {type}, found {matches.Count}.");
        return matches[0];
    }

    public string? Output(string name) => Outputs.Text(name);

    /// <summary>The app settings of a site as name → value.</summary>
    public static IReadOnlyDictionary<string, string> AppSettings(JsonObject site) =>
        (site.At("properties.siteConfig.appSettings") as JsonArray ?? [])
            .OfType<JsonObject>()
            .ToDictionary(s => s.Text("name") ?? "", s => s.Text("value") ?? "", StringComparer.Ordinal);
}

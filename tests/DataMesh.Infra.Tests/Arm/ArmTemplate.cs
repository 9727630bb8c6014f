using System.Text.Json.Nodes;

namespace DataMesh.Infra.Tests.Arm;

/// <summary>
/// A template compiled by <c>bicep build</c> and every resource and output in it, the templates of nested module
/// deployments included. Handles both resource layouts: an array (languageVersion 1) and a symbolic-name object (2.0).
/// </summary>
public sealed class ArmTemplate
{
    private const string DeploymentType = "Microsoft.Resources/deployments";

    public ArmTemplate(string sourceFile, string json)
    {
        SourceFile = sourceFile;
        Json = json;
        Root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException($"{sourceFile}: the compiled template is not a JSON object.");
        var resources = new List<ArmResource>();
        var outputs = new List<KeyValuePair<string, JsonObject>>();
        Collect(Root, resources, outputs);
        Resources = resources;
        Outputs = outputs;
    }

    /// <summary>The .bicep file, relative to <c>infra/</c>.</summary>
    public string SourceFile { get; }

    /// <summary>The compiled JSON as written.</summary>
    public string Json { get; }

    public JsonObject Root { get; }

    public IReadOnlyList<ArmResource> Resources { get; }

    /// <summary>Every output, of this template and of each nested deployment's template.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonObject>> Outputs { get; }

    /// <summary>Resources of a type that this template deploys (not <c>existing</c> references).</summary>
    public IEnumerable<ArmResource> Deployed(string type) =>
        Resources.Where(r => !r.Existing && string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => SourceFile;

    private static void Collect(JsonObject template, List<ArmResource> resources, List<KeyValuePair<string, JsonObject>> outputs)
    {
        var bodies = template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject symbolic => symbolic.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var body in bodies)
        {
            var type = body.Text("type") ?? "";
            resources.Add(new ArmResource(type, body, body.IsLiteral("existing", true)));
            if (type == DeploymentType && body.At("properties.template") is JsonObject nested)
            {
                Collect(nested, resources, outputs);
            }
        }

        if (template["outputs"] is JsonObject declared)
        {
            outputs.AddRange(declared.Where(p => p.Value is JsonObject).Select(p => KeyValuePair.Create(p.Key, p.Value!.AsObject())));
        }
    }
}

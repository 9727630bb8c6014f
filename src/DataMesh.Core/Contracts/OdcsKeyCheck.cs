using DataMesh.Specs;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Contracts;

/// <summary>
/// Walks a whole contract document and reports every key that the ODCS v3 object it sits in does not define
/// (<see cref="ContractDiagnosticCodes.UnknownContractKey"/>, at the key, with did-you-mean), and every
/// <c>customProperties</c> entry whose name is a near miss of one the platform interprets
/// (<see cref="ContractDiagnosticCodes.UnknownCustomProperty"/>): <c>property: maskng</c> would otherwise be
/// silently ignored and publish the column in clear.
/// </summary>
/// <remarks>
/// Free-form values (<c>arguments</c>, <c>logicalTypeOptions</c>, <c>customProperties</c> values, <c>examples</c>) are
/// not walked. One diagnostic per key: the walk never descends below a key it rejected.
/// </remarks>
internal sealed class OdcsKeyCheck
{
    /// <summary>The <c>customProperties</c> names the platform reads (see <see cref="ContractReader"/>).</summary>
    public static readonly IReadOnlyList<string> PlatformCustomProperties = ["masking", "maskingScope"];

    private readonly DiagnosticSink _sink;

    private OdcsKeyCheck(DiagnosticSink sink)
    {
        _sink = sink;
    }

    public static void Check(YamlMappingNode root, DiagnosticSink sink) => new OdcsKeyCheck(sink).Object(root, OdcsObject.Root, "");

    private void Object(YamlMappingNode node, OdcsObject kind, string path)
    {
        var allowed = OdcsKeys.Of(kind);
        foreach (var (keyNode, value) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                continue;
            }

            var at = path.Length == 0 ? key : $"{path}.{key}";
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                var near = Spelling.Closest(key, allowed) ?? allowed.FirstOrDefault(a => string.Equals(a, key, StringComparison.OrdinalIgnoreCase));
                var fix = near is not null
                    ? $" (did you mean '{near}'?); fix the spelling"
                    : $"; use one of {string.Join(", ", allowed)}";
                _sink.Error(keyNode, ContractDiagnosticCodes.UnknownContractKey,
                    $"{at}: '{key}' is not a key of an ODCS {Describe(kind)}{fix}, "
                    + $"or keep data of your own in customProperties: [{{ property: {key}, value: ... }}] (keys of ODCS {OdcsKeys.SchemaVersions}).");
                continue;
            }

            Child(kind, key, value, at);
        }
    }

    private void Child(OdcsObject parent, string key, YamlNode value, string path)
    {
        switch (parent, key)
        {
            case (_, "customProperties"):
                CustomProperties(value, path);
                break;
            case (_, "authoritativeDefinitions"):
                Items(value, OdcsObject.AuthoritativeDefinition, path);
                break;
            case (OdcsObject.Root, "description") when value is YamlMappingNode description:
                Object(description, OdcsObject.Description, path);
                break;
            case (OdcsObject.Root, "servers"):
                Items(value, OdcsObject.Server, path);
                break;
            case (OdcsObject.Root, "schema"):
                Items(value, OdcsObject.SchemaObject, path);
                break;
            case (OdcsObject.Root, "team") when value is YamlMappingNode team:
                Object(team, OdcsObject.Team, path);
                break;
            case (OdcsObject.Root, "team"):
                Items(value, OdcsObject.TeamMember, path); // v3.0.x: team is the list of members
                break;
            case (OdcsObject.Team, "members"):
                Items(value, OdcsObject.TeamMember, path);
                break;
            case (OdcsObject.Root or OdcsObject.Server, "roles"):
                Items(value, OdcsObject.Role, path);
                break;
            case (OdcsObject.Root, "support"):
                Items(value, OdcsObject.SupportItem, path);
                break;
            case (OdcsObject.Root, "price") when value is YamlMappingNode price:
                Object(price, OdcsObject.Pricing, path);
                break;
            case (OdcsObject.Root, "slaProperties"):
                Items(value, OdcsObject.SlaProperty, path);
                break;
            case (OdcsObject.SchemaObject or OdcsObject.SchemaProperty or OdcsObject.SchemaItemProperty, "properties"):
                Items(value, OdcsObject.SchemaProperty, path);
                break;
            case (OdcsObject.SchemaProperty or OdcsObject.SchemaItemProperty, "items") when value is YamlMappingNode items:
                Object(items, OdcsObject.SchemaItemProperty, path);
                break;
            case (OdcsObject.SchemaObject or OdcsObject.SchemaProperty or OdcsObject.SchemaItemProperty, "quality"):
                Items(value, OdcsObject.Quality, path);
                break;
            case (OdcsObject.SchemaObject or OdcsObject.SchemaProperty or OdcsObject.SchemaItemProperty, "relationships"):
                Items(value, OdcsObject.Relationship, path);
                break;
        }
    }

    private void Items(YamlNode value, OdcsObject kind, string path)
    {
        if (value is not YamlSequenceNode sequence)
        {
            return; // a wrong type is the reader's (or the schema's) diagnostic
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlMappingNode item)
            {
                Object(item, kind, $"{path}[{Label(item, i)}]");
            }
        }
    }

    private void CustomProperties(YamlNode value, string path)
    {
        if (value is not YamlSequenceNode entries)
        {
            return;
        }

        for (var i = 0; i < entries.Children.Count; i++)
        {
            if (entries.Children[i] is not YamlMappingNode entry)
            {
                continue;
            }

            var at = $"{path}[{i}]";
            Object(entry, OdcsObject.CustomProperty, at);
            if (entry.Children.TryGetValue(new YamlScalarNode("property"), out var nameNode) && nameNode is YamlScalarNode { Value: { } name }
                && !PlatformCustomProperties.Contains(name, StringComparer.Ordinal)
                && (PlatformCustomProperties.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase)) ?? Spelling.Closest(name, PlatformCustomProperties)) is { } ours)
            {
                _sink.Error(nameNode, ContractDiagnosticCodes.UnknownCustomProperty,
                    $"{at}.property: '{name}' is not a custom property the platform reads; did you mean '{ours}'? As written it is ignored "
                    + $"(a misspelt masking publishes the column in clear). The platform reads: {string.Join(", ", PlatformCustomProperties)}.");
            }
        }
    }

    /// <summary>An item's index, or <c>name=...</c> when it has a name (what a reader finds in the file).</summary>
    private static string Label(YamlMappingNode item, int index) =>
        item.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode { Value: { Length: > 0 } text }
            ? "name=" + text
            : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(OdcsObject kind) => kind switch
    {
        OdcsObject.Root => "contract (top level)",
        OdcsObject.Description => "contract description",
        OdcsObject.Server => "server",
        OdcsObject.SchemaObject => "schema object",
        OdcsObject.SchemaProperty => "schema property",
        OdcsObject.SchemaItemProperty => "array items definition",
        OdcsObject.Quality => "quality rule",
        OdcsObject.Relationship => "relationship",
        OdcsObject.Team => "team",
        OdcsObject.TeamMember => "team member",
        OdcsObject.Role => "role",
        OdcsObject.SupportItem => "support channel",
        OdcsObject.Pricing => "price",
        OdcsObject.SlaProperty => "SLA property",
        OdcsObject.CustomProperty => "custom property entry",
        OdcsObject.AuthoritativeDefinition => "authoritative definition",
        _ => kind.ToString(),
    };
}

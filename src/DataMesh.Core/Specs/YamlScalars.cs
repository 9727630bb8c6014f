using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Specs;

/// <summary>YAML 1.2 core-schema reading of scalars: which plain scalars are null, booleans and numbers.</summary>
internal static class YamlScalars
{
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode scalar
        && scalar.Style is ScalarStyle.Plain or ScalarStyle.Any
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static bool TryBoolean(YamlScalarNode scalar, out bool value)
    {
        value = false;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return false;
        }

        switch (scalar.Value)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                return true;
            default:
                return false;
        }
    }

    public static bool TryNumber(YamlScalarNode scalar, out decimal value)
    {
        value = 0;
        return scalar.Style is ScalarStyle.Plain or ScalarStyle.Any
            && decimal.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A short description of what a node is, for "expected X, found Y" messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing (null)",
        YamlScalarNode s => $"'{Shorten(s.Value ?? "")}'",
        _ => "an unsupported YAML node",
    };

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..37] + "...";
}

namespace DataMesh.Contracts;

/// <summary>
/// The keys each ODCS v3 object allows, generated from the official JSON schemas (<see cref="SchemaVersions"/>, see
/// <c>OdcsKeys.g.cs</c> and <c>tools/generate-odcs-keys.py</c>), so that a misspelt key is an error whether or not the
/// schema files are at hand when validating.
/// </summary>
internal static partial class OdcsKeys
{
    /// <summary>
    /// Quality-rule keys the contract reader also accepts outside <c>arguments</c> (older contracts wrote them at the
    /// rule's top level); the ODCS schema check, where it runs, still flags them.
    /// </summary>
    private static readonly string[] QualityReaderExtras = ["missingValues", "pattern", "validValues"];

    private static readonly Dictionary<OdcsObject, string[]> Allowed = Generated().ToDictionary(
        e => e.Key,
        e => e.Key == OdcsObject.Quality ? e.Value.Concat(QualityReaderExtras).Order(StringComparer.Ordinal).ToArray() : e.Value);

    /// <summary>The keys <paramref name="kind"/> allows, sorted.</summary>
    public static IReadOnlyList<string> Of(OdcsObject kind) => Allowed[kind];
}

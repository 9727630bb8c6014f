namespace DataMesh.Governance;

/// <summary><c>allowed-input-formats</c>: landing inputs use one of the <c>formats</c> the mesh allows.</summary>
internal sealed class AllowedInputFormatsCheck : IPolicyCheck
{
    /// <summary>Every landing format the platform reads.</summary>
    public static readonly IReadOnlyList<string> KnownFormats = ["csv", "json", "ndjson", "parquet"];

    public string Id => PolicyIds.AllowedInputFormats;

    public string Code => PolicyDiagnosticCodes.AllowedInputFormats;

    public string DefaultMessage => "the mesh reads landing data only in formats it supports well";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [new("formats", PolicyParameterKind.NameList, KnownFormats)];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        var formats = policy.Parameters.GetValueOrDefault("formats") ?? KnownFormats;
        foreach (var product in scope.Products)
        {
            foreach (var input in product.Inputs.Where(i => i.Landing is not null && !formats.Contains(i.Landing.Format, StringComparer.Ordinal)))
            {
                yield return new PolicyViolation(product, scope.InSpec(product, $"inputs[name={input.Name}].landing.format"),
                    $"inputs '{input.Name}': format {input.Landing!.Format} is not allowed in this mesh; deliver the feed as {string.Join(", ", formats)}.");
            }
        }
    }
}

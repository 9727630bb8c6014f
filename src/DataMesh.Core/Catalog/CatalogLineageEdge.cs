namespace DataMesh.Catalog;

/// <summary>
/// Data flows from <see cref="Upstream"/> to <see cref="Downstream"/>: declared as an input in the spec, observed in a
/// published release's lineage, or both.
/// </summary>
/// <param name="Upstream">The product read.</param>
/// <param name="Downstream">The product that reads it.</param>
/// <param name="Declared">Declared as an input in the downstream's spec.</param>
/// <param name="Observed">Seen in a published release's lineage.</param>
/// <param name="Versions">The downstream's declared version range of the upstream (<c>^1</c>), when declared.</param>
/// <param name="Status">
/// Against the upstream's newest published version: <c>current</c> (the range accepts it), <c>behind</c> (the range accepts
/// only older published versions: the downstream is pinned while its upstream moved on, e.g. to a new major),
/// <c>unsatisfied</c> (no published version in the range); null when undeclared or nothing is published.
/// </param>
/// <param name="UpstreamVersion">The upstream's newest published version the status was judged against.</param>
public sealed record CatalogLineageEdge(string Upstream, string Downstream, bool Declared, bool Observed, string? Versions = null, string? Status = null, string? UpstreamVersion = null)
{
    public const string Current = "current";
    public const string Behind = "behind";
    public const string Unsatisfied = "unsatisfied";
}

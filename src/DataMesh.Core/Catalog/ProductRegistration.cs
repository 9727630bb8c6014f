using DataMesh.Specs;

namespace DataMesh.Catalog;

/// <summary>A product as declared in its <c>product.yaml</c>, recorded in the catalog before (and beside) its releases.</summary>
public sealed record ProductRegistration(
    string Domain,
    string Name,
    string Version,
    string Description,
    string OwnerTeam,
    string OwnerEmail,
    IReadOnlyList<string> Tags,
    string Visibility)
{
    /// <summary><c>&lt;domain&gt;.&lt;name&gt;</c>.</summary>
    public string ProductId => $"{Domain}.{Name}";

    /// <summary>The promised maximum age of the newest release (<c>sla.freshness</c>, ISO 8601), when declared.</summary>
    public string? Freshness { get; init; }

    /// <summary>The output contract's columns with their classifications.</summary>
    public IReadOnlyList<CatalogColumn> Columns { get; init; } = [];

    /// <summary>Domains besides its own that may read the product when it is <c>restricted</c> (<c>access.readers</c>).</summary>
    public IReadOnlyList<string> Readers { get; init; } = [];

    /// <summary>Ids of the products declared as inputs (<c>inputs[].product</c>): the declared upstream lineage.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>The version range each declared product input accepts (<c>*</c> when none is declared), by product id.</summary>
    public IReadOnlyDictionary<string, string> InputVersions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The product's column lineage (derived from its transform at registration: see
    /// <see cref="Lineage.ColumnLineageAnalyzer"/>), or null when it could not be derived. Column names only.
    /// </summary>
    public Lineage.ColumnLineage? ColumnLineage { get; init; }

    /// <summary>
    /// True when the column lineage was left out because it did not fit (an event's budget, a table property): the
    /// catalog then says so instead of keeping an older lineage that would name the wrong readers.
    /// </summary>
    public bool ColumnLineageOmitted { get; init; }

    /// <summary>
    /// When the domain declared this registration: when its app read the spec from disk (<see cref="ProductSpec.LoadedAt"/>),
    /// the same stamp at start-up and on every release that app announces. The hub keeps a product's newest declaration
    /// only (ties broken by content), so a release event of an older deployment arriving late never writes its older
    /// registration over a newer one. Null (a registration made in code, or announced before stamps): older than any
    /// stamped one.
    /// </summary>
    public DateTimeOffset? DeclaredAt { get; init; }

    /// <summary>Registrations of <paramref name="specs"/> with their column lineage, derived over <paramref name="meshProducts"/>' contracts.</summary>
    public static IReadOnlyList<ProductRegistration> FromSpecs(IReadOnlyCollection<ProductSpec> specs, IReadOnlyCollection<ProductSpec> meshProducts)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var lineage = Lineage.ColumnLineageAnalyzer.Analyze(specs, meshProducts);
        return [.. specs.Select(s => FromSpec(s) with { ColumnLineage = lineage.GetValueOrDefault(s.Id) })];
    }

    /// <summary>The registration of a loaded spec: declared fields, contract columns and declared product inputs.</summary>
    public static ProductRegistration FromSpec(ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new ProductRegistration(
            spec.Domain, spec.Name, spec.Version, spec.Description ?? "", spec.Owner?.Team ?? "", spec.Owner?.Email ?? "", spec.Tags, spec.Access.Visibility)
        {
            DeclaredAt = spec.LoadedAt,
            Freshness = spec.Freshness is { } freshness ? System.Xml.XmlConvert.ToString(freshness) : null,
            Columns =
            [
                .. spec.Contract.Schema.SelectMany(o => o.Properties.Select(p => new CatalogColumn
                {
                    Object = o.Name,
                    Name = p.Name,
                    LogicalType = p.LogicalType,
                    PhysicalType = p.PhysicalType,
                    Required = p.Required,
                    Unique = p.Unique,
                    PrimaryKey = p.PrimaryKey,
                    Classification = p.Classification,
                    Masking = p.Masking,
                    Description = p.Description,
                })),
            ],
            Readers = spec.Access.Readers,
            Inputs = [.. spec.Inputs.Select(i => i.Product).OfType<string>().Distinct(StringComparer.Ordinal)],
            InputVersions = spec.Inputs
                .Where(i => i.Product is not null)
                .GroupBy(i => i.Product!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => string.IsNullOrWhiteSpace(g.First().Versions) ? "*" : g.First().Versions!.Trim(), StringComparer.Ordinal),
        };
    }
}

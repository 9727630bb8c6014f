namespace DataMesh.Catalog;

/// <summary>One route of the catalog API: the template under <c>/api</c> and its query parameters, as routed and as documented.</summary>
/// <param name="Template">Path under <c>/api</c>, with <c>{name}</c> segments, e.g. <c>products/{id}/releases</c>.</param>
/// <param name="OperationId">The OpenAPI operation id (also the Azure function's name).</param>
/// <param name="Summary">One line for the OpenAPI document.</param>
/// <param name="QueryParameters">The query parameters the route accepts; any other is refused with 400.</param>
/// <param name="ResponseSchema">Name of the OpenAPI component schema of a 200 answer.</param>
public sealed record CatalogApiRoute(string Template, string OperationId, string Summary, IReadOnlyList<string> QueryParameters, string ResponseSchema)
{
    /// <summary>The route's path segments.</summary>
    public IReadOnlyList<string> Segments { get; } = Template.Split('/');

    /// <summary>Matches decoded path segments against the template; the values of the <c>{name}</c> segments by name.</summary>
    internal bool TryMatch(IReadOnlyList<string> segments, out Dictionary<string, string> values)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (segments.Count != Segments.Count)
        {
            return false;
        }

        for (var i = 0; i < segments.Count; i++)
        {
            if (Segments[i] is ['{', .. var name, '}'])
            {
                values[name] = segments[i];
            }
            else if (!string.Equals(Segments[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

using DataMesh.Governance;

namespace DataMesh.Specs;

/// <summary>
/// Spec errors that only show across the products of a mesh, checked by <c>datamesh validate</c> and by every host at
/// start: landing paths of one domain that overlap (DM1027) and inputs naming a product the mesh does not hold (DM1028).
/// </summary>
/// <remarks>
/// A landing blob triggers the product whose landing path is a prefix of its name (DESIGN §5). Two paths of one
/// domain that are equal, or one a prefix of the other (<c>ledger/</c> and <c>ledger/emea/</c>, but also
/// <c>ledger/emea</c> and <c>ledger/emea-2/</c>), would both claim some blobs, and a file dropped for one product was
/// published as a release of the other. No nesting is allowed, so no rule of which one wins is needed: every
/// overlap is refused, inside one product too (two of its inputs would claim the same file).
/// </remarks>
public static class MeshSpecChecks
{
    /// <summary>Every cross-product spec error among <paramref name="products"/>, sorted by file, line and column.</summary>
    /// <param name="products">Every loaded product of the mesh.</param>
    /// <param name="unloadedProducts">Ids of mesh products whose specs did not load (inputs naming them are not reported).</param>
    public static IReadOnlyList<SpecDiagnostic> Check(IReadOnlyCollection<ProductSpec> products, IReadOnlyCollection<string>? unloadedProducts = null)
    {
        ArgumentNullException.ThrowIfNull(products);
        var maps = new Dictionary<string, YamlSourceMap>(StringComparer.Ordinal);
        SourceLocation At(ProductSpec product, string path)
        {
            if (!maps.TryGetValue(product.SpecPath, out var map))
            {
                map = YamlSourceMap.Read(product.SpecPath);
                maps[product.SpecPath] = map;
            }

            return map.Locate(path);
        }

        var diagnostics = new List<SpecDiagnostic>();
        diagnostics.AddRange(LandingOverlaps(products, At));
        diagnostics.AddRange(UnknownUpstreams(products, unloadedProducts ?? [], At));
        return diagnostics
            .OrderBy(d => d.File, StringComparer.Ordinal)
            .ThenBy(d => d.Line)
            .ThenBy(d => d.Column)
            .ThenBy(d => d.Message, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Throws <see cref="SpecValidationException"/> when <see cref="Check"/> finds an error: a host serving such a mesh would route blobs to the wrong product.</summary>
    public static void ThrowIfInvalid(IReadOnlyCollection<ProductSpec> products, IReadOnlyCollection<string>? unloadedProducts = null)
    {
        var errors = Check(products, unloadedProducts).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new SpecValidationException(errors);
        }
    }

    private static IEnumerable<SpecDiagnostic> LandingOverlaps(IReadOnlyCollection<ProductSpec> products, Func<ProductSpec, string, SourceLocation> at)
    {
        foreach (var domain in products.GroupBy(p => p.Domain, StringComparer.Ordinal))
        {
            var landings = domain
                .OrderBy(p => p.Id, StringComparer.Ordinal)
                .SelectMany(p => p.Inputs.Where(i => i.IsLanding).Select(i => (Product: p, Input: i, i.Landing!.Path)))
                .ToList();
            for (var i = 0; i < landings.Count; i++)
            {
                for (var j = i + 1; j < landings.Count; j++)
                {
                    var (a, b) = (landings[i], landings[j]);
                    if (!a.Path.StartsWith(b.Path, StringComparison.Ordinal) && !b.Path.StartsWith(a.Path, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var whereA = at(a.Product, $"inputs[name={a.Input.Name}].landing.path");
                    var whereB = at(b.Product, $"inputs[name={b.Input.Name}].landing.path");
                    yield return Overlap(whereA, a.Product, a.Input, a.Path, whereB, b.Product, b.Input, b.Path);
                    yield return Overlap(whereB, b.Product, b.Input, b.Path, whereA, a.Product, a.Input, a.Path);
                }
            }
        }
    }

    private static SpecDiagnostic Overlap(
        SourceLocation where, ProductSpec product, InputSpec input, string path,
        SourceLocation otherWhere, ProductSpec other, InputSpec otherInput, string otherPath)
    {
        var relation = path == otherPath ? "is also the landing path of"
            : otherPath.StartsWith(path, StringComparison.Ordinal) ? $"holds '{otherPath}', the landing path of"
            : $"lies inside '{otherPath}', the landing path of";
        var whose = other.Id == product.Id ? $"its own input '{otherInput.Name}'" : $"{other.Id} (input '{otherInput.Name}')";
        var fix = path.EndsWith('/') ? "" : $" (end it with '/': '{path}/')";
        return new SpecDiagnostic(where.File, where.Line, where.Column, SpecDiagnosticCodes.AmbiguousLandingPath,
            $"inputs '{input.Name}' of {product.Id}: landing path '{path}' {relation} {whose} at {otherWhere.File}:{otherWhere.Line}:{otherWhere.Column}; "
            + $"a file dropped there would be claimed by both. Give each input a folder of its own in the {product.Domain} landing container, "
            + $"neither inside the other{fix}.");
    }

    private static IEnumerable<SpecDiagnostic> UnknownUpstreams(
        IReadOnlyCollection<ProductSpec> products, IReadOnlyCollection<string> unloaded, Func<ProductSpec, string, SourceLocation> at)
    {
        var ids = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var product in products)
        {
            foreach (var input in product.Inputs.Where(i => i.Product is not null))
            {
                var id = input.Product!;
                if (ids.Contains(id) || unloaded.Contains(id, StringComparer.Ordinal))
                {
                    continue;
                }

                var where = at(product, $"inputs[name={input.Name}].product");
                var suggestion = Spelling.Closest(id, ids.Concat(unloaded).Where(i => i != product.Id));
                var hint = suggestion is not null
                    ? $"did you mean '{suggestion}'?"
                    : $"check the id (<domain>.<name>) or add the product under pipelines/{ProductIds.DomainOf(id)}/{id.Split('.')[^1]}/.";
                yield return new SpecDiagnostic(where.File, where.Line, where.Column, SpecDiagnosticCodes.UnknownUpstreamProduct,
                    $"inputs '{input.Name}' of {product.Id}: product '{id}' is not in this mesh; {hint}");
            }
        }
    }
}

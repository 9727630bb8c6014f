using System.Text.RegularExpressions;

namespace DataMesh.Governance;

/// <summary><c>kebab-case-names</c>: domain, product name and tags are kebab-case.</summary>
internal sealed partial class KebabCaseNamesCheck : IPolicyCheck
{
    public string Id => PolicyIds.KebabCaseNames;

    public string Code => PolicyDiagnosticCodes.KebabCaseNames;

    public string DefaultMessage => "names are kebab-case (lowercase words joined by '-') so ids, URLs and storage paths agree";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        foreach (var product in scope.Products)
        {
            if (!Kebab().IsMatch(product.Domain))
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "domain"), $"domain: '{product.Domain}' is not kebab-case; rename it, e.g. {Suggest(product.Domain)}.");
            }

            if (!Kebab().IsMatch(product.Name))
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "name"), $"name: '{product.Name}' is not kebab-case; rename it, e.g. {Suggest(product.Name)}.");
            }

            for (var i = 0; i < product.Tags.Count; i++)
            {
                if (!Kebab().IsMatch(product.Tags[i]))
                {
                    yield return new PolicyViolation(product, scope.InSpec(product, $"tags[{i}]"),
                        $"tags[{i}]: '{product.Tags[i]}' is not kebab-case; write it as {Suggest(product.Tags[i])}.");
                }
            }
        }
    }

    private static string Suggest(string value)
    {
        var words = NonAlphanumeric().Split(WordBoundary().Replace(value, "$1-$2").ToLowerInvariant()).Where(w => w.Length > 0);
        var result = string.Join('-', words);
        return result.Length > 0 && char.IsAsciiLetterLower(result[0]) ? result : "my-name";
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Kebab();

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonAlphanumeric();

    [GeneratedRegex("([a-z0-9])([A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex WordBoundary();
}

namespace DataMesh.Governance;

/// <summary>Every policy check the engine knows, by id.</summary>
internal static class PolicyCatalog
{
    public static readonly IReadOnlyList<IPolicyCheck> All =
    [
        new OwnerEmailRequiredCheck(),
        new DescriptionRequiredCheck(),
        new KebabCaseNamesCheck(),
        new OutputColumnsTypedCheck(),
        new PublicFreshnessSlaCheck(),
        new SensitiveColumnsMaskedCheck(),
        new UpstreamResolvableCheck(),
        new NoDependencyCyclesCheck(),
        new QualityRuleRequiredCheck(),
        new AllowedInputFormatsCheck(),
        new UpstreamAccessCheck(),
    ];

    private static readonly Dictionary<string, IPolicyCheck> ById = All.ToDictionary(c => c.Id, StringComparer.Ordinal);

    public static IPolicyCheck? Find(string id) => ById.GetValueOrDefault(id);

    /// <summary>The known id closest to <paramref name="id"/>, when it is close enough to be a typo.</summary>
    public static string? Suggest(string id)
    {
        var best = All.Select(c => (c.Id, Distance: EditDistance(id.ToLowerInvariant(), c.Id))).MinBy(c => c.Distance);
        return best.Distance <= Math.Max(2, id.Length / 3) ? best.Id : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

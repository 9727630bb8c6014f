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
        var best = All.Select(c => (c.Id, Distance: DataMesh.Specs.Spelling.EditDistance(id.ToLowerInvariant(), c.Id))).MinBy(c => c.Distance);
        return best.Distance <= Math.Max(2, id.Length / 3) ? best.Id : null;
    }
}

namespace DataMesh.Governance;

/// <summary>The ids of the mesh policies the engine knows; <c>mesh.yaml</c> lists the ones a mesh enforces.</summary>
public static class PolicyIds
{
    /// <summary>Every product names an owner email (optionally in allowed mail domains).</summary>
    public const string OwnerEmailRequired = "owner-email-required";

    /// <summary>Every product has a description (optionally of a minimum length).</summary>
    public const string DescriptionRequired = "description-required";

    /// <summary>Domain, product name and tags are kebab-case.</summary>
    public const string KebabCaseNames = "kebab-case-names";

    /// <summary>Every output column has a logicalType or physicalType.</summary>
    public const string OutputColumnsTyped = "output-columns-typed";

    /// <summary>A public product declares a freshness SLA (optionally no looser than a maximum).</summary>
    public const string PublicFreshnessSla = "public-freshness-sla";

    /// <summary>A column classified pii or restricted is masked (in the contract or the SQL) in a public product.</summary>
    public const string SensitiveColumnsMasked = "sensitive-columns-masked";

    /// <summary>Upstream products exist in the mesh and their version satisfies the input's range.</summary>
    public const string UpstreamResolvable = "upstream-resolvable";

    /// <summary>No cycle of product inputs across the mesh.</summary>
    public const string NoDependencyCycles = "no-dependency-cycles";

    /// <summary>The output contract has at least one evaluated quality rule.</summary>
    public const string QualityRuleRequired = "quality-rule-required";

    /// <summary>Landing inputs use an allowed format.</summary>
    public const string AllowedInputFormats = "allowed-input-formats";

    /// <summary>A product reads only upstream products whose <c>access</c> lets its domain read them.</summary>
    public const string UpstreamAccess = "upstream-access";
}

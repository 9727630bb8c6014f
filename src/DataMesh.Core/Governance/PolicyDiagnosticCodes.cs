namespace DataMesh.Governance;

/// <summary>Stable diagnostic codes of mesh governance (DM2xxx); never renumber, only add.</summary>
/// <remarks>
/// DM200x-DM201x: <c>mesh.yaml</c> itself (the generic ones mirror the product spec's: DM2001 = DM1001 for mesh.yaml).
/// DM202x: exemptions at evaluation time. DM203x: conformance to published standards. DM204x: versioning against an earlier release. DM21xx: one code per policy.
/// </remarks>
public static class PolicyDiagnosticCodes
{
    /// <summary>The mesh file does not exist or cannot be read.</summary>
    public const string MeshFileNotFound = "DM2000";

    /// <summary><c>mesh.yaml</c> is not valid YAML (reported at the parser's position).</summary>
    public const string YamlSyntax = "DM2001";

    /// <summary>A key <c>mesh.yaml</c> does not define (including a parameter a policy does not take).</summary>
    public const string UnknownKey = "DM2002";

    /// <summary>A required field is missing or empty.</summary>
    public const string MissingField = "DM2003";

    /// <summary>A field has the wrong YAML type.</summary>
    public const string WrongType = "DM2004";

    /// <summary><c>apiVersion</c> is not <c>datamesh/v1</c>.</summary>
    public const string InvalidApiVersion = "DM2005";

    /// <summary><c>kind</c> is not <c>Mesh</c>.</summary>
    public const string InvalidKind = "DM2006";

    /// <summary>A policy id the engine does not know.</summary>
    public const string UnknownPolicy = "DM2007";

    /// <summary>A policy is listed twice.</summary>
    public const string DuplicatePolicy = "DM2008";

    /// <summary><c>severity</c> is not error or warning.</summary>
    public const string InvalidSeverity = "DM2009";

    /// <summary>A policy parameter has a bad value (wrong kind, unknown format, not a duration...).</summary>
    public const string InvalidParameter = "DM2010";

    /// <summary>An exemption's <c>product</c> is not a product id (<c>domain.name</c>).</summary>
    public const string InvalidExemptionProduct = "DM2011";

    /// <summary>An exemption names a policy that <c>policies</c> does not list.</summary>
    public const string ExemptionPolicyNotListed = "DM2012";

    /// <summary>An exemption's <c>expires</c> is not a date (YYYY-MM-DD).</summary>
    public const string InvalidExpiry = "DM2013";

    /// <summary>Two exemptions for the same product and policy.</summary>
    public const string DuplicateExemption = "DM2014";

    /// <summary>An exemption is past its <c>expires</c> date: renew it with a reason or fix the product.</summary>
    public const string ExemptionExpired = "DM2020";

    /// <summary>Warning: an exemption names a product that is not in the mesh.</summary>
    public const string ExemptionUnknownProduct = "DM2021";

    /// <summary>Warning: an exemption is not needed (the product complies with the policy).</summary>
    public const string ExemptionUnused = "DM2022";

    /// <summary>The contract is rejected by the official ODCS JSON schema of its <c>apiVersion</c>.</summary>
    public const string OdcsSchemaViolation = "DM2030";

    /// <summary>The contract changed more than the version says (e.g. a breaking change under the same major version).</summary>
    public const string VersionBumpTooSmall = "DM2040";

    /// <summary>Policy <c>owner-email-required</c>.</summary>
    public const string OwnerEmailRequired = "DM2101";

    /// <summary>Policy <c>description-required</c>.</summary>
    public const string DescriptionRequired = "DM2102";

    /// <summary>Policy <c>kebab-case-names</c>.</summary>
    public const string KebabCaseNames = "DM2103";

    /// <summary>Policy <c>output-columns-typed</c>.</summary>
    public const string OutputColumnsTyped = "DM2104";

    /// <summary>Policy <c>public-freshness-sla</c>.</summary>
    public const string PublicFreshnessSla = "DM2105";

    /// <summary>Policy <c>sensitive-columns-masked</c>.</summary>
    public const string SensitiveColumnsMasked = "DM2106";

    /// <summary>Policy <c>upstream-resolvable</c>.</summary>
    public const string UpstreamResolvable = "DM2107";

    /// <summary>Policy <c>no-dependency-cycles</c>.</summary>
    public const string NoDependencyCycles = "DM2108";

    /// <summary>Policy <c>quality-rule-required</c>.</summary>
    public const string QualityRuleRequired = "DM2109";

    /// <summary>Policy <c>allowed-input-formats</c>.</summary>
    public const string AllowedInputFormats = "DM2110";

    /// <summary>Policy <c>upstream-access</c>.</summary>
    public const string UpstreamAccess = "DM2111";
}

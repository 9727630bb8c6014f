namespace DataMesh.Specs;

/// <summary>Stable diagnostic codes of <c>product.yaml</c> (DM10xx); never renumber, only add.</summary>
public static class SpecDiagnosticCodes
{
    /// <summary>The product folder has no <c>product.yaml</c>, or it cannot be read.</summary>
    public const string ProductFileNotFound = "DM1000";

    /// <summary>The file is not valid YAML (reported at the parser's position).</summary>
    public const string YamlSyntax = "DM1001";

    /// <summary>A key the product spec does not define.</summary>
    public const string UnknownKey = "DM1002";

    /// <summary>A required field is missing or empty.</summary>
    public const string MissingField = "DM1003";

    /// <summary>A field has the wrong YAML type (e.g. a mapping where a list is expected).</summary>
    public const string WrongType = "DM1004";

    /// <summary><c>version</c> is not a semantic version.</summary>
    public const string InvalidVersion = "DM1005";

    /// <summary><c>apiVersion</c> is not <c>datamesh/v1</c>.</summary>
    public const string InvalidApiVersion = "DM1006";

    /// <summary><c>kind</c> is not <c>DataProduct</c>.</summary>
    public const string InvalidKind = "DM1007";

    /// <summary><c>name</c> or <c>domain</c> is not kebab-case.</summary>
    public const string InvalidName = "DM1008";

    /// <summary><c>domain</c> differs from the folder's domain in a <c>pipelines/&lt;domain&gt;/&lt;product&gt;/</c> layout.</summary>
    public const string DomainFolderMismatch = "DM1009";

    /// <summary><c>sla.freshness</c> is not a positive ISO 8601 duration.</summary>
    public const string InvalidFreshness = "DM1010";

    /// <summary>An input name is not a snake_case SQL identifier.</summary>
    public const string InvalidInputName = "DM1011";

    /// <summary>Two inputs share a name.</summary>
    public const string DuplicateInputName = "DM1012";

    /// <summary>An input declares both or neither of <c>landing</c> and <c>product</c>, or <c>versions</c> without <c>product</c>.</summary>
    public const string InvalidInputSource = "DM1013";

    /// <summary><c>landing.format</c> is not csv, json, ndjson or parquet.</summary>
    public const string InvalidLandingFormat = "DM1014";

    /// <summary>A path that must be relative is absolute or climbs out with <c>..</c>.</summary>
    public const string InvalidRelativePath = "DM1015";

    /// <summary>An input's <c>product</c> is not <c>domain.name</c>, or names the product itself.</summary>
    public const string InvalidProductReference = "DM1016";

    /// <summary>An input's <c>versions</c> is not an npm-style semver range.</summary>
    public const string InvalidVersionRange = "DM1017";

    /// <summary><c>access.visibility</c> is not public, domain or restricted.</summary>
    public const string InvalidVisibility = "DM1018";

    /// <summary>A file named by the spec (contract, transform SQL) does not exist.</summary>
    public const string ReferencedFileNotFound = "DM1019";

    /// <summary>The contract's <c>version</c> differs from the product's <c>version</c>.</summary>
    public const string ContractVersionMismatch = "DM1020";

    /// <summary>A landing reader option has a bad value.</summary>
    public const string InvalidLandingOption = "DM1021";

    /// <summary>A declared input column is invalid (duplicate name, bad type).</summary>
    public const string InvalidColumn = "DM1022";

    /// <summary><c>output.format</c> is not a supported output format.</summary>
    public const string InvalidOutputFormat = "DM1023";

    /// <summary>An <c>output.partitionBy</c> column is not a property of the contract's output object.</summary>
    public const string UnknownPartitionColumn = "DM1024";

    /// <summary>The transform SQL file is empty.</summary>
    public const string EmptyTransformSql = "DM1025";

    /// <summary>Warning: an unquoted comma inside <c>{ }</c> split a value such as <c>decimal(18,2)</c>; it was joined back, quote it.</summary>
    public const string UnquotedComma = "DM1026";

    /// <summary>Two landing inputs of one domain have equal landing paths, or one lies inside the other: a file would belong to both.</summary>
    public const string AmbiguousLandingPath = "DM1027";

    /// <summary>An input names a product that is not in the mesh.</summary>
    public const string UnknownUpstreamProduct = "DM1028";

    /// <summary>An <c>output.partitionBy</c> column is masked or classified: its values would be the release's folder names.</summary>
    public const string ProtectedPartitionColumn = "DM1029";

    /// <summary>A <c>limits</c> entry is not a known stage or not a positive ISO 8601 duration.</summary>
    public const string InvalidTimeLimit = "DM1050";

    /// <summary><c>output.mode</c> is unknown, or a key that goes with a mode (<c>partitionBy</c>, <c>deleteWhen</c>) is missing or misplaced.</summary>
    public const string InvalidOutputMode = "DM1051";

    /// <summary><c>output.key</c> is missing for a merge, given without one, or names a column the contract lacks or does not require.</summary>
    public const string InvalidOutputKey = "DM1052";

    /// <summary><c>output.retention</c> has no bound, or a bound that is not a positive count or ISO 8601 duration.</summary>
    public const string InvalidRetention = "DM1053";

    /// <summary>An upstream input's <c>read</c> is not <c>snapshot</c> or <c>changes</c>.</summary>
    public const string InvalidUpstreamRead = "DM1054";

    /// <summary>The transform does not parse or bind over its inputs' declared columns (unknown column, table or function, type error, not one SELECT).</summary>
    public const string TransformDoesNotBind = "DM1060";

    /// <summary>A <c>sql</c> quality rule of the contract does not bind over the transform's output.</summary>
    public const string QualityRuleDoesNotBind = "DM1061";

    /// <summary>The bound transform's output lacks a contract column or gives it another type (error), or has a column the contract does not describe (warning).</summary>
    public const string OutputDoesNotMatchContract = "DM1062";

    /// <summary>A declared input column's type is not one DuckDB knows (asked of DuckDB at read, e.g. <c>integr</c>).</summary>
    public const string UnknownColumnType = "DM1070";

    /// <summary><c>onDrift</c> is not <c>warn</c> or <c>block</c>, or is set where drift cannot be measured (a product input, no declared columns).</summary>
    public const string InvalidDriftPolicy = "DM1090";
}

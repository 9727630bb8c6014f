namespace DataMesh.Contracts;

/// <summary>Stable diagnostic codes of ODCS contracts (DM11xx); never renumber, only add.</summary>
/// <remarks>The generic problems mirror the product spec's codes plus 100 (DM1101 = DM1001 for contracts).</remarks>
public static class ContractDiagnosticCodes
{
    /// <summary>The contract file does not exist or cannot be read.</summary>
    public const string ContractFileNotFound = "DM1100";

    /// <summary>The file is not valid YAML (reported at the parser's position).</summary>
    public const string YamlSyntax = "DM1101";

    /// <summary>Reserved: unknown ODCS keys are <see cref="UnknownContractKey"/>.</summary>
    public const string UnknownKey = "DM1102";

    /// <summary>A required field is missing or empty.</summary>
    public const string MissingField = "DM1103";

    /// <summary>A field the platform reads has the wrong YAML type.</summary>
    public const string WrongType = "DM1104";

    /// <summary><c>version</c> is not a semantic version.</summary>
    public const string InvalidVersion = "DM1105";

    /// <summary><c>apiVersion</c> is not v3.0.x or v3.1.0.</summary>
    public const string InvalidApiVersion = "DM1106";

    /// <summary><c>kind</c> is not <c>DataContract</c>.</summary>
    public const string InvalidKind = "DM1107";

    /// <summary>The contract has no schema object, or an object has no properties.</summary>
    public const string EmptySchema = "DM1108";

    /// <summary>A library rule names a metric the platform does not know.</summary>
    public const string UnknownMetric = "DM1109";

    /// <summary>A rule has no comparison operator, or more than one.</summary>
    public const string InvalidOperator = "DM1110";

    /// <summary>A threshold is not a number, or a between range is not <c>[low, high]</c>.</summary>
    public const string InvalidThreshold = "DM1111";

    /// <summary><c>unit</c> is not rows or percent (or percent where it means nothing).</summary>
    public const string InvalidUnit = "DM1112";

    /// <summary><c>severity</c> is not error, warning or info.</summary>
    public const string InvalidSeverity = "DM1113";

    /// <summary>A <c>type: sql</c> rule has no <c>query</c>.</summary>
    public const string MissingQuery = "DM1114";

    /// <summary>Warning: a <c>text</c> or <c>custom</c> rule is kept but not evaluated by the platform.</summary>
    public const string UnsupportedRuleType = "DM1115";

    /// <summary>A rule's <c>type</c> is not text, library, sql or custom.</summary>
    public const string UnknownRuleType = "DM1116";

    /// <summary>A rule's arguments (validValues, pattern, missingValues) are missing or invalid.</summary>
    public const string InvalidRuleArguments = "DM1117";

    /// <summary>A metric sits at the wrong level (rowCount on a property, a column metric on an object).</summary>
    public const string MetricLevel = "DM1118";

    /// <summary>Two rules have the same explicit <c>name</c>.</summary>
    public const string DuplicateRuleName = "DM1119";

    /// <summary>Two schema objects, or two properties of one object, share a name.</summary>
    public const string DuplicateName = "DM1120";

    /// <summary><c>logicalType</c> is not an ODCS logical type.</summary>
    public const string InvalidLogicalType = "DM1121";

    /// <summary><c>maskingScope</c> on a column whose <c>masking</c> is not <c>hash</c> (a scope only names a hash key).</summary>
    public const string MaskingScopeWithoutHash = "DM1122";

    /// <summary>A key the ODCS v3 object it sits in does not define (a typo such as <c>clasification</c> or <c>uniqe</c>).</summary>
    public const string UnknownContractKey = "DM2050";

    /// <summary>A <c>customProperties</c> name that is a near miss of one the platform reads (<c>maskng</c> for <c>masking</c>).</summary>
    public const string UnknownCustomProperty = "DM2051";

    /// <summary>A <c>masking</c> custom property whose value is not a masking kind the engine applies.</summary>
    public const string UnknownMaskingKind = "DM2052";
}

namespace DataMesh.Governance;

/// <summary>Diagnostic codes of consumer-aware contract changes (DM1080-DM1089).</summary>
public static class ImpactDiagnosticCodes
{
    /// <summary>A change removes or narrows a column that a consumer within the new version's range reads, or the consumer no longer binds over the new contract.</summary>
    public const string ConsumerBroken = "DM1080";

    /// <summary>A major bump leaves a consumer pinned on the old major (its range excludes the new version).</summary>
    public const string ConsumerPinned = "DM1081";

    /// <summary>A consumer of the product could not be bound, so whether the change affects it is unknown.</summary>
    public const string ConsumerNotJudged = "DM1082";
}

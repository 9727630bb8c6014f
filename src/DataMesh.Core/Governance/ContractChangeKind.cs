namespace DataMesh.Governance;

/// <summary>What changed between two versions of a contract.</summary>
public enum ContractChangeKind
{
    ObjectRemoved,
    ObjectAdded,
    ColumnRemoved,
    ColumnRenamed,
    ColumnAdded,
    TypeNarrowed,
    TypeChanged,
    TypeWidened,
    MadeRequired,
    MadeOptional,
    UniqueDropped,
    UniqueAdded,
    PrimaryKeyDropped,
    PrimaryKeyAdded,
    ClassificationRaised,
    ClassificationLowered,
    MaskingChanged,
    QualityRuleRemoved,
    QualityRuleAdded,
    QualityRuleChanged,
    DescriptionChanged,
}

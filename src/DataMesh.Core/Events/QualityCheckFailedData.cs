namespace DataMesh.Events;

/// <summary>The <c>data</c> of a <c>DataMesh.QualityCheckFailed</c> event: a run stopped at the quality gate.</summary>
public sealed record QualityCheckFailedData : RunFailureData;

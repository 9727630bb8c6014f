namespace DataMesh.Events;

/// <summary>The <c>data</c> of a <c>DataMesh.PipelineRunFailed</c> event: a run failed for a reason other than quality.</summary>
public sealed record PipelineRunFailedData : RunFailureData;

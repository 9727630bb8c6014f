namespace DataMesh.Local.Tests;

/// <summary>Tests that change process-wide environment variables: run alone, after the parallel ones.</summary>
[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;

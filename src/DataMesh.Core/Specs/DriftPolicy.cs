namespace DataMesh.Specs;

/// <summary>
/// What a landing input does when a file drifts from its declared columns (an optional column missing, a column not
/// declared): <c>onDrift</c> in product.yaml. A missing required column, or a value that does not cast, always blocks.
/// </summary>
public enum DriftPolicy
{
    /// <summary>Publish, and report the drift with the release and the run (the default).</summary>
    Warn,

    /// <summary>Quarantine the file with a reason naming the drift; the previous release stays the latest.</summary>
    Block,
}

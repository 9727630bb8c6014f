namespace DataMesh.Specs;

/// <summary>How a release of a product is built from the release before it (<c>output.mode</c> in <c>product.yaml</c>).</summary>
public enum OutputMode
{
    /// <summary>A release is this run's output alone (the default).</summary>
    Replace,

    /// <summary>A release is the previous release's rows plus this run's output.</summary>
    Append,

    /// <summary>An upsert on <c>output.key</c>: rows whose key is present replace the old row, new keys are added.</summary>
    Merge,

    /// <summary>A run replaces exactly the <c>output.partitionBy</c> partitions its output touches and keeps the others.</summary>
    Partitions,
}

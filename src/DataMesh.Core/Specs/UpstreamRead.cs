namespace DataMesh.Specs;

/// <summary>How an upstream input reads the product it names (<c>read</c> in <c>product.yaml</c>).</summary>
public enum UpstreamRead
{
    /// <summary>The whole table as of the newest release in range (the default).</summary>
    Snapshot,

    /// <summary>Only the rows that changed since the upstream release this consumer last built from.</summary>
    Changes,
}

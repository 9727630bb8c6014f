namespace DataMesh.Events;

/// <summary>CloudEvent types the mesh announces (DESIGN §6).</summary>
public static class ProductEventTypes
{
    public const string ProductVersionPublished = "DataMesh.ProductVersionPublished";
    public const string QualityCheckFailed = "DataMesh.QualityCheckFailed";
    public const string PipelineRunFailed = "DataMesh.PipelineRunFailed";
    public const string FreshnessBreached = "DataMesh.FreshnessBreached";

    /// <summary>A release left its product's retention (<see cref="ReleaseExpiredData"/>): the catalog drops it from its list.</summary>
    public const string ReleaseExpired = "DataMesh.ReleaseExpired";

    /// <summary>CloudEvent <c>source</c> of a product: <c>/domains/&lt;domain&gt;/products/&lt;name&gt;</c>.</summary>
    public static string Source(string domain, string name) => $"/domains/{domain}/products/{name}";

    /// <summary>CloudEvent <c>subject</c> of a release: <c>&lt;domain&gt;.&lt;name&gt;/&lt;version&gt;/&lt;release&gt;</c>.</summary>
    public static string Subject(string productId, string version, int release) => $"{productId}/{version}/{release}";
}

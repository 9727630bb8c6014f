namespace DataMesh.Functions.Configuration;

/// <summary>
/// One domain registered with the catalog (<c>DataMesh__Domains__&lt;n&gt;__*</c>, an array so domain names with '-' fit
/// App Service setting names): where its releases live and are served. The projection refuses a release event whose
/// location or <c>dataendpoint</c> is not the registered one (<see cref="DataMesh.Catalog.DomainRegistry"/>).
/// </summary>
internal sealed class DomainRegistrationOptions
{
    /// <summary>The domain (<c>DataMesh__Domains__0__Name</c>), as in its products' specs.</summary>
    public string Name { get; set; } = "";

    /// <summary>The blob endpoint of the domain's storage account (<c>https://&lt;account&gt;.blob.core.windows.net/</c>).</summary>
    public string StorageEndpoint { get; set; } = "";

    /// <summary>The domain app's base URL (<c>https://&lt;host&gt;/</c>), where the hub redirects data requests; optional.</summary>
    public string? DataEndpoint { get; set; }
}

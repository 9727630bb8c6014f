namespace DataMesh.Catalog;

/// <summary>
/// Where a domain of the mesh keeps and serves its data, as the hub's operator registers it (not as an event says):
/// the blob endpoint of the domain's storage account (<c>https://&lt;account&gt;.blob.core.windows.net/</c>; locally the
/// domain's Azurite account, <c>http://127.0.0.1:&lt;port&gt;/&lt;account&gt;/</c>) and the base URL of its app's data routes
/// (null when the domain's releases are served by the catalog's own host, as locally).
/// </summary>
/// <param name="Domain">The domain's name, as in its products' specs.</param>
/// <param name="StorageEndpoint">The blob service endpoint of the domain's storage account.</param>
/// <param name="DataEndpoint">The origin of the domain app that serves its releases' data (<c>https://host/</c>), or null.</param>
public sealed record RegisteredDomain(string Domain, Uri StorageEndpoint, Uri? DataEndpoint = null);

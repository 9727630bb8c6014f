namespace DataMesh.Functions.Configuration;

/// <summary>
/// The domain's storage account (<c>DataMesh__Storage__*</c>): service URIs reached with the managed identity in
/// Azure, or a connection string locally (Azurite). Never an account key in Azure.
/// </summary>
internal sealed class StorageAccountOptions
{
    /// <summary>Local only: e.g. <c>UseDevelopmentStorage=true</c>. When set, the URIs are not used.</summary>
    public string? ConnectionString { get; set; }

    public Uri? BlobServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    public Uri? TableServiceUri { get; set; }

    /// <summary>
    /// False in Azure (one account per domain: containers are exactly <c>landing</c>, <c>products</c>...); true only
    /// to run against a local mesh's Azurite, whose containers are named <c>&lt;domain&gt;-landing</c>.
    /// </summary>
    public bool DomainPrefixedContainers { get; set; }

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);
}

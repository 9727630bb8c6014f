namespace DataMesh.Local;

/// <summary>
/// One storage account of a local mesh as a storage tool (Azure Storage Explorer, the Azure CLI, the SDK) reaches it:
/// its endpoints, the file holding its key, and a connection string. The connection string carries the key: it is for
/// the user's own terminal, never for a log or the catalog.
/// </summary>
/// <param name="Account">The account name (<c>dmhub</c>, <c>dm&lt;domain&gt;&lt;6 hex&gt;</c>, or the one account of <c>DATAMESH_STORAGE</c>).</param>
/// <param name="Domain">The domain whose data it holds; null for the hub (catalog, queues, task hub) or one shared account.</param>
/// <param name="BlobEndpoint">Its blob endpoint (path-style: the account is the first segment).</param>
/// <param name="QueueEndpoint">Its queue endpoint.</param>
/// <param name="TableEndpoint">Its table endpoint.</param>
/// <param name="KeyFile">The owner-only file holding its key; null when the key came from <c>DATAMESH_STORAGE</c>.</param>
/// <param name="ConnectionString">Endpoints and key in one string, as Storage Explorer and <c>az storage --connection-string</c> take it.</param>
public sealed record MeshStorageAccount(
    string Account,
    string? Domain,
    Uri BlobEndpoint,
    Uri QueueEndpoint,
    Uri TableEndpoint,
    string? KeyFile,
    string ConnectionString);

using System.Net;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Pipeline;
using DataMesh.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// A release's data for consumers (paged JSON rows, or one Parquet file), served by the domain app that holds it:
/// the domain's own specs say who may read (access visibility and readers) and the caller's Entra app roles say who
/// asks. Same core handler (<see cref="CatalogHttpApi"/>) as the local <c>datamesh up</c>.
/// </summary>
public sealed class ReleaseDataApi
{
    private readonly CatalogHttpApi _api;

    public ReleaseDataApi(MeshStorage storage, IProductRegistry products)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(products);
        _api = new CatalogHttpApi(
            new CatalogReader(storage),
            releases: new ReleaseReader(storage),
            access: (id, _) => Task.FromResult(products.All.FirstOrDefault(p => p.Id == id) is { } spec ? ReleaseAccess.FromSpec(spec) : null));
    }

    [Function("GetReleaseRows")]
    public Task<HttpResponseData> GetReleaseRowsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "products/{id}/releases/{version}/{release}/rows")] HttpRequestData request,
        string id,
        string version,
        string release,
        CancellationToken cancellationToken) => CatalogApi.AnswerAsync(_api, request, cancellationToken);

    /// <summary>
    /// One Parquet file, streamed from storage (whole, or the one byte range asked); HEAD answers its length and ETag
    /// without the bytes, as HTTP Parquet readers (DuckDB httpfs, fsspec) ask before reading the footer by range.
    /// </summary>
    [Function("GetReleaseFile")]
    public Task<HttpResponseData> GetReleaseFileAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = "products/{id}/releases/{version}/{release}/files")] HttpRequestData request,
        string id,
        string version,
        string release,
        CancellationToken cancellationToken) => CatalogApi.AnswerAsync(_api, request, cancellationToken);
}

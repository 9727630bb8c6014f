using System.Net;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// A release's data for consumers (paged JSON rows, or one Parquet file), served by the domain app that holds it:
/// the domain's own specs say who may read (access visibility and readers) and the caller's Entra app roles say who
/// asks. Same core handler (<see cref="CatalogHttpApi"/>) as the local <c>datamesh up</c>. Both apps run these
/// functions: the hub, which holds no data, answers 307 to the domain app that announced the release.
/// </summary>
/// <remarks>
/// Anonymous at the Functions level (no function key): App Service authentication validates the bearer token, and the
/// product's access rules decide, so one token works on the hub and on every domain app it redirects to. A caller
/// without a validated token gets 401 for every product (public means the organisation): with App Service
/// authentication off, that is every caller.
/// </remarks>
public sealed class ReleaseDataApi
{
    private readonly CatalogHttpApi _api;
    private readonly AppServiceAuthentication _authentication;

    public ReleaseDataApi(MeshStorage storage, IProductRegistry products, AppServiceAuthentication authentication, DataMeshAppMode mode, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(authentication);
        ArgumentNullException.ThrowIfNull(mode);
        _authentication = authentication;
        // The hub reads no domain's storage (least privilege): without a release reader the API redirects. Both refuse
        // callers without a validated token (401): public means the organisation, not the internet.
        _api = mode.IsHub
            ? new CatalogHttpApi(new CatalogReader(storage), requireAuthenticatedReaders: true)
            : new CatalogHttpApi(
                new CatalogReader(storage),
                releases: new ReleaseReader(storage),
                access: (id, _) => Task.FromResult(
                    products.All.FirstOrDefault(p => p.Id == id && (mode.Domain is null || p.Domain == mode.Domain)) is { } spec ? ReleaseAccess.FromSpec(spec) : null),
                requireAuthenticatedReaders: true,
                quarantine: new Quarantine.QuarantineClient(storage, new DomainProducts(products, mode.Domain)))
            {
                // DataMesh__RowsTimeLimit (e.g. 00:00:30): how long the rows route may read one page.
                RowsTimeLimit = configuration?.GetValue<TimeSpan?>("DataMesh:RowsTimeLimit") ?? CatalogHttpApi.DefaultRowsTimeLimit,
            };
    }

    /// <summary>
    /// A product's quarantined files with their reasons (redacted), for callers its access lets read its history; the
    /// domain app answers from its own quarantine container, the hub (which reads no domain's storage) from the catalog's
    /// record of the failure announcements.
    /// </summary>
    [Function("ListQuarantine")]
    public Task<HttpResponseData> ListQuarantineAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/quarantine")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken) => CatalogApi.AnswerAsync(_api, request, _authentication, cancellationToken);

    [Function("GetReleaseRows")]
    public Task<HttpResponseData> GetReleaseRowsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/releases/{version}/{release}/rows")] HttpRequestData request,
        string id,
        string version,
        string release,
        CancellationToken cancellationToken) => CatalogApi.AnswerAsync(_api, request, _authentication, cancellationToken);

    /// <summary>
    /// One Parquet file, streamed from storage (whole, or the one byte range asked); HEAD answers its length and ETag
    /// without the bytes, as HTTP Parquet readers (DuckDB httpfs, fsspec) ask before reading the footer by range.
    /// </summary>
    [Function("GetReleaseFile")]
    public Task<HttpResponseData> GetReleaseFileAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "products/{id}/releases/{version}/{release}/files")] HttpRequestData request,
        string id,
        string version,
        string release,
        CancellationToken cancellationToken) => CatalogApi.AnswerAsync(_api, request, _authentication, cancellationToken);

    /// <summary>The products of this app's own domain (all of them when it serves every domain).</summary>
    private sealed class DomainProducts(IProductRegistry products, string? domain) : IProductRegistry
    {
        public IReadOnlyCollection<DataMesh.Specs.ProductSpec> All => products.All.Where(p => domain is null || p.Domain == domain).ToList();

        public DataMesh.Specs.ProductSpec Get(string productId) =>
            All.FirstOrDefault(p => p.Id == productId) ?? throw new KeyNotFoundException($"Product '{productId}' is not served by this app.");
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataMesh.Catalog;
using DataMesh.Specs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Catalog;

/// <summary>The catalog's HTTP API: <c>GET api/products</c> and <c>GET api/products/{id}</c> (product and releases), camelCase JSON.</summary>
public sealed class CatalogApi(CatalogReader catalog)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    [Function("ListProducts")]
    public async Task<HttpResponseData> ListProductsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "products")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var products = await catalog.ListProductsAsync(cancellationToken);
        return await JsonAsync(request, HttpStatusCode.OK, products, cancellationToken);
    }

    [Function("GetProduct")]
    public async Task<HttpResponseData> GetProductAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "products/{id}")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!ProductIds.TrySplit(id, out _, out _))
        {
            return await JsonAsync(
                request, HttpStatusCode.BadRequest, new ApiError($"'{id}' is not a product id: use <domain>.<name>, e.g. finance.ledger-emea.", id), cancellationToken);
        }

        var product = await catalog.GetProductAsync(id, cancellationToken);
        if (product is null)
        {
            return await JsonAsync(request, HttpStatusCode.NotFound, new ApiError($"Product '{id}' is not in the catalog.", id), cancellationToken);
        }

        var releases = await catalog.GetReleasesAsync(id, cancellationToken);
        return await JsonAsync(request, HttpStatusCode.OK, new ProductDetails(product, releases), cancellationToken);
    }

    private static async Task<HttpResponseData> JsonAsync<T>(HttpRequestData request, HttpStatusCode status, T body, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await JsonSerializer.SerializeAsync(response.Body, body, Json, cancellationToken);
        return response;
    }

    private sealed record ProductDetails(CatalogProduct Product, IReadOnlyList<CatalogRelease> Releases);

    private sealed record ApiError(string Error, string ProductId);
}

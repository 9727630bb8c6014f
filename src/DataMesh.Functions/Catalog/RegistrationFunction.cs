using DataMesh.Catalog;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// <c>POST api/registrations</c> on the hub: a domain app registers its products when it starts
/// (<see cref="HubRegistrationService"/>), so a consumer deployed but never run is a reader in other domains' publish
/// gates. No function key (a domain app holds none of the hub's): the caller's Entra bearer token is validated as for
/// every catalog route, and the domain registered is the token's app role's (<see cref="ProductRegistrationIntake"/>).
/// A domain app answers 404: only the hub holds the catalog.
/// </summary>
public sealed class RegistrationFunction(ProductRegistrationIntake intake, AppServiceAuthentication authentication, DataMeshAppMode mode)
{
    [Function("RegisterProducts")]
    public async Task<HttpResponseData> RegisterAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ProductRegistrationIntake.Route)] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!mode.IsHub)
        {
            return await CatalogApiAnswer.WriteAsync(request, CatalogHttpApi.Problem(404, "no-such-route", "No such route",
                "Registrations are recorded by the mesh hub's catalog: send them to its DataMesh__Hub__CatalogEndpoint, not to a domain app.", "/api/" + ProductRegistrationIntake.Route), cancellationToken);
        }

        var (caller, refusal) = await authentication.IdentifyAsync(request, cancellationToken);
        if (caller is null)
        {
            return await CatalogApi.InvalidTokenAsync(request, refusal ?? "the bearer token is refused", cancellationToken);
        }

        // Read whole, bounded (on ASP.NET Core the body does not seek); one too large is not read further.
        using var body = new MemoryStream();
        var answer = await PipelineHttp.TryReadBoundedAsync(request, body, ProductRegistrationIntake.MaxBodyBytes, cancellationToken)
            ? await intake.HandleAsync(caller, body.GetBuffer().AsMemory(0, (int)body.Length), cancellationToken)
            : CatalogHttpApi.Problem(413, "body-too-large", "Body too large", $"The body is larger than {ProductRegistrationIntake.MaxBodyBytes} bytes.", "/api/" + ProductRegistrationIntake.Route);
        return await CatalogApiAnswer.WriteAsync(request, answer, cancellationToken);
    }
}

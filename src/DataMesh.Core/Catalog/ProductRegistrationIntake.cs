using System.Text.Json;
using System.Text.Json.Nodes;
using DataMesh.Consumption;
using DataMesh.Events;
using DataMesh.Specs;

namespace DataMesh.Catalog;

/// <summary>
/// The hub's intake of a domain app's product registrations at start-up (<c>POST api/registrations</c>, body
/// <c>{ "registrations": [ ... ] }</c>, each as a release event carries it): a consumer is known to the other domains'
/// publish gates once its app is deployed, not only once it publishes. The domain is the caller's, as its validated
/// token proves it (app role <c>DataMesh.Domain.&lt;domain&gt;</c>), never the body's: a registration of a product of
/// another domain is refused (403), as is a caller without a domain role (anonymous 401; a member or the operator 403).
/// Each registration then gets the projection's own checks (<see cref="CatalogProjection.RegistrationProblem"/>: its
/// column reads are of its declared inputs only; 400 otherwise), and nothing is recorded unless all pass. Whether a
/// registered read counts is decided where readers are answered: a domain the upstream's <c>access</c> does not admit
/// is never a reader (<see cref="CatalogReader.GetReadersAsync"/>). A body marked <c>complete</c> (a domain app's
/// start-up: every product it holds) also withdraws the registrations of the token's domain's products it does not name
/// (<see cref="CatalogProjection.WithdrawAbsentAsync"/>). Each registration is recorded only where it is newer than the
/// one held (<see cref="ProductRegistration.DeclaredAt"/>); one stamped more than
/// <see cref="CatalogProjection.DeclaredAtTolerance"/> ahead of the hub's clock is refused (400, nothing recorded), as it
/// would hold its product's declaration until that time.
/// </summary>
public sealed class ProductRegistrationIntake
{
    /// <summary>The route, under <see cref="CatalogHttpApi.BasePath"/>.</summary>
    public const string Route = "registrations";

    /// <summary>Largest body read (a domain's registrations, column lineage included).</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Most registrations one request carries.</summary>
    public const int MaxRegistrations = 1000;

    private const string Instance = CatalogHttpApi.BasePath + "/" + Route;

    private readonly CatalogProjection _projection;

    /// <param name="projection">The catalog's projection, which records the registrations.</param>
    public ProductRegistrationIntake(CatalogProjection projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        _projection = projection;
    }

    /// <summary>The body a domain app sends (<see cref="HubCatalogClient.RegisterAsync"/>).</summary>
    public sealed record Body(IReadOnlyList<ProductRegistration> Registrations)
    {
        /// <summary>
        /// True when <see cref="Registrations"/> are every product of the caller's domain (a domain app's start-up): the
        /// hub then withdraws the registrations of that domain's products they do not name, as of the newest
        /// <see cref="ProductRegistration.DeclaredAt"/> among them (required). The domain is the token's, which must
        /// carry exactly one domain role.
        /// </summary>
        public bool Complete { get; init; }
    }

    /// <summary>Records <paramref name="body"/>'s registrations for <paramref name="caller"/>, or answers why not.</summary>
    /// <param name="caller">Who asks, as the host validated it (the bearer token's app roles).</param>
    /// <param name="body">The request body (UTF-8 JSON), at most <see cref="MaxBodyBytes"/>.</param>
    /// <param name="cancellationToken">Cancels the catalog writes.</param>
    public async Task<CatalogApiResponse> HandleAsync(DataReader caller, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsAuthenticated)
        {
            var refused = CatalogHttpApi.Problem(401, "authentication-required", "Authentication required",
                "Registrations come from domain apps: send the app's Entra ID bearer token for the mesh API (api://<MESH_API_CLIENT_ID>).", Instance);
            return refused with { Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" } };
        }

        if (caller.IsOperator || caller.Domains.Count == 0)
        {
            return CatalogHttpApi.Problem(403, "not-a-domain", "Not a domain",
                $"Registrations come from domain apps: the caller's token must carry the app role {DataReader.DomainRolePrefix}<domain> of the domain it registers for; {caller} has none.", Instance);
        }

        if (body.Length > MaxBodyBytes)
        {
            return CatalogHttpApi.Problem(413, "body-too-large", "Body too large", $"The body is larger than {MaxBodyBytes} bytes.", Instance);
        }

        IReadOnlyList<ProductRegistration>? registrations;
        bool complete;
        try
        {
            var read = JsonSerializer.Deserialize<Body>(body.Span, ProductEventJson.Options);
            registrations = read?.Registrations;
            complete = read?.Complete == true;
        }
        catch (JsonException ex)
        {
            return CatalogHttpApi.Problem(400, "invalid-body", "Invalid body", $"The body must be {{ \"registrations\": [ ... ] }}: {ex.Message}", Instance);
        }

        if (registrations is null || registrations.Count == 0 || registrations.Count > MaxRegistrations || registrations.Any(r => r is null))
        {
            return CatalogHttpApi.Problem(400, "invalid-body", "Invalid body", $"The body must be {{ \"registrations\": [ ... ] }} with 1 to {MaxRegistrations} registrations.", Instance);
        }

        foreach (var registration in registrations)
        {
            if (string.IsNullOrWhiteSpace(registration.Domain) || string.IsNullOrWhiteSpace(registration.Name) || !ProductIds.TrySplit(registration.ProductId, out _, out _))
            {
                return CatalogHttpApi.Problem(400, "invalid-registration", "Invalid registration", $"'{registration.Domain}.{registration.Name}' is not a product id of the form <domain>.<name>.", Instance);
            }

            // Lists a release event always carries (an empty list, never null).
            if (registration.Columns is null || registration.Inputs is null || registration.InputVersions is null || registration.Readers is null || registration.Tags is null)
            {
                return CatalogHttpApi.Problem(400, "invalid-registration", "Invalid registration",
                    $"{registration.ProductId}: columns, inputs, inputVersions, readers and tags must be lists (empty when there are none).", Instance, productId: registration.ProductId);
            }

            if (!caller.Domains.Contains(registration.Domain))
            {
                return CatalogHttpApi.Problem(403, "not-your-domain", "Not your domain",
                    $"{caller} may not register {registration.ProductId}: a domain registers its own products only. Nothing was recorded.", Instance, productId: registration.ProductId);
            }

            if (CatalogProjection.RegistrationProblem(registration) is { } problem)
            {
                return CatalogHttpApi.Problem(400, "invalid-registration", "Invalid registration",
                    $"{registration.ProductId}: its registration's {problem}. Nothing was recorded.", Instance, productId: registration.ProductId);
            }

            if (_projection.DeclaredAtProblem(registration) is { } ahead)
            {
                return CatalogHttpApi.Problem(400, "declared-in-the-future", "Declared in the future",
                    $"{registration.ProductId}: its registration's {ahead}. Nothing was recorded.", Instance, productId: registration.ProductId);
            }
        }

        if (complete && (caller.Domains.Count != 1 || registrations.Any(r => r.DeclaredAt is null)))
        {
            return CatalogHttpApi.Problem(400, "invalid-body", "Invalid body",
                $"A complete set of registrations is of one domain, each registration stamped (declaredAt); {caller} has {caller.Domains.Count} domain role(s). Nothing was recorded.", Instance);
        }

        await _projection.RegisterProductsAsync(registrations, cancellationToken).ConfigureAwait(false);
        var answer = new JsonObject { ["registered"] = new JsonArray([.. registrations.Select(r => (JsonNode?)JsonValue.Create(r.ProductId))]) };
        if (complete)
        {
            // Only the token's domain, whose every registration passed above: another domain's rows are never read.
            var withdrawn = await _projection.WithdrawAbsentAsync(
                caller.Domains.Single(), [.. registrations.Select(r => r.Name)], registrations.Max(r => r.DeclaredAt!.Value), cancellationToken).ConfigureAwait(false);
            answer["withdrawn"] = new JsonArray([.. withdrawn.Select(p => (JsonNode?)JsonValue.Create(p))]);
        }

        return new CatalogApiResponse(200, "application/json; charset=utf-8", answer.ToJsonString());
    }
}

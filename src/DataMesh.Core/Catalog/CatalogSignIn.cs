using System.Text.Json.Nodes;

namespace DataMesh.Catalog;

/// <summary>
/// How the web catalog signs people in (Azure): the authorization code flow with PKCE, run by the page itself against
/// the Entra ID tenant's standard v2.0 endpoints, as a single-page application registered on the mesh API app
/// registration (SPA redirect URI <c>https://&lt;hub&gt;/api/catalog/</c>, no client secret). The page asks for an
/// access token for the mesh API and sends it as a bearer token, so the API sees the same token, app roles included,
/// as any other caller's. Served to the page as <see cref="SettingsPath"/>; locally there is none and the page stays open.
/// </summary>
/// <param name="Authority">The tenant's v2.0 authority, e.g. <c>https://login.microsoftonline.com/&lt;tenant&gt;/v2.0</c>.</param>
/// <param name="ClientId">The mesh API's client id: the page is its SPA platform, and asks a token for it.</param>
public sealed record CatalogSignIn(Uri Authority, string ClientId)
{
    /// <summary>Where the page reads its sign-in settings, below the UI's root.</summary>
    public const string SettingsPath = "sign-in.json";

    /// <summary>What the page reads when nobody signs in (<c>datamesh up</c>, or an app without token validation).</summary>
    public const string OffSettings = """{"enabled":false}""";

    /// <summary>
    /// The sign-in of the tenant <paramref name="tenantId"/> at <paramref name="instance"/> (e.g.
    /// <c>https://login.microsoftonline.com/</c>) for the mesh API <paramref name="clientId"/>; null when either is missing.
    /// </summary>
    public static CatalogSignIn? For(string? instance, string? tenantId, string? clientId)
    {
        if (string.IsNullOrWhiteSpace(tenantId) || string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(instance))
        {
            return null;
        }

        return new CatalogSignIn(new Uri($"{instance.Trim().TrimEnd('/')}/{Uri.EscapeDataString(tenantId.Trim())}/v2.0"), clientId.Trim());
    }

    /// <summary>The tenant's authorization endpoint (the v2.0 authority's <c>oauth2/v2.0/authorize</c>).</summary>
    public Uri AuthorizationEndpoint => Endpoint("authorize");

    /// <summary>The tenant's token endpoint, which the page posts the code and its PKCE verifier to (CORS: SPA redirect URIs only).</summary>
    public Uri TokenEndpoint => Endpoint("token");

    /// <summary>
    /// The scopes the page asks: an access token for the mesh API itself (<c>&lt;clientId&gt;/.default</c>: its app
    /// roles, no scope to declare or consent to) and the OpenID Connect ones.
    /// </summary>
    public string Scope => $"api://{ClientId}/.default openid profile";

    /// <summary>The origin of <see cref="TokenEndpoint"/>, which the page's Content-Security-Policy lets it connect to.</summary>
    public string TokenOrigin => TokenEndpoint.GetLeftPart(UriPartial.Authority);

    /// <summary>The settings the page reads (<see cref="SettingsPath"/>).</summary>
    public string ToJson() => new JsonObject
    {
        ["enabled"] = true,
        ["clientId"] = ClientId,
        ["authorizationEndpoint"] = AuthorizationEndpoint.AbsoluteUri,
        ["tokenEndpoint"] = TokenEndpoint.AbsoluteUri,
        ["scope"] = Scope,
    }.ToJsonString();

    // https://login.microsoftonline.com/<tenant>/v2.0 -> https://login.microsoftonline.com/<tenant>/oauth2/v2.0/<name>
    private Uri Endpoint(string name)
    {
        var tenantRoot = Authority.AbsoluteUri.TrimEnd('/');
        tenantRoot = tenantRoot.EndsWith("/v2.0", StringComparison.Ordinal) ? tenantRoot[..^"/v2.0".Length] : tenantRoot;
        return new Uri($"{tenantRoot}/oauth2/v2.0/{name}");
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DataMesh.Browser.Tests;

/// <summary>
/// A local stand-in of the Entra ID v2.0 endpoints the web catalog signs in with (no real tenant can run here): the
/// authorization endpoint checks the client, the registered SPA redirect URI and a S256 PKCE challenge, and sends the
/// browser back with a one-time code; the token endpoint redeems that code only with the matching verifier and answers
/// an RS256 access token signed with a local key (issuer <c>&lt;stand-in&gt;/&lt;tenant&gt;/v2.0</c>, audience the
/// client id, the user's app roles), with CORS for the SPA's origin as Entra answers SPA redirect URIs.
/// </summary>
public sealed class SignInStandIn : IAsyncDisposable
{
    public const string Tenant = "test-tenant";

    private readonly ConcurrentDictionary<string, (string Challenge, string RedirectUri)> _codes = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private SignInStandIn(WebApplication app, Uri instance, string clientId, string redirectUri, string[] roles)
    {
        _app = app;
        Instance = instance;
        ClientId = clientId;
        RedirectUri = redirectUri;
        Roles = roles;
    }

    /// <summary>The stand-in's root, the <c>Instance</c> of the sign-in (e.g. <c>http://127.0.0.1:1234/</c>).</summary>
    public Uri Instance { get; }

    public string ClientId { get; }

    /// <summary>The one SPA redirect URI registered: the hub's <c>/api/catalog/</c>.</summary>
    public string RedirectUri { get; }

    /// <summary>The app roles the signed-in user holds.</summary>
    public string[] Roles { get; }

    /// <summary>The key the stand-in signs with, the tenant's signing key for the API's validation.</summary>
    public RsaSecurityKey SigningKey { get; } = new(RSA.Create(2048)) { KeyId = "stand-in" };

    /// <summary>The issuer of its tokens, as Entra ID v2.0 names it.</summary>
    public string Issuer => $"{Instance.AbsoluteUri}{Tenant}/v2.0";

    /// <summary>Every access token issued.</summary>
    public ConcurrentQueue<string> Issued { get; } = new();

    /// <summary>Every authorization request, with its query.</summary>
    public ConcurrentQueue<Uri> AuthorizeRequests { get; } = new();

    public static async Task<SignInStandIn> StartAsync(string clientId, string redirectUri, params string[] roles)
    {
        var port = DataMesh.Testing.LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var standIn = new SignInStandIn(app, new Uri($"http://127.0.0.1:{port}/"), clientId, redirectUri, roles);
        app.MapGet($"/{Tenant}/oauth2/v2.0/authorize", (Func<HttpContext, IResult>)standIn.Authorize);
        app.MapPost($"/{Tenant}/oauth2/v2.0/token", (Func<HttpContext, Task<IResult>>)standIn.TokenAsync);
        await app.StartAsync();
        return standIn;
    }

    private IResult Authorize(HttpContext context)
    {
        var query = context.Request.Query;
        AuthorizeRequests.Enqueue(new Uri(Microsoft.AspNetCore.Http.Extensions.UriHelper.GetEncodedUrl(context.Request)));
        if (query["client_id"] != ClientId || query["redirect_uri"] != RedirectUri || query["response_type"] != "code"
            || query["code_challenge_method"] != "S256" || string.IsNullOrEmpty(query["code_challenge"]) || string.IsNullOrEmpty(query["state"]))
        {
            return Results.BadRequest("invalid_request: client, redirect URI, response type or PKCE challenge");
        }

        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _codes[code] = (query["code_challenge"]!, RedirectUri);
        return Results.Redirect($"{RedirectUri}?code={code}&state={Uri.EscapeDataString(query["state"]!)}");
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        // Entra ID answers cross-origin token requests of SPA redirect URIs: the catalog's origin only.
        var origin = new Uri(RedirectUri).GetLeftPart(UriPartial.Authority);
        context.Response.Headers.AccessControlAllowOrigin = origin;
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "authorization_code" || form["client_id"] != ClientId || form["redirect_uri"] != RedirectUri
            || !_codes.TryRemove(form["code"].ToString(), out var issued)
            || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != issued.Challenge)
        {
            return Results.Json(new { error = "invalid_grant", error_description = "the code, redirect URI or PKCE verifier does not match" }, statusCode: 400);
        }

        var handler = new JsonWebTokenHandler();
        var credentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256);
        var access = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["tid"] = Tenant, ["roles"] = Roles, ["name"] = "Ada Lovelace" },
            SigningCredentials = credentials,
        });
        var id = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["name"] = "Ada Lovelace", ["preferred_username"] = "ada@example.org" },
            SigningCredentials = credentials,
        });
        Issued.Enqueue(access);
        return Results.Json(new { token_type = "Bearer", access_token = access, id_token = id, expires_in = 3600, scope = form["scope"].ToString() });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SigningKey.Rsa.Dispose();
    }
}

using System.Text;
using System.Text.Json;
using DataMesh.Functions.Configuration;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Tests;

/// <summary>
/// What the HTTP function tests send and read: the caller as App Service authentication passes it
/// (<see cref="AppServiceAuthentication.ClientPrincipalHeader"/>) or as a bearer token, and a response's body.
/// </summary>
internal static class TestHttp
{
    /// <summary>The header as App Service authentication writes it: Base64 JSON of the token's claims (no app role when <paramref name="role"/> is null).</summary>
    public static string Principal(string? role = null) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        name_typ = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        role_typ = "roles",
        claims = role is null
            ? new[] { new { typ = "appid", val = "11111111-2222-3333-4444-555555555555" } }
            : new[] { new { typ = "roles", val = role }, new { typ = "appid", val = "11111111-2222-3333-4444-555555555555" } },
    })));

    /// <summary><paramref name="request"/> with the client principal header <paramref name="principal"/> (none when null).</summary>
    public static TRequest WithPrincipal<TRequest>(this TRequest request, string? principal)
        where TRequest : HttpRequestData
    {
        if (principal is not null)
        {
            request.Headers.Add(AppServiceAuthentication.ClientPrincipalHeader, principal);
        }

        return request;
    }

    /// <summary><paramref name="request"/> from a caller holding the app role <paramref name="role"/>, as App Service authentication passes it.</summary>
    public static TRequest WithRole<TRequest>(this TRequest request, string role)
        where TRequest : HttpRequestData => request.WithPrincipal(Principal(role));

    /// <summary><paramref name="request"/> with <c>Authorization: Bearer <paramref name="token"/></c> (none when null).</summary>
    public static TRequest WithBearer<TRequest>(this TRequest request, string? token)
        where TRequest : HttpRequestData
    {
        if (token is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + token);
        }

        return request;
    }

    /// <summary>The response's body as text.</summary>
    public static string Body(HttpResponseData response)
    {
        response.Body.Position = 0;
        return new StreamReader(response.Body).ReadToEnd();
    }

    /// <summary>The response's body as JSON.</summary>
    public static JsonDocument BodyJson(HttpResponseData response)
    {
        response.Body.Position = 0;
        return JsonDocument.Parse(response.Body);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// A local stand-in for the part of Microsoft Graph v1.0 the azd hooks call (applications, service principals, app role
/// assignments), holding one tenant's state in memory and recording every exchange, so the hook commands run for real
/// over HTTP (there is no Entra tenant here). Requests without the bearer token the fake azd hands out get 401.
/// </summary>
internal sealed class FakeGraph : IDisposable
{
    public const string Token = "fake-azd-token";

    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private int _nextApp;

    public FakeGraph()
    {
        // A free port: bind 0, read it back, let it go (HttpListener cannot bind 0 itself).
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Endpoint = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
            probe.Stop();
        }

        _listener.Prefixes.Add(Endpoint);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The base URL to give the hooks as DATAMESH_GRAPH_ENDPOINT.</summary>
    public string Endpoint { get; }

    /// <summary>The appIds that POST /applications hands out, in order.</summary>
    public Queue<string> NewAppIds { get; } = new();

    public string NewServicePrincipalId { get; set; } = Guid.NewGuid().ToString();

    public List<JsonObject> Applications { get; } = [];

    public List<JsonObject> ServicePrincipals { get; } = [];

    public List<JsonObject> Assignments { get; } = [];

    /// <summary>Answer 403 to these "METHOD path-prefix" requests (a right the deploying person lacks).</summary>
    public HashSet<string> Forbidden { get; } = [];

    /// <summary>Every request, as "METHOD /v1.0/path?decoded-query body".</summary>
    public List<string> Exchanges { get; } = [];

    public List<string> Writes()
    {
        lock (_gate)
        {
            return [.. Exchanges.Where(e => !e.StartsWith("GET ", StringComparison.Ordinal))];
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending GetContextAsync: that is how the loop ends.
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var target = Uri.UnescapeDataString(context.Request.Url!.PathAndQuery);
            int status;
            JsonNode? answer;
            lock (_gate)
            {
                Exchanges.Add($"{context.Request.HttpMethod} {target} {body}".TrimEnd());
                (status, answer) = context.Request.Headers["Authorization"] != "Bearer " + Token
                    ? (401, Error("InvalidAuthenticationToken", "Access token is empty or invalid."))
                    : Answer(context.Request.HttpMethod, target, body.Length == 0 ? null : JsonNode.Parse(body)?.AsObject());
            }

            context.Response.StatusCode = status;
            if (answer is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(answer.ToJsonString());
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }
    }

    private (int Status, JsonNode? Body) Answer(string method, string target, JsonObject? body)
    {
        if (Forbidden.Any(f => $"{method} {target}".StartsWith(f, StringComparison.Ordinal)))
        {
            return (403, Error("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        }

        var path = target.Split('?')[0];
        var query = target.Contains('?', StringComparison.Ordinal) ? target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";
        var filter = query.Split('&').FirstOrDefault(q => q.StartsWith("$filter=", StringComparison.Ordinal))?["$filter=".Length..];
        switch (method, path)
        {
            case ("GET", "/v1.0/applications"):
                return (200, List(Applications.Where(a => filter == $"displayName eq '{a["displayName"]}'")));
            case ("POST", "/v1.0/applications"):
                var app = new JsonObject
                {
                    ["id"] = Guid.NewGuid().ToString(),
                    ["appId"] = NewAppIds.Count > 0 ? NewAppIds.Dequeue() : $"00000000-0000-4000-8000-{++_nextApp:D12}",
                    ["displayName"] = body!["displayName"]!.GetValue<string>(),
                    ["signInAudience"] = body["signInAudience"]!.GetValue<string>(),
                    ["appRoles"] = new JsonArray(),
                };
                Applications.Add(app);
                return (201, app.DeepClone());
            case ("GET", "/v1.0/servicePrincipals"):
                return (200, List(ServicePrincipals.Where(s => filter == $"appId eq '{s["appId"]}'").Select(WithRoles)));
            case ("POST", "/v1.0/servicePrincipals"):
                var servicePrincipal = new JsonObject { ["id"] = NewServicePrincipalId, ["appId"] = body!["appId"]!.GetValue<string>() };
                ServicePrincipals.Add(servicePrincipal);
                return (201, servicePrincipal.DeepClone());
        }

        if (path.StartsWith("/v1.0/applications(appId='", StringComparison.Ordinal))
        {
            var appId = path["/v1.0/applications(appId='".Length..^2];
            var found = Applications.FirstOrDefault(a => a["appId"]!.GetValue<string>() == appId);
            if (found is null)
            {
                return (404, Error("Request_ResourceNotFound", $"Resource '{appId}' does not exist."));
            }

            if (method == "GET")
            {
                return (200, found.DeepClone());
            }

            if (method == "PATCH")
            {
                foreach (var (name, value) in body!)
                {
                    found[name] = value?.DeepClone();
                }

                return (204, null);
            }
        }

        var parts = path.Split('/');
        if (parts is ["", "v1.0", "servicePrincipals", var principal, "appRoleAssignments"] && method == "GET")
        {
            return (200, List(Assignments.Where(a => a["principalId"]!.GetValue<string>() == principal)));
        }

        if (parts is ["", "v1.0", "servicePrincipals", var resource, "appRoleAssignedTo"] && method == "POST")
        {
            var assignment = body!.DeepClone().AsObject();
            assignment["id"] = Guid.NewGuid().ToString();
            Assignments.Add(assignment);
            return resource == body["resourceId"]!.GetValue<string>() ? (201, assignment.DeepClone()) : (400, Error("Request_BadRequest", "resourceId mismatch"));
        }

        return (400, Error("Request_BadRequest", $"fake Graph: unexpected {method} {target}"));
    }

    private JsonObject WithRoles(JsonObject servicePrincipal)
    {
        // A service principal shows its application's app roles.
        var copy = servicePrincipal.DeepClone().AsObject();
        copy["appRoles"] = Applications.FirstOrDefault(a => a["appId"]!.GetValue<string>() == servicePrincipal["appId"]!.GetValue<string>())?["appRoles"]?.DeepClone()
            ?? servicePrincipal["appRoles"]?.DeepClone() ?? new JsonArray();
        return copy;
    }

    private static JsonObject List(IEnumerable<JsonObject> items) => new() { ["value"] = new JsonArray([.. items.Select(i => (JsonNode)i.DeepClone())]) };

    private static JsonObject Error(string code, string message) => new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
}

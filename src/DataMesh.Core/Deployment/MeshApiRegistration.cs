using System.Text.Json.Nodes;
using DataMesh.Consumption;

namespace DataMesh.Deployment;

/// <summary>
/// The mesh API app registration in Microsoft Entra ID: the audience of the tokens App Service authentication accepts
/// on the hub and on every domain app, and the app roles callers read data with (<see cref="MeshApiAppRoles"/>).
/// The hub's preprovision hook ensures it (<see cref="EnsureAsync"/>); a domain's postprovision hook gives the domain
/// app's managed identity its domain role (<see cref="GrantDomainAsync"/>).
/// </summary>
/// <remarks>
/// Every step reads before it writes, so a second run changes nothing. What the deploying person may lack the right to
/// do, and the deployment can do without, is a warning naming the command a person with that right runs; only what the
/// hub cannot be provisioned without (an app registration to point at) is an error.
/// </remarks>
public sealed class MeshApiRegistration(GraphClient graph, TextWriter output, TextWriter errors)
{
    /// <summary>How the hook commands are run from a clone of the repository (printed in what to run).</summary>
    public const string HookCommand = "dotnet run --project src/DataMesh.Cli -c Release -- infra hook";

    private const string Select = "$select=id,appId,displayName,appRoles";

    /// <summary>How many times the role assignment is tried: a managed identity created moments ago may not have reached Graph.</summary>
    public int GrantAttempts { get; init; } = 5;

    /// <summary>The wait between two tries of the role assignment.</summary>
    public TimeSpan GrantDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Creates or reuses the registration (by <paramref name="appId"/> when given, else by <paramref name="displayName"/>),
    /// makes its audience <c>api://&lt;appId&gt;</c>, its app roles those of <paramref name="domains"/>, its tokens v2,
    /// and gives it a service principal. Returns its appId.
    /// </summary>
    /// <exception cref="HookFailedException">No registration can be named: the given appId is unknown, the name is ambiguous, or one cannot be created.</exception>
    /// <exception cref="GraphRequestException">Graph failed otherwise (no sign-in, an outage).</exception>
    public async Task<string> EnsureAsync(string displayName, string? appId, IEnumerable<string> domains, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(displayName);
        JsonObject app;
        if (!string.IsNullOrEmpty(appId))
        {
            // The value goes into a Graph URL: only an appId (a GUID) may, never OData or a path of someone's choosing.
            if (!Guid.TryParseExact(appId, "D", out _))
            {
                throw new HookFailedException($"MESH_API_CLIENT_ID is '{appId}', not an appId (a GUID like 0a1b2c3d-0000-4000-8000-00000000a991): azd env set MESH_API_CLIENT_ID <appId>.");
            }

            app = await GetAppAsync(appId, cancellationToken).ConfigureAwait(false)
                ?? throw new HookFailedException(
                    $"MESH_API_CLIENT_ID is '{appId}', but no app registration has that appId in this tenant.\n"
                    + $"  Unset it (azd env set MESH_API_CLIENT_ID '') to create '{displayName}', or set the appId of the mesh's registration.");
            await output.WriteLineAsync($"Mesh API app registration: reusing {appId} (MESH_API_CLIENT_ID).").ConfigureAwait(false);
        }
        else
        {
            var filter = Uri.EscapeDataString($"displayName eq '{displayName.Replace("'", "''", StringComparison.Ordinal)}'");
            var found = (await graph.GetAsync($"applications?$filter={filter}&{Select}", cancellationToken).ConfigureAwait(false))?["value"]?.AsArray()
                .OfType<JsonObject>().ToList() ?? [];
            switch (found.Count)
            {
                case 0:
                    app = await CreateAppAsync(displayName, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"Mesh API app registration: created '{displayName}' ({Text(app, "appId")}).").ConfigureAwait(false);
                    break;
                case 1:
                    app = found[0];
                    await output.WriteLineAsync($"Mesh API app registration: reusing '{displayName}' ({Text(app, "appId")}).").ConfigureAwait(false);
                    break;
                default:
                    throw new HookFailedException(
                        $"{found.Count} app registrations are named '{displayName}' ({string.Join(", ", found.Select(a => Text(a, "appId")))}): "
                        + "azd env set MESH_API_CLIENT_ID <appId> to say which is the mesh's.");
            }
        }

        appId = Text(app, "appId");
        await UpdateAppAsync(app, appId, domains, cancellationToken).ConfigureAwait(false);
        await EnsureServicePrincipalAsync(appId, cancellationToken).ConfigureAwait(false);
        return appId;
    }

    /// <summary>
    /// Gives the managed identity <paramref name="principalId"/> the app role <c>DataMesh.Domain.&lt;domain&gt;</c> on the
    /// mesh API <paramref name="appId"/>. False (after a warning naming what to run) when it could not; never throws for a
    /// refusal, since the domain works without it until someone with the right runs the printed command.
    /// </summary>
    public async Task<bool> GrantDomainAsync(string domain, string appId, string principalId, CancellationToken cancellationToken)
    {
        var role = "DataMesh.Domain." + domain;
        // Each value goes into a Graph URL or body: ids must be GUIDs and the domain a domain name, or nothing is called.
        if (!Guid.TryParseExact(appId, "D", out _) || !Guid.TryParseExact(principalId, "D", out _)
            || domain.Length is 0 or > 64 || !domain.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            await errors.WriteLineAsync(
                $"warning: gave no mesh API app role: domain '{domain}', mesh API '{appId}', principal '{principalId}' must be a domain name and two GUIDs "
                + "(MESH_API_CLIENT_ID as the hub printed it, DATAMESH_APP_PRINCIPAL_ID as the domain's provision output it).").ConfigureAwait(false);
            return false;
        }

        var command = $"{HookCommand} grant-domain --domain {domain} --mesh-api-client-id {appId} --principal-id {principalId}";
        try
        {
            var filter = Uri.EscapeDataString($"appId eq '{appId}'");
            var servicePrincipal = (await graph.GetAsync($"servicePrincipals?$filter={filter}&$select=id,appRoles", cancellationToken).ConfigureAwait(false))?["value"]?
                .AsArray().OfType<JsonObject>().FirstOrDefault();
            var roleId = servicePrincipal?["appRoles"]?.AsArray().OfType<JsonObject>()
                .FirstOrDefault(r => Text(r, "value") == role && r["isEnabled"]?.GetValue<bool>() == true) is { } found ? Text(found, "id") : null;
            if (servicePrincipal is null || roleId is null)
            {
                await errors.WriteLineAsync(
                    $"warning: the mesh API ({appId}) has no service principal or no enabled app role {role}:\n"
                    + $"  re-provision the hub (azd provision -e <hub environment>) so its preprovision hook adds the role for pipelines/{domain}/, then run: {command}").ConfigureAwait(false);
                return false;
            }

            var resourceId = Text(servicePrincipal, "id");
            var assignments = await graph.GetAsync($"servicePrincipals/{principalId}/appRoleAssignments", cancellationToken).ConfigureAwait(false);
            if (assignments?["value"]?.AsArray().OfType<JsonObject>().Any(a => Text(a, "resourceId") == resourceId && Text(a, "appRoleId") == roleId) == true)
            {
                await output.WriteLineAsync($"The app identity ({principalId}) already holds {role} on the mesh API.").ConfigureAwait(false);
                return true;
            }

            var body = new JsonObject { ["principalId"] = principalId, ["resourceId"] = resourceId, ["appRoleId"] = roleId };
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await graph.PostAsync($"servicePrincipals/{resourceId}/appRoleAssignedTo", body, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"The app identity ({principalId}) now holds {role} on the mesh API.").ConfigureAwait(false);
                    return true;
                }
                catch (GraphRequestException ex) when (!ex.IsSignIn && attempt < GrantAttempts)
                {
                    await Task.Delay(GrantDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (GraphRequestException ex)
        {
            var who = ex.IsSignIn
                ? "Sign in with azd auth login"
                : "Assigning app roles needs the Cloud Application Administrator role or ownership of the mesh API's service principal; ask the mesh operator";
            await errors.WriteLineAsync(
                $"warning: could not give the app identity ({principalId}) the app role {role} on the mesh API: {ex.Message}\n"
                + $"  {who} to run, in a clone of this repository: {command}").ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>
    /// Registers the hub's web catalog <paramref name="catalogUrl"/> (<c>https://&lt;hub&gt;/api/catalog/</c>) as a
    /// single-page-application redirect URI of the mesh API <paramref name="appId"/>, so the page can sign people in
    /// (authorization code + PKCE, no secret) and redeem the code cross-origin. Adds it to the URIs already there, and
    /// changes nothing when it is one of them. False (after a warning naming what to run) when it could not: the hub runs,
    /// only its catalog page cannot sign anyone in until then.
    /// </summary>
    public async Task<bool> EnsureCatalogRedirectAsync(string appId, string catalogUrl, CancellationToken cancellationToken)
    {
        var command = $"{HookCommand} ensure-app --app-id {appId} --catalog-url {catalogUrl}";
        // The appId goes into a Graph URL; the URL must be the hub's HTTPS page (Entra allows http for localhost only).
        if (!Guid.TryParseExact(appId, "D", out _) || !Uri.TryCreate(catalogUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps
            || !url.AbsolutePath.EndsWith('/') || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            await errors.WriteLineAsync(
                $"warning: the web catalog was given no sign-in: mesh API '{appId}' must be an appId (GUID) and the catalog '{catalogUrl}' an https URL ending in /api/catalog/ "
                + "(MESH_API_CLIENT_ID and DATAMESH_CATALOG_URL as the hub's provision output them).").ConfigureAwait(false);
            return false;
        }

        try
        {
            if ((await graph.GetAsync($"applications(appId='{appId}')?$select=id,spa", cancellationToken).ConfigureAwait(false))?.AsObject() is not { } app)
            {
                await errors.WriteLineAsync(
                    $"warning: the web catalog cannot sign anyone in: no app registration has the appId {appId} (MESH_API_CLIENT_ID): provision the hub again.").ConfigureAwait(false);
                return false;
            }

            var uris = app["spa"]?["redirectUris"]?.AsArray().Select(u => u?.GetValue<string>()).OfType<string>().ToList() ?? [];
            if (uris.Contains(url.AbsoluteUri, StringComparer.Ordinal))
            {
                await output.WriteLineAsync($"Web catalog sign-in: {url.AbsoluteUri} is already a SPA redirect URI of the mesh API.").ConfigureAwait(false);
                return true;
            }

            // Graph replaces the whole list: send the ones there plus the catalog's.
            var patch = new JsonObject { ["spa"] = new JsonObject { ["redirectUris"] = new JsonArray([.. uris.Append(url.AbsoluteUri).Select(u => (JsonNode)u)]) } };
            await graph.PatchAsync($"applications(appId='{appId}')", patch, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Web catalog sign-in: {url.AbsoluteUri} is now a SPA redirect URI of the mesh API.").ConfigureAwait(false);
            return true;
        }
        catch (GraphRequestException ex)
        {
            var who = ex.IsSignIn ? "Sign in with azd auth login" : "Updating the registration needs its ownership or the Cloud Application Administrator role; ask an owner";
            await errors.WriteLineAsync(
                $"warning: the web catalog cannot sign anyone in yet: {url.AbsoluteUri} could not be made a SPA redirect URI of the mesh API {appId}: {ex.Message}\n"
                + $"  {who} to run, in a clone of this repository: {command}").ConfigureAwait(false);
            return false;
        }
    }

    private async Task<JsonObject?> GetAppAsync(string appId, CancellationToken cancellationToken) =>
        (await graph.GetAsync($"applications(appId='{Uri.EscapeDataString(appId)}')?{Select}", cancellationToken).ConfigureAwait(false))?.AsObject();

    private async Task<JsonObject> CreateAppAsync(string displayName, CancellationToken cancellationToken)
    {
        try
        {
            var created = await graph.PostAsync("applications", new JsonObject { ["displayName"] = displayName, ["signInAudience"] = "AzureADMyOrg" }, cancellationToken)
                .ConfigureAwait(false);
            return created?.AsObject() ?? throw new HookFailedException($"Microsoft Graph created '{displayName}' but returned no application object: run the hook again.");
        }
        catch (GraphRequestException ex) when (ex.IsForbidden)
        {
            throw new HookFailedException(
                $"could not create the mesh API app registration '{displayName}': {ex.Message}\n"
                + "  Creating app registrations needs the Application Developer role (or a tenant that lets users register applications).\n"
                + $"  Ask someone who has it to run, in a clone of this repository: {HookCommand} ensure-app --app-name {displayName}\n"
                + "  then set the appId it prints here: azd env set MESH_API_CLIENT_ID <appId>, and provision again.",
                ex);
        }
    }

    private async Task UpdateAppAsync(JsonObject app, string appId, IEnumerable<string> domains, CancellationToken cancellationToken)
    {
        // Roles no longer declared stay, disabled (Graph refuses to delete an enabled role); role ids never change.
        var roles = MeshApiAppRoles.Merge(domains, app["appRoles"]?.DeepClone().AsArray());
        var patch = new JsonObject
        {
            // Tokens are requested for api://<appId>; the Bicep's allowed audience is the same string.
            ["identifierUris"] = new JsonArray($"api://{appId}"),
            ["appRoles"] = roles,
            // v2.0 access tokens: the issuer App Service authentication validates is https://login.microsoftonline.com/<tenant>/v2.0.
            ["api"] = new JsonObject { ["requestedAccessTokenVersion"] = 2 },
        };
        try
        {
            await graph.PatchAsync($"applications(appId='{Uri.EscapeDataString(appId)}')", patch, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Mesh API app registration: audience api://{appId}, {roles.Count} app role(s), v2 tokens.").ConfigureAwait(false);
        }
        catch (GraphRequestException ex) when (ex.IsForbidden)
        {
            await errors.WriteLineAsync(
                $"warning: could not update the mesh API app registration {appId} (audience, app roles of the domains under pipelines/, v2 tokens): {ex.Message}\n"
                + "  Updating it needs ownership of the registration or the Cloud Application Administrator role; until then new domains get no role.\n"
                + $"  Ask an owner to run, in a clone of this repository: {HookCommand} ensure-app --app-id {appId}").ConfigureAwait(false);
        }
    }

    private async Task EnsureServicePrincipalAsync(string appId, CancellationToken cancellationToken)
    {
        // Tokens can only be issued for an app that has a service principal in the tenant; role assignments target it too.
        var filter = Uri.EscapeDataString($"appId eq '{appId}'");
        var existing = await graph.GetAsync($"servicePrincipals?$filter={filter}&$select=id", cancellationToken).ConfigureAwait(false);
        if (existing?["value"]?.AsArray().Count > 0)
        {
            return;
        }

        try
        {
            await graph.PostAsync("servicePrincipals", new JsonObject { ["appId"] = appId }, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync("Mesh API service principal created.").ConfigureAwait(false);
        }
        catch (GraphRequestException ex) when (ex.IsForbidden)
        {
            await errors.WriteLineAsync(
                $"warning: could not create the mesh API's service principal: {ex.Message}\n"
                + "  No token can be issued for the mesh API until it exists. Ask someone with the Application Developer role to run,\n"
                + $"  in a clone of this repository: {HookCommand} ensure-app --app-id {appId}").ConfigureAwait(false);
        }
    }

    private static string Text(JsonObject node, string name) => node[name]?.GetValue<string>() ?? "";
}

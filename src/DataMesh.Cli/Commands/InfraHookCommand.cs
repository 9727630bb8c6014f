using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Identity;
using DataMesh.Deployment;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh infra hook &lt;name&gt;</c>: the azd hooks of <c>azure.yaml</c> (preprovision, prepackage, postprovision),
/// whose <c>posix</c> (sh) and <c>windows</c> (pwsh) variants are one line each calling this command, and the two
/// Entra steps they take (<c>ensure-app</c>, <c>grant-domain</c>) for a person with the right role to run alone.
/// </summary>
/// <remarks>
/// Run from the repository root (azd runs hooks there). The azd environment arrives as environment variables
/// (AZURE_ENV_NAME, DATAMESH_MODE, outputs...); the one value a hook writes back goes through <c>azd env set</c>.
/// Microsoft Graph is called with <see cref="AzureDeveloperCliCredential"/>: the azd sign-in, so the Azure CLI is not
/// needed. <c>DATAMESH_GRAPH_ENDPOINT</c> names another Graph endpoint (a sovereign cloud; the tests' local stand-in).
/// </remarks>
internal static partial class InfraHookCommand
{
    /// <summary>The Graph endpoint override (default <c>https://graph.microsoft.com/</c>).</summary>
    public const string GraphEndpointVariable = "DATAMESH_GRAPH_ENDPOINT";

    private const string SubscriptionsFile = "infra/generated/subscriptions.json";

    // One client for the process (STYLE: never an HttpClient per call).
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(100) };

    public static Command Create()
    {
        var preprovision = new Command("preprovision", "Validate the specs; check the azd environment; the hub ensures the mesh API app registration, a domain regenerates infra/generated/subscriptions.json.");
        preprovision.SetAction((_, cancellationToken) => Guarded(() => PreprovisionAsync(cancellationToken)));

        var prepackage = new Command("prepackage", "Validate the specs (azd deploy alone skips preprovision: never package an app whose specs do not validate).");
        prepackage.SetAction((_, _) => Guarded(ValidateAsync));

        var postprovision = new Command("postprovision", "A domain gives its app identity its mesh API app role; then what was provisioned and what to do next.");
        postprovision.SetAction((_, cancellationToken) => Guarded(() => PostprovisionAsync(cancellationToken)));

        var appId = new Option<string?>("--app-id") { Description = "The registration's appId (default: MESH_API_CLIENT_ID)." };
        var appName = new Option<string?>("--app-name") { Description = "The registration's display name when no appId is given (default: datamesh-<AZURE_ENV_NAME>-api)." };
        var catalogUrl = new Option<string?>("--catalog-url") { Description = "The hub's web catalog (https://<hub>/api/catalog/), made a SPA redirect URI of the registration so people sign in there." };
        var ensureApp = new Command("ensure-app", "Create or update the mesh API app registration (audience, app roles of the domains under pipelines/, v2 tokens, service principal; the web catalog's redirect URI with --catalog-url); under azd, azd env set MESH_API_CLIENT_ID.")
        {
            appId, appName, catalogUrl,
        };
        ensureApp.SetAction((parse, cancellationToken) => Guarded(async () =>
        {
            var id = await EnsureAppAsync(parse.GetValue(appId), parse.GetValue(appName), cancellationToken).ConfigureAwait(false);
            return parse.GetValue(catalogUrl) is not { Length: > 0 } url
                || await new MeshApiRegistration(Graph(), Console.Out, Console.Error).EnsureCatalogRedirectAsync(id, url, cancellationToken).ConfigureAwait(false)
                ? ExitCodes.Success
                : ExitCodes.CheckFailed;
        }));

        var domain = new Option<string?>("--domain") { Description = "The domain (default: DATAMESH_DOMAIN)." };
        var meshApi = new Option<string?>("--mesh-api-client-id") { Description = "The mesh API's appId (default: MESH_API_CLIENT_ID)." };
        var principal = new Option<string?>("--principal-id") { Description = "The domain app identity's principal id (default: DATAMESH_APP_PRINCIPAL_ID)." };
        var grantDomain = new Command("grant-domain", "Give a domain app's managed identity the mesh API app role DataMesh.Domain.<domain>; exit 1 when it could not.")
        {
            domain, meshApi, principal,
        };
        grantDomain.SetAction((parse, cancellationToken) => Guarded(async () =>
            await GrantDomainAsync(parse.GetValue(domain), parse.GetValue(meshApi), parse.GetValue(principal), cancellationToken).ConfigureAwait(false)
                ? ExitCodes.Success
                : ExitCodes.CheckFailed));

        return new Command("hook", "The azd hooks of azure.yaml, in C# (no Azure CLI needed): preprovision, prepackage, postprovision; ensure-app and grant-domain run alone.")
        {
            preprovision, prepackage, postprovision, ensureApp, grantDomain,
        };
    }

    private static async Task<int> PreprovisionAsync(CancellationToken cancellationToken)
    {
        var validated = await ValidateAsync().ConfigureAwait(false);
        if (validated != ExitCodes.Success)
        {
            return validated;
        }

        var mode = Variable("DATAMESH_MODE") ?? "domain";
        if (mode == "hub")
        {
            await EnsureAppAsync(null, null, cancellationToken).ConfigureAwait(false);
            Console.WriteLine("Provisioning the mesh hub: catalog storage, catalog app, hub topic, and the catalog subscriptions of the domains in infra/domains.json.");
            return ExitCodes.Success;
        }

        if (mode != "domain")
        {
            throw new HookFailedException($"DATAMESH_MODE is '{mode}': use 'domain' (default) or 'hub' (azd env set DATAMESH_MODE hub).");
        }

        var domain = Variable("DATAMESH_DOMAIN") ?? Variable("AZURE_ENV_NAME") ?? "";
        if (!DomainName().IsMatch(domain))
        {
            throw new HookFailedException($"domain '{domain}' is not a domain name (lowercase letters, digits, '-'): azd env set DATAMESH_DOMAIN <domain>.");
        }

        if (!Directory.Exists(Path.Combine("pipelines", domain)))
        {
            throw new HookFailedException($"no pipelines/{domain}/ folder: domain '{domain}' has no products (azd env set DATAMESH_DOMAIN <domain>).");
        }

        if (Variable("MESH_API_CLIENT_ID") is null)
        {
            throw new HookFailedException(
                $"domain '{domain}' needs the mesh hub; not set: MESH_API_CLIENT_ID.\n"
                + "  Deploy the hub once (azd env new mesh && azd env set DATAMESH_MODE hub && azd up), then in this\n"
                + "  environment: azd env set <NAME> <value> for each, with the values the hub's postprovision printed.");
        }

        if (Variable("MESH_OPERATOR_PRINCIPAL_ID") is null)
        {
            await Console.Error.WriteLineAsync(
                "warning: MESH_OPERATOR_PRINCIPAL_ID is not set: the hub operator cannot subscribe the catalog to this domain's topic\n"
                + "  until someone grants EventGrid EventSubscription Contributor on this resource group (azd env set MESH_OPERATOR_PRINCIPAL_ID <id the hub printed>).").ConfigureAwait(false);
        }

        // Who reads whom is generated from the specs (main.bicep loads the file and joins it with infra/domains.json).
        Console.WriteLine($"datamesh infra --out {SubscriptionsFile}");
        var written = await InfraCommand.WriteSubscriptionsAsync(new DirectoryInfo("pipelines"), new FileInfo(SubscriptionsFile), checkOnly: false, json: false, cancellationToken)
            .ConfigureAwait(false);
        if (written != ExitCodes.Success)
        {
            return written;
        }

        Console.WriteLine($"Provisioning domain '{domain}': its own resource group only (its topic, its grants to the domains in infra/domains.json).");
        return ExitCodes.Success;
    }

    private static async Task<int> PostprovisionAsync(CancellationToken cancellationToken)
    {
        if (Variable("DATAMESH_MODE") == "hub")
        {
            // The web catalog signs people in as a SPA of the mesh API: its address, known only now, is a redirect URI.
            // A refusal is a warning with the command to run; the hub is provisioned and deploys either way.
            if (Variable("MESH_API_CLIENT_ID") is { } meshApi && Variable("DATAMESH_CATALOG_URL") is { } catalog)
            {
                await new MeshApiRegistration(Graph(), Console.Out, Console.Error).EnsureCatalogRedirectAsync(meshApi, catalog, cancellationToken).ConfigureAwait(false);
            }

            Console.Write(ProvisionSummary.Hub(Variable));
            return ExitCodes.Success;
        }

        // The domain is provisioned whatever happens here: a missing grant is a warning with the command to run, never a
        // reason for azd to stop before it deploys the code.
        await GrantDomainAsync(null, null, null, cancellationToken).ConfigureAwait(false);
        Console.Write(ProvisionSummary.Domain(Variable));
        return ExitCodes.Success;
    }

    private static async Task<string> EnsureAppAsync(string? appId, string? appName, CancellationToken cancellationToken)
    {
        var environment = Variable("AZURE_ENV_NAME");
        var name = appName ?? Variable("MESH_API_APP_NAME") ?? (environment is null
            ? throw new HookFailedException("AZURE_ENV_NAME is not set: run through azd, or name the registration (--app-name or --app-id).")
            : $"datamesh-{environment}-api");
        var (registry, failed) = await InfraCommand.LoadSpecsAsync(new DirectoryInfo("pipelines"), "first").ConfigureAwait(false);
        if (registry is null)
        {
            throw new HookFailedException($"the specs under pipelines/ do not load (exit {failed}): the app roles are one per domain with products.");
        }

        var registration = new MeshApiRegistration(Graph(), Console.Out, Console.Error);
        var id = await registration.EnsureAsync(name, appId ?? Variable("MESH_API_CLIENT_ID"), registry.All.Select(p => p.Domain), cancellationToken).ConfigureAwait(false);
        if (environment is null)
        {
            Console.WriteLine($"MESH_API_CLIENT_ID={id}: in the hub's azd environment, azd env set MESH_API_CLIENT_ID {id}");
            return id;
        }

        await AzdEnvSetAsync("MESH_API_CLIENT_ID", id, cancellationToken).ConfigureAwait(false);
        return id;
    }

    private static async Task<bool> GrantDomainAsync(string? domain, string? appId, string? principalId, CancellationToken cancellationToken)
    {
        domain ??= Variable("DATAMESH_DOMAIN");
        appId ??= Variable("MESH_API_CLIENT_ID");
        principalId ??= Variable("DATAMESH_APP_PRINCIPAL_ID");
        var missing = new[] { ("DATAMESH_DOMAIN", domain), ("MESH_API_CLIENT_ID", appId), ("DATAMESH_APP_PRINCIPAL_ID", principalId) }
            .Where(v => string.IsNullOrEmpty(v.Item2)).Select(v => v.Item1).ToList();
        if (missing.Count > 0)
        {
            await Console.Error.WriteLineAsync(
                $"warning: the domain's app identity was given no mesh API app role: not set: {string.Join(", ", missing)} (provision the domain first, "
                + $"or pass --domain, --mesh-api-client-id and --principal-id to {MeshApiRegistration.HookCommand} grant-domain).").ConfigureAwait(false);
            return false;
        }

        var registration = new MeshApiRegistration(Graph(), Console.Out, Console.Error)
        {
            GrantAttempts = int.TryParse(Variable("MESH_API_GRANT_ATTEMPTS"), out var attempts) && attempts > 0 ? attempts : 5,
            GrantDelay = TimeSpan.FromSeconds(int.TryParse(Variable("MESH_API_GRANT_DELAY"), out var delay) && delay >= 0 ? delay : 10),
        };
        return await registration.GrantDomainAsync(domain!, appId!, principalId!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What validate.sh did: <c>datamesh validate pipelines</c>, its diagnostics and exit code.</summary>
    private static async Task<int> ValidateAsync()
    {
        Console.WriteLine("datamesh validate pipelines/");
        var validate = new RootCommand { ValidateCommand.Create() };
        return await validate.Parse(["validate", "pipelines"]).InvokeAsync().ConfigureAwait(false);
    }

    private static GraphClient Graph()
    {
        var endpoint = Variable(GraphEndpointVariable) ?? "https://graph.microsoft.com/";
        // HTTPS only, except a loopback stand-in; the token is requested for the endpoint's own audience (<endpoint>/.default),
        // so naming another endpoint can never send it a Microsoft Graph token.
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            throw new HookFailedException($"{GraphEndpointVariable} is '{endpoint}', not an https URL (e.g. https://graph.microsoft.us/).");
        }

        // The azd sign-in (azd auth login), in the tenant azd provisions into when it says which.
        TokenCredential credential = new AzureDeveloperCliCredential(new AzureDeveloperCliCredentialOptions
        {
            TenantId = Variable("AZURE_TENANT_ID"),
            ProcessTimeout = TimeSpan.FromSeconds(60),
        });
        return new GraphClient(Http, credential, uri);
    }

    /// <summary>Writes a value back into the azd environment, the one way azd documents (its CLI).</summary>
    private static async Task AzdEnvSetAsync(string name, string value, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("azd") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in new[] { "env", "set", name, value })
        {
            start.ArgumentList.Add(argument);
        }

        var manual = $"run it yourself: azd env set {name} {value}";
        try
        {
            using var process = Process.Start(start) ?? throw new HookFailedException($"could not start azd to record {name}: {manual}.");
            var stderr = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new HookFailedException($"azd env set {name} failed (exit {process.ExitCode}: {stderr.Trim()}): {manual}.");
            }
        }
        catch (Win32Exception ex)
        {
            throw new HookFailedException($"azd is not on PATH to record {name}: {manual}.", ex);
        }
    }

    /// <summary>Runs a hook step: a step that cannot go on says why and what to run, and exits 1 (azd stops).</summary>
    private static async Task<int> Guarded(Func<Task<int>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (HookFailedException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.CheckFailed;
        }
        catch (GraphRequestException ex)
        {
            var fix = ex.IsSignIn
                ? "Sign in with azd auth login (the hooks use azd's sign-in; the Azure CLI is not needed), then run azd provision again."
                : "Run azd provision again; if it persists, check the Microsoft Graph status and your role in the tenant.";
            await Console.Error.WriteLineAsync($"error: Microsoft Graph: {ex.Message}\n  {fix}").ConfigureAwait(false);
            return ExitCodes.CheckFailed;
        }
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex DomainName();
}

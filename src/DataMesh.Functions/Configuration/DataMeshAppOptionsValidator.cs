using Microsoft.Extensions.Options;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// Checks <see cref="DataMeshAppOptions"/> when the app starts and names each missing or invalid app setting, so a
/// misconfigured deployment fails at start-up instead of at its first blob.
/// </summary>
internal sealed class DataMeshAppOptionsValidator : IValidateOptions<DataMeshAppOptions>
{
    /// <summary>Flex Consumption's smallest instance size, in MB.</summary>
    private const int MinimumInstanceMemoryMB = 512;

    public ValidateOptionsResult Validate(string? name, DataMeshAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!options.IsHub && !string.Equals(options.Mode, "domain", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"DataMesh__Mode '{options.Mode}' is not a mode: use 'domain' (a domain's pipelines) or 'hub' (the mesh catalog).");
        }

        if (options.IsHub)
        {
            // The hub serves the catalog of every domain: it has no domain of its own.
        }
        else if (string.IsNullOrWhiteSpace(options.Domain))
        {
            errors.Add("DataMesh__Domain is not set: name the domain this app serves (e.g. 'finance'), as in its products' product.yaml.");
        }
        else if (!options.Domain.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            errors.Add($"DataMesh__Domain '{options.Domain}' is not a domain name: use lowercase letters, digits and '-'.");
        }

        if (string.IsNullOrWhiteSpace(options.TaskHub))
        {
            errors.Add("DataMesh__TaskHub is not set: host.json names the Durable Task hub from it (e.g. 'DataMeshFinance').");
        }
        else if (options.TaskHub.Length is < 3 or > 45 || !char.IsAsciiLetter(options.TaskHub[0]) || !options.TaskHub.All(char.IsAsciiLetterOrDigit))
        {
            errors.Add($"DataMesh__TaskHub '{options.TaskHub}' is not a valid task hub name: 3 to 45 letters and digits, starting with a letter.");
        }

        if (!Directory.Exists(options.PipelinesPath))
        {
            errors.Add($"The product specs folder '{options.PipelinesPath}' does not exist: deploy the app with its pipelines/ folder or set DataMesh__PipelinesPath.");
        }

        if (!options.IsHub && !string.IsNullOrWhiteSpace(options.DataEndpoint) && DataMesh.Catalog.ReleaseDataEndpoint.Parse(options.DataEndpoint) is null)
        {
            errors.Add($"DataMesh__DataEndpoint '{options.DataEndpoint}' is not the base URL of this app: use https://<host>/ (no path, query or credentials).");
        }

        if (options.Hub.CatalogEndpoint is { } hub && (!hub.IsAbsoluteUri || hub.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(hub.Query)))
        {
            errors.Add($"DataMesh__Hub__CatalogEndpoint '{hub}' is not the hub's catalog API base: use https://<hub app>/api/.");
        }

        if (options.Hub.Timeout <= TimeSpan.Zero || options.Hub.Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"DataMesh__Hub__Timeout '{options.Hub.Timeout}' is out of range: between 00:00:01 and 00:05:00 (a publish waits on the hub's answer).");
        }

        for (var i = 0; i < options.Domains.Count; i++)
        {
            var domain = options.Domains[i];
            var prefix = $"DataMesh__Domains__{i}__";
            if (string.IsNullOrWhiteSpace(domain.Name))
            {
                errors.Add($"{prefix}Name is not set: name the registered domain, as in its products' product.yaml.");
            }

            if (!Uri.TryCreate(domain.StorageEndpoint, UriKind.Absolute, out _))
            {
                errors.Add($"{prefix}StorageEndpoint '{domain.StorageEndpoint}' is not a URL: use the blob endpoint of domain '{domain.Name}''s storage account (https://<account>.blob.core.windows.net/).");
            }

            if (!string.IsNullOrWhiteSpace(domain.DataEndpoint) && DataMesh.Catalog.ReleaseDataEndpoint.Parse(domain.DataEndpoint) is null)
            {
                errors.Add($"{prefix}DataEndpoint '{domain.DataEndpoint}' is not the base URL of domain '{domain.Name}''s app: use https://<host>/ (no path, query or credentials).");
            }
        }

        if (options.Domains.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            errors.Add($"Domain '{twice.Key}' is registered twice under DataMesh__Domains: keep one entry per domain.");
        }

        ValidateStorage(options.Storage, errors);
        ValidateEvents(options, errors);
        if (options.Pipeline.Threads < 1 || options.Pipeline.RowGroupSize < 1)
        {
            errors.Add("DataMesh__Pipeline__Threads (when set) and DataMesh__Pipeline__RowGroupSize must be positive.");
        }

        // The DuckDB limits derive from the instance size (EngineLimits); below Flex Consumption's smallest instance the
        // Functions host and the worker leave DuckDB nothing.
        if (options.Pipeline.InstanceMemoryMB is < 0 or (> 0 and < MinimumInstanceMemoryMB))
        {
            errors.Add($"DataMesh__Pipeline__InstanceMemoryMB '{options.Pipeline.InstanceMemoryMB}' is not an instance size: use the plan's instanceMemoryMB (2048 or 4096), or leave it unset to take the machine's memory.");
        }

        if (options.Pipeline.StuckRunAfter <= TimeSpan.Zero)
        {
            errors.Add($"DataMesh__Pipeline__StuckRunAfter must be a positive duration (e.g. '01:00:00'), not '{options.Pipeline.StuckRunAfter}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateStorage(StorageAccountOptions storage, List<string> errors)
    {
        if (storage.UsesConnectionString)
        {
            return;
        }

        var uris = new (string Setting, Uri? Value)[]
        {
            ("DataMesh__Storage__BlobServiceUri", storage.BlobServiceUri),
            ("DataMesh__Storage__QueueServiceUri", storage.QueueServiceUri),
            ("DataMesh__Storage__TableServiceUri", storage.TableServiceUri),
        };
        var missing = uris.Where(u => IsMissing(u.Value)).Select(u => u.Setting).ToList();
        if (missing.Count > 0)
        {
            errors.Add(
                $"Storage is not configured: set {string.Join(", ", missing)} (the domain account's endpoints, reached with the managed identity), "
                + "or DataMesh__Storage__ConnectionString locally (e.g. 'UseDevelopmentStorage=true' for Azurite).");
        }

        foreach (var (setting, value) in uris.Where(u => !IsMissing(u.Value) && !IsSecureEndpoint(u.Value!)))
        {
            errors.Add($"{setting} '{value}' must be an absolute https:// endpoint (token credentials are never sent over http).");
        }
    }

    private static void ValidateEvents(DataMeshAppOptions options, List<string> errors)
    {
        if (options.Events.TopicEndpoint is { } topic && !IsMissing(topic))
        {
            if (!IsSecureEndpoint(topic))
            {
                errors.Add($"DataMesh__Events__TopicEndpoint '{topic}' must be an absolute https:// endpoint (e.g. 'https://<topic>.<region>-1.eventgrid.azure.net/api/events').");
            }
        }
        else if (!options.Storage.UsesConnectionString)
        {
            errors.Add("DataMesh__Events__TopicEndpoint is not set: product events are announced on the mesh's Event Grid topic.");
        }
    }

    // An app setting present but empty binds as an empty relative Uri.
    internal static bool IsMissing(Uri? uri) => uri is null || uri.OriginalString.Length == 0;

    private static bool IsSecureEndpoint(Uri uri) => uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttps;
}

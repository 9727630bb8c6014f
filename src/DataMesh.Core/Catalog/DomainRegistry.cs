using System.Net;

namespace DataMesh.Catalog;

/// <summary>
/// The catalog's registry of domains (<see cref="RegisteredDomain"/>): what the projection checks a product event's
/// locations against, so an event can neither point a release at another account's data nor send the hub's callers
/// to a host the domain does not own. Configured by each host: the Functions app from <c>DataMesh:Domains:&lt;n&gt;:Name</c>,
/// <c>:StorageEndpoint</c> and <c>:DataEndpoint</c> settings, the local mesh from its domains' storage accounts.
/// </summary>
public sealed class DomainRegistry
{
    private readonly Dictionary<string, RegisteredDomain> _domains;

    public DomainRegistry(IEnumerable<RegisteredDomain> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        _domains = new Dictionary<string, RegisteredDomain>(StringComparer.Ordinal);
        foreach (var domain in domains)
        {
            ArgumentNullException.ThrowIfNull(domain);
            if (!_domains.TryAdd(domain.Domain, domain))
            {
                throw new ArgumentException($"Domain '{domain.Domain}' is registered twice.", nameof(domains));
            }
        }
    }

    /// <summary>The registered domains.</summary>
    public IReadOnlyCollection<RegisteredDomain> Domains => _domains.Values;

    /// <summary>The registration of <paramref name="domain"/>, or null when it is not registered.</summary>
    public RegisteredDomain? Find(string domain) => _domains.GetValueOrDefault(domain);

    /// <summary>
    /// Why <paramref name="location"/> (a release's location, as an event announces it) is not in the registered
    /// storage account of <paramref name="domain"/>; null when it is. Scheme, host and the account's path must match;
    /// the port too, except on loopback (the local mesh's Azurite takes a new port at each start, and an announcement
    /// relayed after a restart names the old one).
    /// </summary>
    public string? CheckStorageLocation(string domain, string location)
    {
        if (Find(domain) is not { } registered)
        {
            return NotRegistered(domain);
        }

        var endpoint = registered.StorageEndpoint;
        var accountPath = endpoint.AbsolutePath.EndsWith('/') ? endpoint.AbsolutePath : endpoint.AbsolutePath + "/";
        var inAccount = Uri.TryCreate(location, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, endpoint.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Host, endpoint.Host, StringComparison.OrdinalIgnoreCase)
            && (uri.Port == endpoint.Port || (IsLoopback(uri) && IsLoopback(endpoint)))
            && uri.AbsolutePath.StartsWith(accountPath, StringComparison.Ordinal);
        return inAccount
            ? null
            : $"its location '{Shorten(location)}' is not in domain {domain}'s registered storage account ({endpoint.GetLeftPart(UriPartial.Authority)}{accountPath})";
    }

    /// <summary>
    /// Why <paramref name="dataEndpoint"/> (the <c>dataendpoint</c> an event carries; null when none) is not the
    /// registered data endpoint of <paramref name="domain"/>; null when it is, or when the event carries none.
    /// </summary>
    public string? CheckDataEndpoint(string domain, Uri? dataEndpoint)
    {
        if (dataEndpoint is null)
        {
            return null;
        }

        if (Find(domain) is not { } registered)
        {
            return NotRegistered(domain);
        }

        return registered.DataEndpoint is { } expected && Uri.Compare(expected, dataEndpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? null
            : $"its {ReleaseDataEndpoint.ExtensionAttribute} '{dataEndpoint}' is not domain {domain}'s registered data endpoint ({registered.DataEndpoint?.AbsoluteUri ?? "none: its data is served by the catalog's host"})";
    }

    private string NotRegistered(string domain) =>
        $"domain '{domain}' is not registered with the catalog (registered: {(_domains.Count == 0 ? "none" : string.Join(", ", _domains.Keys.Order(StringComparer.Ordinal)))}); "
        + $"the hub's operator registers it with the settings DataMesh__Domains__<n>__Name={domain}, DataMesh__Domains__<n>__StorageEndpoint and DataMesh__Domains__<n>__DataEndpoint";

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));

    private static string Shorten(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "...");
}

using Azure.Messaging;

namespace DataMesh.Catalog;

/// <summary>
/// Where a release's data is served: the base URL (<c>https://host/</c>) of the domain app that holds it. A domain app in
/// Azure stamps it on every event it announces, as the CloudEvents extension attribute <c>dataendpoint</c>; the catalog
/// records it with the release, and a catalog that does not serve data itself (the hub) redirects the data routes
/// there. The local mesh serves data itself and stamps nothing.
/// </summary>
/// <remarks>
/// Only an origin is accepted (https, a host, no user info, path, query or fragment): the catalog builds the redirect
/// from it and the request's own path, so an event cannot send callers to an arbitrary URL of that host. Event senders
/// are the mesh's domain apps (EventGrid Data Sender on the mesh topic), the same trust the rest of the event carries.
/// </remarks>
public static class ReleaseDataEndpoint
{
    /// <summary>The CloudEvents extension attribute (lowercase letters only, as the spec requires).</summary>
    public const string ExtensionAttribute = "dataendpoint";

    /// <summary>The query parameter the Functions host reads a function key from: never passed on to another host.</summary>
    private const string FunctionKeyParameter = "code";

    /// <summary>The base URL of an App Service app from its host name (<c>WEBSITE_HOSTNAME</c>); null when there is none.</summary>
    public static Uri? FromHostName(string? hostName) =>
        string.IsNullOrWhiteSpace(hostName) ? null : Parse($"https://{hostName.Trim()}/");

    /// <summary>The origin a value names (<c>https://host[:port]/</c>), or null when it is not exactly an https origin.</summary>
    public static Uri? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 300 || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var originOnly = uri.Scheme == Uri.UriSchemeHttps
            && uri.HostNameType == UriHostNameType.Dns
            && uri.UserInfo.Length == 0
            && uri.AbsolutePath == "/"
            && uri.Query.Length == 0
            && uri.Fragment.Length == 0;
        return originOnly ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/") : null;
    }

    /// <summary>Stamps <paramref name="endpoint"/> on an event the domain app is about to announce.</summary>
    public static void Stamp(CloudEvent cloudEvent, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(endpoint);
        cloudEvent.ExtensionAttributes[ExtensionAttribute] = Parse(endpoint.AbsoluteUri)?.AbsoluteUri
            ?? throw new ArgumentException($"'{endpoint}' is not an https origin (https://host/): it cannot be a data endpoint.", nameof(endpoint));
    }

    /// <summary>The endpoint an event carries; null when it carries none or one that is not an https origin.</summary>
    public static Uri? Of(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return cloudEvent.ExtensionAttributes.TryGetValue(ExtensionAttribute, out var value) ? Parse(value?.ToString()) : null;
    }

    /// <summary>
    /// The same request on <paramref name="endpoint"/>: its path as received and its query string, minus the function
    /// key (a key of this host is no key of the other, and must not leak to it).
    /// </summary>
    /// <param name="endpoint">An origin, as <see cref="Parse"/> returns it.</param>
    /// <param name="path">The request path as received (still percent-encoded), starting with '/'.</param>
    /// <param name="queryString">The raw query string, with or without its leading '?'.</param>
    public static string Location(Uri endpoint, string path, string? queryString)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(path);
        var kept = (queryString ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !string.Equals(Uri.UnescapeDataString(pair.Split('=')[0]), FunctionKeyParameter, StringComparison.Ordinal))
            .ToList();
        return endpoint.GetLeftPart(UriPartial.Authority) + "/" + path.TrimStart('/') + (kept.Count == 0 ? "" : "?" + string.Join('&', kept));
    }
}

using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace DataMesh.Catalog;

/// <summary>
/// The web catalog's static files (HTML, CSS, JavaScript modules), embedded in this assembly and served host-neutrally:
/// the local <c>datamesh up</c> server and the hub's Functions app hand over the path below the UI's root and send back
/// the answer. Only the embedded set exists: there is no file system behind it, so no path can reach anything else.
/// </summary>
public sealed class CatalogWebAssets
{
    /// <summary>The asset a request for the UI's root (an empty path) gets.</summary>
    public const string IndexPath = "index.html";

    /// <summary>
    /// The UI's Content-Security-Policy: scripts, styles, images and API calls from the same origin only, no inline
    /// script or style, no plug-ins, no framing. The UI fetches nothing from any other host.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string ResourcePrefix = "DataMesh.Catalog.Web/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<CatalogWebAssets> Embedded = new(() => new CatalogWebAssets(typeof(CatalogWebAssets).Assembly));

    private readonly FrozenDictionary<string, Asset> _assets;

    private CatalogWebAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                throw new InvalidOperationException($"Embedded web asset '{name}' has no known content type: add its extension to {nameof(CatalogWebAssets)}.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded web asset '{name}' cannot be read.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16)) + "\"";
            assets.Add(name, new Asset(bytes, contentType, etag));
        }

        if (!assets.ContainsKey(IndexPath))
        {
            throw new InvalidOperationException($"The web catalog's {IndexPath} is not embedded in {assembly.GetName().Name}.");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The assets embedded in DataMesh.Core, read once.</summary>
    public static CatalogWebAssets Default => Embedded.Value;

    /// <summary>Names of every asset served (paths below the UI's root).</summary>
    public IReadOnlyCollection<string> Paths => _assets.Keys;

    /// <summary>
    /// Headers every UI answer carries, found or not: the <see cref="ContentSecurityPolicy"/>, no MIME sniffing, no
    /// referrer sent with links out, no framing.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SecurityHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["X-Content-Type-Options"] = "nosniff",
        ["Referrer-Policy"] = "no-referrer",
        ["X-Frame-Options"] = "DENY",
        ["Cross-Origin-Opener-Policy"] = "same-origin",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Answers one request for a UI file. <paramref name="path"/> is the request path below the UI's root as received
    /// (still percent-encoded, without a leading slash; empty for the root). Only GET and HEAD are served; a path that
    /// names no embedded asset exactly is a 404, whatever it decodes to.
    /// </summary>
    /// <param name="method">HTTP method.</param>
    /// <param name="path">Path below the UI's root, e.g. <c>app.js</c>.</param>
    /// <param name="ifNoneMatch">The request's <c>If-None-Match</c> header, when sent: a matching ETag answers 304.</param>
    /// <param name="signIn">
    /// How the page signs people in (the hub in Azure), served as <see cref="CatalogSignIn.SettingsPath"/> with the token
    /// endpoint let through the Content-Security-Policy; null (<c>datamesh up</c>): the page stays open, no sign-in.
    /// </param>
    public Response Serve(string method, string? path, string? ifNoneMatch = null, CatalogSignIn? signIn = null)
    {
        var answer = ServeAsset(method, path, ifNoneMatch, signIn);
        if (signIn is null)
        {
            return answer;
        }

        // The page posts the authorization code to the tenant's token endpoint: the one origin it may reach besides its own.
        var headers = new Dictionary<string, string>(answer.Headers, StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Security-Policy"] = ContentSecurityPolicy.Replace("connect-src 'self'", $"connect-src 'self' {signIn.TokenOrigin}", StringComparison.Ordinal),
        };
        return answer with { Headers = headers };
    }

    private Response ServeAsset(string method, string? path, string? ifNoneMatch, CatalogSignIn? signIn)
    {
        ArgumentNullException.ThrowIfNull(method);
        var isHead = string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);
        if (!isHead && !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return Text(405, "The web catalog only serves GET and HEAD.", new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Allow"] = "GET, HEAD" });
        }

        if (path == CatalogSignIn.SettingsPath)
        {
            // Generated, not embedded: the hub's settings decide it, and it must never be cached past a change of them.
            var settings = System.Text.Encoding.UTF8.GetBytes(signIn?.ToJson() ?? CatalogSignIn.OffSettings);
            var noStore = new Dictionary<string, string>(SecurityHeaders, StringComparer.OrdinalIgnoreCase) { ["Cache-Control"] = "no-store" };
            return new Response(200, ContentTypes[".json"], isHead ? [] : settings, noStore) { Path = CatalogSignIn.SettingsPath };
        }

        if (!TryFind(path, out var name, out var asset))
        {
            return Text(404, "Not found: the web catalog has no such file.");
        }

        var headers = new Dictionary<string, string>(SecurityHeaders, StringComparer.OrdinalIgnoreCase)
        {
            ["ETag"] = asset.ETag,

            // Revalidate every time: the files change with the build, and a 304 costs one small round trip.
            ["Cache-Control"] = "no-cache",
        };
        if (ifNoneMatch is not null && Matches(ifNoneMatch, asset.ETag))
        {
            return new Response(304, asset.ContentType, [], headers) { Path = name };
        }

        return new Response(200, asset.ContentType, isHead ? [] : asset.Bytes, headers) { Path = name };
    }

    private bool TryFind(string? path, out string name, out Asset asset)
    {
        name = "";
        asset = default!;
        path ??= "";
        if (path.Length > 256)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            return false;
        }

        // Exact names only: "../x", "%2e%2e/x", "./app.js" or "a/../app.js" match nothing in the embedded set.
        name = decoded.Length == 0 ? IndexPath : decoded;
        return _assets.TryGetValue(name, out asset!);
    }

    private static bool Matches(string ifNoneMatch, string etag) =>
        ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(tag => tag == "*" || tag == etag || tag == "W/" + etag);

    private static Response Text(int status, string message, Dictionary<string, string>? extra = null)
    {
        var headers = new Dictionary<string, string>(SecurityHeaders, StringComparer.OrdinalIgnoreCase) { ["Cache-Control"] = "no-store" };
        foreach (var (key, value) in extra ?? [])
        {
            headers[key] = value;
        }

        return new Response(status, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(message), headers);
    }

    /// <summary>What <see cref="Serve"/> answers: status, content type, body and headers (security headers included), for any host to send.</summary>
    public sealed record Response(int StatusCode, string ContentType, byte[] Body, IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>The asset served (e.g. <c>index.html</c> for the root); null when none was.</summary>
        public string? Path { get; init; }
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}

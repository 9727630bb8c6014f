using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using DataMesh.Consumption;
using DataMesh.Publishing;
using Semver;

namespace DataMesh.Catalog;

/// <summary>
/// The catalog's HTTP API, host-neutral: routing, parameter checks, paging tokens, JSON bodies, RFC 7807 problem
/// bodies, release file downloads (streamed, with byte ranges) and the OpenAPI document. The Azure Functions HTTP
/// triggers and the local <c>datamesh up</c> server only hand it the method, path, query string and the few request
/// headers it reads (<see cref="CatalogApiRequestHeaders"/>), and send back what it answers. Reads only; nothing here writes.
/// </summary>
public sealed partial class CatalogHttpApi
{
    /// <summary>The path every route lives under (the Functions host's default route prefix).</summary>
    public const string BasePath = "/api";

    /// <summary>Longest query string accepted (characters, before decoding).</summary>
    public const int MaxQueryStringLength = 2048;

    /// <summary>Longest path accepted (characters, before decoding).</summary>
    public const int MaxPathLength = 512;

    /// <summary>Most hops a lineage walk goes.</summary>
    public const int MaxLineageDepth = 5;

    /// <summary>Most runs a runs or quality answer holds (and releases a releases answer).</summary>
    public const int MaxRuns = 200;

    /// <summary>Newest releases and runs a product's detail shows; the releases and runs routes page through the rest.</summary>
    public const int DetailHistoryItems = 20;

    private const string JsonContentType = "application/json; charset=utf-8";
    private const string ProblemContentType = "application/problem+json; charset=utf-8";
    private const int MaxTextLength = 200;

    // The Functions host passes the function key as ?code=...; it is the host's business, not a search parameter.
    private const string FunctionKeyParameter = "code";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private const string ParquetContentType = "application/vnd.apache.parquet";

    private readonly CatalogReader _catalog;
    private readonly TimeProvider _time;
    private readonly ReleaseReader? _releases;
    private readonly bool _requireAuthenticatedReaders;
    private readonly Func<string, CancellationToken, Task<ReleaseAccess?>> _access;
    private readonly bool _accessFromCatalog;
    private readonly Quarantine.QuarantineClient? _quarantine;

    /// <param name="catalog">The catalog tables.</param>
    /// <param name="time">The clock freshness is judged by.</param>
    /// <param name="releases">Reads release data for the rows and files routes; without it those routes answer 404.</param>
    /// <param name="access">
    /// Who may read a product's data, by product id (null: unknown product). Default: the access the catalog recorded
    /// from the spec. A domain's app passes its own specs: the domain that holds the data enforces who reads it.
    /// </param>
    /// <param name="quarantine">
    /// The quarantine of the domains whose data this host holds, for the quarantine route; without it (the hub, which
    /// reads no domain's storage) that route answers 404 naming where it is served.
    /// </param>
    /// <param name="requireAuthenticatedReaders">
    /// The data routes (and the redirect to them) answer 401 to a caller that is not <see cref="DataReader.IsAuthenticated"/>,
    /// public products included: in Azure, public means the organisation, not the internet. Off for the loopback-only
    /// local host.
    /// </param>
    public CatalogHttpApi(
        CatalogReader catalog,
        TimeProvider? time = null,
        ReleaseReader? releases = null,
        Func<string, CancellationToken, Task<ReleaseAccess?>>? access = null,
        bool requireAuthenticatedReaders = false,
        Quarantine.QuarantineClient? quarantine = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _time = time ?? TimeProvider.System;
        _releases = releases;
        _access = access ?? CatalogAccessAsync;
        _accessFromCatalog = access is null;
        _requireAuthenticatedReaders = requireAuthenticatedReaders;
        _quarantine = quarantine;
    }

    /// <summary>How long the rows route may take to read one page when <see cref="RowsTimeLimit"/> is not set.</summary>
    public static readonly TimeSpan DefaultRowsTimeLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the rows route may take to read one page (download of the release included); past it the read is
    /// cancelled and the caller gets a 504 problem, never a partial page. Default <see cref="DefaultRowsTimeLimit"/>.
    /// </summary>
    public TimeSpan RowsTimeLimit { get; init; } = DefaultRowsTimeLimit;

    /// <summary>
    /// Every route but the OpenAPI document answers 401 to a caller that is not <see cref="DataReader.IsAuthenticated"/>:
    /// the catalog is for the organisation's signed-in people (the web catalog signs in with Entra ID in Azure), and it
    /// has no function key in any URL to stand in for that. What a signed-in caller sees past discovery still follows
    /// the product's access (history routes 403, <c>historyWithheld</c>). Off for the loopback-only local host.
    /// </summary>
    public bool RequireSignedInCallers { get; init; }

    /// <summary>Every route, in the order the OpenAPI document lists them.</summary>
    public static IReadOnlyList<CatalogApiRoute> Routes { get; } =
    [
        new("products", "ListProducts", "Search products by text, domain, tag, owner and classification, a page at a time.", ["q", "domain", "tag", "owner", "classification", "pageSize", "continuationToken"], "ProductPage"),
        new("products/{id}", "GetProduct", "A product: spec summary, owner, contract columns with classifications, SLA and freshness, latest release, its newest releases and runs.", [], "ProductDetail"),
        new("products/{id}/releases", "ListReleases", "A page of a product's releases, newest first (highest version, then highest release), and the token of the next.", ["limit", "continuationToken"], "ReleaseList"),
        new("products/{id}/releases/{version}/{release}", "GetRelease", "One release: location, rows, schema hash, quality and lineage.", [], "Release"),
        new("products/{id}/runs", "ListRuns", "A page of a product's announced runs, most recent first, failed and quality-failed runs included with their reasons, and the token of the next.", ["limit", "continuationToken"], "RunList"),
        new("products/{id}/lineage", "GetLineage", "Products upstream and/or downstream of a product, to a number of hops.", ["direction", "depth"], "Lineage"),
        new("products/{id}/readers", "GetReaders", "Who reads each column of a product across the mesh (every domain's registrations), to a number of hops, with each reader's version range; what a domain's publish gate asks before a contract change. Authenticated callers only where the host requires them.", ["depth"], "Readers"),
        new("products/{id}/releases/{version}/{release}/rows", "GetReleaseRows", "A page of a release's rows as JSON objects, in file order; only for callers the product's access lets read it (403 otherwise).", ["offset", "limit"], "ReleaseRows"),
        new("products/{id}/releases/{version}/{release}/files", "GetReleaseFile", "One of a release's Parquet files (a path of its manifest); only for callers the product's access lets read it (403 otherwise).", ["path"], "ParquetFile"),
        new("products/{id}/quality", "GetQualityHistory", "Quality rule results of a product's most recent runs that reached the quality gate.", ["limit"], "QualityHistory"),
        new("products/{id}/quarantine", "ListQuarantine", "A product's quarantined input files, newest first, with when, the stage and the reason (values of classified columns redacted); only for callers its access lets read its history (403 otherwise). Read from the domain's quarantine container where the host holds it, else (the hub) from the catalog's record of the failure announcements.", [], "QuarantineList"),
        new("openapi.json", "GetOpenApiDocument", "This document.", [], "OpenApiDocument"),
    ];

    /// <summary>Answers one request. Only storage failures throw; every refusal is an answer with a problem body.</summary>
    /// <param name="method">HTTP method; only GET is served.</param>
    /// <param name="path">The request path as received (still percent-encoded), e.g. <c>/api/products/finance.ledger-emea</c>.</param>
    /// <param name="queryString">The raw query string, with or without its leading <c>?</c>.</param>
    /// <param name="cancellationToken">Cancels the storage reads.</param>
    public Task<CatalogApiResponse> HandleAsync(string method, string path, string? queryString, CancellationToken cancellationToken = default) =>
        HandleAsync(method, path, queryString, DataReader.Anonymous, cancellationToken);

    /// <summary>Answers one request of <paramref name="caller"/>, whose identity decides what release data it may read.</summary>
    /// <param name="method">HTTP method; only GET is served.</param>
    /// <param name="path">The request path as received (still percent-encoded).</param>
    /// <param name="queryString">The raw query string, with or without its leading <c>?</c>.</param>
    /// <param name="caller">Who asks: the host establishes it (Entra app roles in Azure, a loopback header locally).</param>
    /// <param name="cancellationToken">Cancels the storage reads.</param>
    public Task<CatalogApiResponse> HandleAsync(string method, string path, string? queryString, DataReader caller, CancellationToken cancellationToken = default) =>
        HandleAsync(method, path, queryString, caller, CatalogApiRequestHeaders.None, cancellationToken);

    /// <summary>
    /// Answers one request of <paramref name="caller"/> with the request headers the API reads (a file download's
    /// <c>Range</c> and conditions). A file answer carries a stream in <see cref="CatalogApiResponse.Content"/>: the
    /// host copies it to the response and disposes it.
    /// </summary>
    /// <param name="method">HTTP method: GET, or HEAD on the files route.</param>
    /// <param name="path">The request path as received (still percent-encoded).</param>
    /// <param name="queryString">The raw query string, with or without its leading <c>?</c>.</param>
    /// <param name="caller">Who asks: the host establishes it (Entra app roles in Azure, a loopback header locally).</param>
    /// <param name="headers">The request's <c>Range</c>, <c>If-Range</c> and <c>If-None-Match</c>.</param>
    /// <param name="cancellationToken">Cancels the storage reads.</param>
    public async Task<CatalogApiResponse> HandleAsync(string method, string path, string? queryString, DataReader caller, CatalogApiRequestHeaders headers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var instance = path.Length > MaxPathLength ? path[..MaxPathLength] : path;
        if (path.Length > MaxPathLength)
        {
            return Problem(400, "path-too-long", "Path too long", $"The path is longer than {MaxPathLength} characters.", instance);
        }

        queryString ??= "";
        if (queryString.Length > MaxQueryStringLength)
        {
            return Problem(400, "query-too-long", "Query string too long", $"The query string is {queryString.Length} characters; at most {MaxQueryStringLength} are accepted.", instance);
        }

        if (!TrySplitPath(path, out var segments))
        {
            return Problem(404, "no-such-route", "No such route", $"'{instance}' is not a catalog API route: see {BasePath}/openapi.json.", instance);
        }

        var match = Routes.Select(r => (Route: r, Ok: r.TryMatch(segments, out var values), Values: values)).FirstOrDefault(m => m.Ok);
        if (match.Route is null)
        {
            return Problem(404, "no-such-route", "No such route", $"'{instance}' is not a catalog API route: see {BasePath}/openapi.json.", instance);
        }

        // HEAD on a file: how HTTP readers of Parquet (DuckDB httpfs, fsspec) learn its size before reading ranges.
        var isFile = match.Route.OperationId == "GetReleaseFile";
        var head = isFile && string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);
        if (!head && !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(405, "method-not-allowed", "Method not allowed", $"The catalog API only reads: use GET{(isFile ? " or HEAD" : "")} on {BasePath}/{match.Route.Template}.", instance);
        }

        if (!TryParseQuery(queryString, match.Route, out var query, out var queryProblem))
        {
            return Problem(400, "invalid-parameter", "Invalid query string", queryProblem, instance);
        }

        var request = new Request(match.Values, query, instance);
        if (match.Values.TryGetValue("id", out var id) && !IsProductId(id))
        {
            return Problem(
                400,
                "invalid-product-id",
                "Invalid product id",
                $"'{Shorten(id)}' is not a product id: use <domain>.<name>, e.g. finance.ledger-emea (letters, digits, '-' and '_', at most {MaxTextLength} characters).",
                instance,
                productId: Shorten(id));
        }

        if (RequireSignedInCallers && !caller.IsAuthenticated && match.Route.OperationId != "GetOpenApiDocument")
        {
            var refused = Problem(401, "sign-in-required", "Sign-in required",
                "The catalog answers signed-in callers only: open the web catalog and sign in with your Entra ID account, or send an Entra ID bearer token for the mesh API (api://<MESH_API_CLIENT_ID>).",
                instance, productId: match.Values.GetValueOrDefault("id"));
            return refused with { Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" }, Body = head ? "" : refused.Body };
        }

        if (_requireAuthenticatedReaders && !caller.IsAuthenticated && match.Route.OperationId is "GetReleaseRows" or "GetReleaseFile" or "GetReaders")
        {
            var refused = Problem(401, "authentication-required", "Authentication required",
                "Release data is served to authenticated callers only: send an Entra ID bearer token for the mesh API (api://<MESH_API_CLIENT_ID>).", instance, productId: id);
            return refused with { Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" }, Body = head ? "" : refused.Body };
        }

        // A catalog without the data (the hub) sends data requests to the domain app that announced the release.
        if (_releases is null && match.Route.OperationId is "GetReleaseRows" or "GetReleaseFile"
            && await DataHostRedirectAsync(request, path, queryString, cancellationToken).ConfigureAwait(false) is { } redirect)
        {
            return head ? redirect with { Body = "" } : redirect;
        }

        var answer = match.Route.OperationId switch
        {
            "ListProducts" => await ListProductsAsync(request, cancellationToken).ConfigureAwait(false),
            "GetProduct" => await GetProductAsync(request, caller, cancellationToken).ConfigureAwait(false),
            "ListReleases" => await ListReleasesAsync(request, caller, cancellationToken).ConfigureAwait(false),
            "GetRelease" => await GetReleaseAsync(request, caller, cancellationToken).ConfigureAwait(false),
            "ListRuns" => await ListRunsAsync(request, caller, cancellationToken).ConfigureAwait(false),
            "GetLineage" => await GetLineageAsync(request, cancellationToken).ConfigureAwait(false),
            "GetReaders" => await GetReadersAsync(request, cancellationToken).ConfigureAwait(false),
            "GetQualityHistory" => await GetQualityHistoryAsync(request, caller, cancellationToken).ConfigureAwait(false),
            "GetReleaseRows" => await GetReleaseDataAsync(request, caller, null, cancellationToken).ConfigureAwait(false),
            "GetReleaseFile" => await GetReleaseDataAsync(request, caller, new FileRequest(headers, head), cancellationToken).ConfigureAwait(false),
            "ListQuarantine" => await ListQuarantineAsync(request, caller, cancellationToken).ConfigureAwait(false),
            "GetOpenApiDocument" => new CatalogApiResponse(200, JsonContentType, CatalogOpenApi.Document),
            _ => throw new InvalidOperationException($"Route {match.Route.OperationId} has no handler."),
        };

        // A HEAD answer is the GET answer's status and headers, without a body.
        return head ? answer with { Body = "" } : answer;
    }

    private async Task<CatalogApiResponse> ListProductsAsync(Request request, CancellationToken cancellationToken)
    {
        string? problem = null;
        var search = new CatalogSearch
        {
            Text = request.Text("q", MaxTextLength, ref problem),
            Domain = request.Matching("domain", DomainPattern(), "a domain name (lowercase letters, digits and '-')", ref problem),
            Tag = request.Text("tag", MaxTextLength, ref problem),
            Owner = request.Text("owner", MaxTextLength, ref problem),
            Classification = request.Matching("classification", WordPattern(), "a classification (letters, digits, '-' and '_')", ref problem),
            PageSize = request.Integer("pageSize", 1, CatalogSearch.MaxPageSize, CatalogSearch.DefaultPageSize, ref problem),
            ContinuationToken = request.Text("continuationToken", CatalogPageToken.MaxLength, ref problem),
        };
        if (problem is not null)
        {
            return Problem(400, "invalid-parameter", "Invalid query parameter", problem, request.Instance);
        }

        CatalogPage<CatalogProduct> page;
        try
        {
            page = await _catalog.SearchProductsAsync(search, cancellationToken).ConfigureAwait(false);
        }
        catch (CatalogContinuationException ex)
        {
            return Problem(400, "invalid-continuation-token", "Invalid continuation token", ex.Message, request.Instance);
        }

        return Ok(new { items = page.Items, continuationToken = page.ContinuationToken, pageSize = search.PageSize });
    }

    /// <summary>
    /// A product's discovery facts for anyone, and its history (releases, runs, quality: failed-row samples and error
    /// texts come from its data) only for a caller its access lets read the data; for anyone else <c>historyWithheld</c>
    /// says why, and the history lists are empty.
    /// </summary>
    private async Task<CatalogApiResponse> GetProductAsync(Request request, DataReader caller, CancellationToken cancellationToken)
    {
        var id = request.Route["id"];
        if (await _catalog.GetProductAsync(id, cancellationToken).ConfigureAwait(false) is not { } product)
        {
            return ProductNotFound(id, request.Instance);
        }

        // The catalog's own access record is the product row just read: no second read for it.
        var access = _accessFromCatalog ? AccessOf(product) : await _access(id, cancellationToken).ConfigureAwait(false);
        var withheld = access is not null
            ? HistoryRefusal(id, access, caller, request.Instance) is { } refusal ? JsonNode.Parse(refusal.Body)?["detail"]?.GetValue<string>() : null
            : $"{id}'s access rules are not known here, so its history is not shown.";
        var releases = withheld is null ? _catalog.GetReleasesPageAsync(id, DetailHistoryItems, cancellationToken: cancellationToken) : Task.FromResult(new CatalogPage<CatalogRelease>([], null));
        var runs = withheld is null ? _catalog.GetRunsPageAsync(id, DetailHistoryItems, cancellationToken: cancellationToken) : Task.FromResult(new CatalogPage<CatalogRun>([], null));
        await Task.WhenAll(releases, runs).ConfigureAwait(false);

        // The latest release is almost always the first of the newest page; read it apart only when it is not there.
        var newest = (await releases.ConfigureAwait(false)).Items;
        var latest = withheld is null && product is { LatestVersion: { } version, LatestRelease: { } release } && SemVersion.TryParse(version, SemVersionStyles.Strict, out _)
            ? newest.FirstOrDefault(r => r.Version == version && r.Release == release) is { } shown
                ? Task.FromResult<CatalogRelease?>(shown)
                : _catalog.GetReleaseAsync(id, version, release, cancellationToken)
            : Task.FromResult<CatalogRelease?>(null);
        var now = _time.GetUtcNow();
        var freshness = product.FreshnessStatusAt(now);
        return Ok(new
        {
            product,
            freshness,
            owner = new { team = product.OwnerTeam, email = product.OwnerEmail },
            sla = new { freshness = product.Freshness, status = freshness, newestDataAt = product.PublishedAt ?? product.RegisteredAt, staleSince = product.StaleSince },
            contract = new { columns = product.Columns, columnsOmitted = product.ColumnsOmitted, classifications = product.Classifications },
            latestRelease = await latest.ConfigureAwait(false),
            releases = (await releases.ConfigureAwait(false)).Items,
            runs = (await runs.ConfigureAwait(false)).Items,
            moreReleases = (await releases.ConfigureAwait(false)).ContinuationToken is not null,
            moreRuns = (await runs.ConfigureAwait(false)).ContinuationToken is not null,
            historyWithheld = withheld,
        });
    }

    private async Task<CatalogApiResponse> ListReleasesAsync(Request request, DataReader caller, CancellationToken cancellationToken)
    {
        var id = request.Route["id"];
        string? problem = null;
        var limit = request.Integer("limit", 1, MaxRuns, 50, ref problem);
        var token = request.Text("continuationToken", CatalogPageToken.MaxLength, ref problem);
        if (problem is not null)
        {
            return Problem(400, "invalid-parameter", "Invalid query parameter", problem, request.Instance);
        }

        if (await HistoryAccessAsync(request, caller, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        try
        {
            var page = await _catalog.GetReleasesPageAsync(id, limit, token, cancellationToken).ConfigureAwait(false);
            return Ok(new { productId = id, items = page.Items, continuationToken = page.ContinuationToken });
        }
        catch (CatalogContinuationException ex)
        {
            return Problem(400, "invalid-continuation-token", "Invalid continuation token", ex.Message, request.Instance, productId: id);
        }
    }

    private async Task<CatalogApiResponse> GetReleaseAsync(Request request, DataReader caller, CancellationToken cancellationToken)
    {
        var id = request.Route["id"];
        if (ReleaseRoute(request, out var version, out var release) is { } invalid)
        {
            return invalid;
        }

        if (await HistoryAccessAsync(request, caller, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (await _catalog.GetReleaseAsync(id, version, release, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return Ok(found);
        }

        return await _catalog.GetProductAsync(id, cancellationToken).ConfigureAwait(false) is null
            ? ProductNotFound(id, request.Instance)
            : Problem(404, "release-not-found", "Release not found", $"Product '{id}' has no release {version} #{release} in the catalog: see {BasePath}/products/{id}/releases.", request.Instance, productId: id);
    }

    /// <summary>The rows (<paramref name="file"/> null) or a file of one release, after the product's access rules let <paramref name="caller"/> in.</summary>
    private async Task<CatalogApiResponse> GetReleaseDataAsync(Request request, DataReader caller, FileRequest? file, CancellationToken cancellationToken)
    {
        string? problem = null;
        var offset = request.Integer("offset", 0, int.MaxValue, 0, ref problem);
        var limit = request.Integer("limit", 1, ReleaseReader.MaxPageSize, 100, ref problem);
        var path = file is not null ? request.Text("path", 400, ref problem) : null;
        if (problem is not null || (file is not null && path is null))
        {
            return Problem(400, "invalid-parameter", "Invalid query parameter", problem ?? "Query parameter 'path' names the file to download: one of the release's manifest files.", request.Instance);
        }

        var id = request.Route["id"];
        if (ReleaseRoute(request, out var version, out var number) is { } invalid)
        {
            return invalid;
        }

        if (await _access(id, cancellationToken).ConfigureAwait(false) is not { } product)
        {
            return ProductNotFound(id, request.Instance);
        }

        // Access before anything else about the data: a refused caller learns nothing of the release.
        if (!caller.CanRead(product.Domain, product.Visibility, product.Readers))
        {
            return AccessDenied(id, product, caller, "data", request.Instance);
        }

        if (_releases is null)
        {
            return Problem(404, "no-data-access", "Release data not served here", "This host serves the catalog only, not release data.", request.Instance, productId: id);
        }

        ReleaseSelection? release;
        try
        {
            release = await _releases.SelectAsync(id, $"{version}#{number}", cancellationToken).ConfigureAwait(false);
        }
        catch (ReleaseExpiredException ex)
        {
            return Problem(410, "release-expired", "Release expired", ex.Message, request.Instance, productId: id);
        }

        if (release is null)
        {
            return Problem(404, "release-not-found", "Release not found", $"Product '{id}' has no release {version} #{number}: see {BasePath}/products/{id}/releases.", request.Instance, productId: id);
        }

        if (file is not null)
        {
            // Only a file the manifest lists, by its name within the snapshot (VERSION/RELEASE/PATH for a file referenced
            // from an earlier release): the path is compared, never resolved, so it cannot escape the product's releases.
            if (release.FindFile(path!) is not { } entry)
            {
                return Problem(404, "file-not-found", "File not found",
                    $"Release {version} #{number} of {id} has no file '{Shorten(path!)}'; its files: {string.Join(", ", release.Files.Take(20).Select(f => f.LocalPath))}.", request.Instance, productId: id);
            }

            return await FileAsync(request, release, entry, file, cancellationToken).ConfigureAwait(false);
        }

        // A bound like the query's: the read runs off the request's thread, so the answer comes when the bound passes
        // even while the engine finishes a step that does not watch the token.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RowsTimeLimit);
        ReleasePage page;
        try
        {
            var reader = _releases;
            page = await Task.Run(() => reader.ReadPageAsync(release, offset, limit, deadline.Token), deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or AggregateException or Azure.RequestFailedException)
        {
            return Problem(504, "read-timed-out", "Read timed out",
                $"Reading {limit} row(s) from offset {offset} of {id} {version} #{number} took longer than {System.Xml.XmlConvert.ToString(RowsTimeLimit)} and was stopped: "
                + "ask a smaller page (limit) or download the release's files (.../files?path=).", request.Instance, productId: id);
        }
        catch (Engine.EngineBusyException ex)
        {
            // The instance's budget of sessions outside runs is in use (reads, compaction): the page was not started.
            var retryAfter = (int)Math.Ceiling(ex.RetryAfter.TotalSeconds);
            return Problem(503, "engine-busy", "Busy, retry", ex.Message, request.Instance, productId: id)
                with { Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture) } };
        }

        var next = offset + page.Rows.Count < page.Total ? offset + page.Rows.Count : (long?)null;
        return Ok(new
        {
            productId = id,
            version,
            release = number,
            columns = page.Columns,
            offset,
            limit,
            total = page.Total,
            nextOffset = next,
            rows = page.Rows,
        });
    }

    /// <summary>
    /// A release file streamed from storage: the whole of it (200) or the one byte range asked (206, 416 when it starts
    /// past the end), with its length, the manifest's SHA-256 as a strong ETag, and a download file name. A range is
    /// honoured only while <c>If-Range</c>, when given, names that ETag; <c>If-None-Match</c> naming it answers 304.
    /// </summary>
    private async Task<CatalogApiResponse> FileAsync(Request request, ReleaseSelection release, ReleaseFile entry, FileRequest file, CancellationToken cancellationToken)
    {
        var etag = $"\"{entry.Sha256}\"";
        // The file name without its Hive folders, reduced to characters no header or file system misreads.
        var name = string.Concat(entry.Path[(entry.Path.LastIndexOf('/') + 1)..].Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["ETag"] = etag,
            ["Accept-Ranges"] = "bytes",
            ["Content-Disposition"] = $"attachment; filename=\"{name}\"",
        };
        if (file.Headers.IfNoneMatch is { } ifNoneMatch && EntityTags(ifNoneMatch).Any(t => t == "*" || t == etag))
        {
            return new CatalogApiResponse(304, ParquetContentType, "") { Headers = headers };
        }

        // If-Range with a date or another ETag: the file may have changed since the client's first range, so all of it.
        var (range, satisfiable) = file.Headers.IfRange is null || file.Headers.IfRange == etag
            ? ByteRange.Resolve(file.Headers.Range, entry.Size)
            : (null, true);
        if (!satisfiable)
        {
            headers["Content-Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes */{entry.Size}");
            return Problem(416, "range-not-satisfiable", "Range not satisfiable",
                $"'{Shorten(file.Headers.Range!)}' asks for no byte of '{Shorten(entry.Path)}', which is {entry.Size} bytes long.", request.Instance, productId: release.ProductId) with { Headers = headers };
        }

        var (offset, length) = range is { } r ? (r.Offset, r.Length) : (0L, entry.Size);
        if (range is { } part)
        {
            headers["Content-Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes {part.Offset}-{part.Last}/{entry.Size}");
        }

        var answer = new CatalogApiResponse(range is null ? 200 : 206, ParquetContentType, "") { ContentLength = length, Headers = headers };
        return file.Head
            ? answer
            : answer with { Content = await _releases!.OpenFileAsync(release, entry, offset, length, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>The entity tags of an <c>If-None-Match</c> list, weak ones compared as strong (RFC 9110 §13.1.2).</summary>
    private static IEnumerable<string> EntityTags(string list) =>
        list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t);

    /// <summary>The <c>{version}/{release}</c> of a release route, or the 400 answer saying which of them is wrong.</summary>
    private static CatalogApiResponse? ReleaseRoute(Request request, out string version, out int release)
    {
        var id = request.Route["id"];
        version = request.Route["version"];
        var releaseText = request.Route["release"];
        release = 0;
        if (version.Length > 64 || !SemVersion.TryParse(version, SemVersionStyles.Strict, out var parsed) || !ReleaseRowKey.Supports(parsed))
        {
            return Problem(400, "invalid-version", "Invalid version", $"'{Shorten(version)}' is not a semantic version (e.g. 1.2.0).", request.Instance, productId: id);
        }

        if (!int.TryParse(releaseText, NumberStyles.None, CultureInfo.InvariantCulture, out release) || release < 1)
        {
            return Problem(400, "invalid-release", "Invalid release", $"'{Shorten(releaseText)}' is not a release number (1, 2, 3...).", request.Instance, productId: id);
        }

        return null;
    }

    /// <summary>
    /// 307 to the same path and query on the release's data endpoint (<see cref="ReleaseDataEndpoint"/>), or null when
    /// the route is invalid or the catalog knows no endpoint for the release (the data route then answers as usual).
    /// Access is not judged here: the domain app that holds the data judges it, on its own specs.
    /// </summary>
    private async Task<CatalogApiResponse?> DataHostRedirectAsync(Request request, string path, string queryString, CancellationToken cancellationToken)
    {
        if (ReleaseRoute(request, out var version, out var number) is not null
            || await _catalog.GetReleaseAsync(request.Route["id"], version, number, cancellationToken).ConfigureAwait(false) is not { } release
            || ReleaseDataEndpoint.Parse(release.DataEndpoint) is not { } endpoint)
        {
            return null;
        }

        var location = ReleaseDataEndpoint.Location(endpoint, path, queryString);
        return new CatalogApiResponse(307, JsonContentType, JsonSerializer.Serialize(new { productId = release.ProductId, version, release = number, location }, Json))
        {
            Location = location,
        };
    }

    private async Task<ReleaseAccess?> CatalogAccessAsync(string productId, CancellationToken cancellationToken) =>
        await _catalog.GetProductAsync(productId, cancellationToken).ConfigureAwait(false) is { } product ? AccessOf(product) : null;

    private static ReleaseAccess AccessOf(CatalogProduct product) =>
        new(product.Domain, product.Visibility ?? "domain", product.Readers, product.OwnerEmail);

    /// <summary>
    /// The refusal of a route that carries a product's history (releases, runs, quality, stage timelines, OpenLineage
    /// events): their failed-row samples and error texts come from the product's data, so the decision is the data
    /// routes' own — 404 for an unknown product, 401 where data needs an authenticated caller, 403 when its access does
    /// not let the caller read. Null when the caller may read.
    /// </summary>
    private async Task<CatalogApiResponse?> HistoryAccessAsync(Request request, DataReader caller, CancellationToken cancellationToken)
    {
        var id = request.Route["id"];
        return await _access(id, cancellationToken).ConfigureAwait(false) is { } access
            ? HistoryRefusal(id, access, caller, request.Instance)
            : ProductNotFound(id, request.Instance);
    }

    private CatalogApiResponse? HistoryRefusal(string id, ReleaseAccess access, DataReader caller, string instance)
    {
        if (_requireAuthenticatedReaders && !caller.IsAuthenticated)
        {
            var refused = Problem(401, "authentication-required", "Authentication required",
                $"{id}'s releases, runs and quality results are served to authenticated callers only: send an Entra ID bearer token for the mesh API (api://<MESH_API_CLIENT_ID>).", instance, productId: id);
            return refused with { Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" } };
        }

        return caller.CanRead(access.Domain, access.Visibility, access.Readers) ? null : AccessDenied(id, access, caller, "releases, runs and quality results", instance);
    }

    private static CatalogApiResponse AccessDenied(string id, ReleaseAccess product, DataReader caller, string what, string instance)
    {
        var audience = product.Visibility == "restricted"
            ? $"restricted to domain {product.Domain}{(product.Readers.Count > 0 ? " and " + string.Join(", ", product.Readers) : "")}"
            : product.Visibility == "public" ? "public" : $"visible to domain {product.Domain} only";
        return Problem(403, "access-denied", "Access denied",
            $"{id} is {audience}; {caller} may not read its {what}. Ask its owners ({product.OwnerEmail ?? product.Domain}) to add your domain to access.readers.", instance, productId: id);
    }

    private async Task<CatalogApiResponse> ListRunsAsync(Request request, DataReader caller, CancellationToken cancellationToken)
    {
        string? problem = null;
        var limit = request.Integer("limit", 1, MaxRuns, 50, ref problem);
        var token = request.Text("continuationToken", CatalogPageToken.MaxLength, ref problem);
        if (problem is not null)
        {
            return Problem(400, "invalid-parameter", "Invalid query parameter", problem, request.Instance);
        }

        var id = request.Route["id"];
        if (await HistoryAccessAsync(request, caller, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        try
        {
            var page = await _catalog.GetRunsPageAsync(id, limit, token, cancellationToken).ConfigureAwait(false);
            return Ok(new { productId = id, items = page.Items, continuationToken = page.ContinuationToken });
        }
        catch (CatalogContinuationException ex)
        {
            return Problem(400, "invalid-continuation-token", "Invalid continuation token", ex.Message, request.Instance, productId: id);
        }
    }

    /// <summary>
    /// A product's quarantined files with their reasons, to the callers its history is served to (the runs route's own
    /// rule: a reason comes from the product's data). A host holding the product's domain (a domain app, the local host)
    /// reads its quarantine container: files replayed since are gone, and each says whether it can be replayed. Any
    /// other host (the hub) answers from the catalog's <see cref="CatalogTables.Quarantine"/>, filled from the failure
    /// announcements (<c>source: catalog</c>; no size, replayability and whether the file stayed in landing as the domain
    /// announced them — null from an announcement of an older version —, a replayed file listed until a release reads
    /// it). Reasons go through <see cref="Pipeline.ErrorRedaction"/> at the domain, and failed rules are named without
    /// their sample rows: nothing of the data leaves the domain in clear.
    /// </summary>
    private async Task<CatalogApiResponse> ListQuarantineAsync(Request request, DataReader caller, CancellationToken cancellationToken)
    {
        var id = request.Route["id"];
        if (await HistoryAccessAsync(request, caller, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (_quarantine is null || !_quarantine.Serves(id))
        {
            var recorded = await _catalog.GetQuarantineAsync(id, MaxQuarantineListed, cancellationToken).ConfigureAwait(false);
            return Ok(new
            {
                productId = id,
                source = "catalog",
                items = recorded.Select(f => new
                {
                    file = f.File,
                    landingName = f.LandingName,
                    quarantinedAt = (DateTimeOffset?)f.QuarantinedAt,
                    stage = f.Stage,
                    reason = f.Reason,
                    runId = f.RunId,
                    version = f.Version,
                    size = (long?)null,
                    failedRules = f.FailedRules,
                    replayable = f.Replayable,
                    notReplayable = f.NotReplayable,
                    keptInLanding = f.KeptInLanding,
                }),
            });
        }

        var files = await _quarantine.ListAsync(id, cancellationToken).ConfigureAwait(false);
        return Ok(new
        {
            productId = id,
            source = "domain",
            items = files.Select(_quarantine.Redacted).Select(f => new
            {
                file = f.File,
                landingName = f.LandingName,
                quarantinedAt = f.QuarantinedAt,
                stage = f.Stage,
                reason = f.Reason,
                runId = f.RunId,
                version = f.Version,
                size = (long?)f.Size,
                failedRules = f.FailedRules.Select(r => r["name"]?.ToString()).OfType<string>().ToList(),
                replayable = (bool?)(f.NotReplayable is null),
                notReplayable = f.NotReplayable,
                keptInLanding = (bool?)f.KeptInLanding,
            }),
        });
    }

    /// <summary>How many quarantined files the catalog lists for one product (newest first).</summary>
    private const int MaxQuarantineListed = 200;

    private async Task<CatalogApiResponse> GetLineageAsync(Request request, CancellationToken cancellationToken)
    {
        string? problem = null;
        var direction = request.Text("direction", 16, ref problem) ?? "both";
        var depth = request.Integer("depth", 1, MaxLineageDepth, 1, ref problem);
        if (problem is null && direction is not ("upstream" or "downstream" or "both"))
        {
            problem = $"Query parameter 'direction' is '{Shorten(direction)}': use upstream, downstream or both.";
        }

        if (problem is not null)
        {
            return Problem(400, "invalid-parameter", "Invalid query parameter", problem, request.Instance);
        }

        var id = request.Route["id"];
        if (await _catalog.GetProductAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return ProductNotFound(id, request.Instance);
        }

        return Ok(await _catalog.GetLineageAsync(id, direction, depth, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The product's readers across the mesh. Answered for a product the catalog has no row of too (no reader then, or
    /// readers registered before its first release): the caller is a publish gate deciding, not a browser.
    /// </summary>
    private async Task<CatalogApiResponse> GetReadersAsync(Request request, CancellationToken cancellationToken)
    {
        string? problem = null;
        var depth = request.Integer("depth", 1, MaxLineageDepth, 1, ref problem);
        if (problem is not null)
        {
            return Problem(400, "invalid-parameter", "Invalid query parameter", problem, request.Instance);
        }

        return Ok(await _catalog.GetReadersAsync(request.Route["id"], depth, cancellationToken).ConfigureAwait(false));
    }

    private async Task<CatalogApiResponse> GetQualityHistoryAsync(Request request, DataReader caller, CancellationToken cancellationToken)
    {
        string? problem = null;
        var limit = request.Integer("limit", 1, MaxRuns, 20, ref problem);
        if (problem is not null)
        {
            return Problem(400, "invalid-parameter", "Invalid query parameter", problem, request.Instance);
        }

        var id = request.Route["id"];
        if (await HistoryAccessAsync(request, caller, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        return Ok(new { productId = id, items = await _catalog.GetQualityHistoryAsync(id, limit, cancellationToken).ConfigureAwait(false) });
    }

    private static CatalogApiResponse Ok<T>(T body) => new(200, JsonContentType, JsonSerializer.Serialize(body, Json));

    private static CatalogApiResponse ProductNotFound(string id, string instance) =>
        Problem(404, "product-not-found", "Product not found", $"Product '{id}' is not in the catalog: see {BasePath}/products for the products it has.", instance, productId: id);

    /// <summary>
    /// An RFC 7807 problem, as every catalog route refuses (<c>urn:datamesh:catalog:problem:&lt;kind&gt;</c>); <c>error</c>
    /// repeats <c>detail</c> for clients of the first version of this API.
    /// </summary>
    public static CatalogApiResponse Problem(int status, string kind, string title, string detail, string instance, string? productId = null)
    {
        var body = new JsonObject
        {
            ["type"] = $"urn:datamesh:catalog:problem:{kind}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = instance,
            ["error"] = detail,
        };
        if (productId is not null)
        {
            body["productId"] = productId;
        }

        return new CatalogApiResponse(status, ProblemContentType, body.ToJsonString());
    }

    private static bool TrySplitPath(string path, out IReadOnlyList<string> segments)
    {
        segments = [];
        var trimmed = path.TrimEnd('/');
        if (!trimmed.StartsWith(BasePath + "/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            segments = [.. trimmed[(BasePath.Length + 1)..].Split('/').Select(Uri.UnescapeDataString)];
            return true;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }

    private static bool TryParseQuery(string queryString, CatalogApiRoute route, out Dictionary<string, string> query, out string problem)
    {
        query = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = "";
        foreach (var pair in queryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            if (name == FunctionKeyParameter)
            {
                continue;
            }

            if (!route.QueryParameters.Contains(name, StringComparer.Ordinal))
            {
                var accepted = route.QueryParameters.Count == 0 ? "none" : string.Join(", ", route.QueryParameters);
                problem = $"Query parameter '{Shorten(name)}' is not accepted on {BasePath}/{route.Template} (accepted: {accepted}).";
                return false;
            }

            if (!query.TryAdd(name, value))
            {
                problem = $"Query parameter '{name}' is given more than once.";
                return false;
            }
        }

        return true;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static bool IsProductId(string id) => id.Length <= MaxTextLength && ProductIdPattern().IsMatch(id);

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "...");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*\\.[A-Za-z0-9][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ProductIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();

    /// <summary>A file download's request headers, and whether it is a HEAD (headers only, no storage read).</summary>
    private sealed record FileRequest(CatalogApiRequestHeaders Headers, bool Head);

    /// <summary>A matched request: route values, query parameters, and checks that record the first problem found.</summary>
    private sealed record Request(Dictionary<string, string> Route, Dictionary<string, string> Query, string Instance)
    {
        internal string? Text(string name, int maxLength, ref string? problem)
        {
            if (!Query.TryGetValue(name, out var value) || value.Length == 0)
            {
                return null;
            }

            if (value.Length > maxLength || value.Any(char.IsControl))
            {
                problem ??= $"Query parameter '{name}' must be at most {maxLength} characters without control characters.";
                return null;
            }

            return value;
        }

        internal string? Matching(string name, Regex pattern, string what, ref string? problem)
        {
            var value = Text(name, MaxTextLength, ref problem);
            if (value is not null && !pattern.IsMatch(value))
            {
                problem ??= $"Query parameter '{name}' is '{Shorten(value)}', which is not {what}.";
                return null;
            }

            return value;
        }

        internal int Integer(string name, int min, int max, int fallback, ref string? problem)
        {
            if (Text(name, 10, ref problem) is not { } text)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                problem ??= $"Query parameter '{name}' is '{Shorten(text)}': use a whole number from {min} to {max}.";
                return fallback;
            }

            return value;
        }
    }
}

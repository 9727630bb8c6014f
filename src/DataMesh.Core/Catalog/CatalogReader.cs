using System.Buffers.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using Semver;

namespace DataMesh.Catalog;

/// <summary>Reads the catalog tables written by <see cref="CatalogProjection"/>. A catalog with no tables yet reads as empty.</summary>
public sealed class CatalogReader
{
    private readonly MeshStorage _storage;

    public CatalogReader(MeshStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
    }

    /// <summary>Every product, registered or published, ordered by product id.</summary>
    public async Task<IReadOnlyList<CatalogProduct>> ListProductsAsync(CancellationToken cancellationToken = default)
    {
        var products = await QueryAsync(_storage.Table(CatalogTables.Products), filter: null, cancellationToken).ConfigureAwait(false);
        return [.. products.Select(ToProduct).OrderBy(p => p.ProductId, StringComparer.Ordinal)];
    }

    /// <summary>One product by id (<c>&lt;domain&gt;.&lt;name&gt;</c>), read by its keys; null when the catalog does not have it.</summary>
    public async Task<CatalogProduct?> GetProductAsync(string productId, CancellationToken cancellationToken = default)
    {
        var (domain, name) = SplitProductId(productId);
        try
        {
            var response = await _storage.Table(CatalogTables.Products)
                .GetEntityIfExistsAsync<TableEntity>(CatalogKeys.Encode(domain), CatalogKeys.Encode(name), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.HasValue && response.Value is { } entity ? ToProduct(entity) : null;
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            return null;
        }
    }

    /// <summary>A product's releases, newest first: highest semver, then highest release number (the whole history: for tools, not for the API).</summary>
    public async Task<IReadOnlyList<CatalogRelease>> GetReleasesAsync(string productId, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        var rows = await QueryAsync(_storage.Table(CatalogTables.Releases), PartitionFilter(productId), cancellationToken).ConfigureAwait(false);
        return
        [
            .. rows.Select(ToRelease)
                .Select(r => (Release: r, Version: SemVersion.TryParse(r.Version, SemVersionStyles.Strict, out var v) ? v : null))
                .OrderByDescending(r => r.Version is not null)
                .ThenByDescending(r => r.Version!, SemVersion.PrecedenceComparer)
                .ThenByDescending(r => r.Release.Release)
                .Select(r => r.Release),
        ];
    }

    /// <summary>
    /// One page of a product's releases, newest first, read by the table service in key order (the release keys are
    /// newest first, <see cref="ReleaseRowKey"/>): a page costs one request whatever the history's length. Prereleases
    /// of one core version sort only roughly; each page is sorted by semver precedence.
    /// </summary>
    /// <exception cref="CatalogContinuationException">The token is not one this catalog issued.</exception>
    public async Task<CatalogPage<CatalogRelease>> GetReleasesPageAsync(string productId, int pageSize, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var (rows, next) = await ReadPageAsync(CatalogTables.Releases, productId, pageSize, continuationToken, row => row.RowKey, cancellationToken).ConfigureAwait(false);
        return new CatalogPage<CatalogRelease>(
            [
                .. rows.Select(ToRelease)
                    .Select(r => (Release: r, Version: SemVersion.TryParse(r.Version, SemVersionStyles.Strict, out var v) ? v : null))
                    .OrderByDescending(r => r.Version is not null)
                    .ThenByDescending(r => r.Version!, SemVersion.PrecedenceComparer)
                    .ThenByDescending(r => r.Release.Release)
                    .Select(r => r.Release),
            ],
            next);
    }

    /// <summary>
    /// One page of a product's announced runs, most recent first, read by the table service in key order from
    /// <see cref="CatalogTables.RunsByTime"/>: a page costs one request whatever the history's length.
    /// </summary>
    /// <exception cref="CatalogContinuationException">The token is not one this catalog issued.</exception>
    public async Task<CatalogPage<CatalogRun>> GetRunsPageAsync(string productId, int pageSize, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        // A run reported twice under two times may have left its older copy: the run id shows once.
        var (rows, next) = await ReadPageAsync(CatalogTables.RunsByTime, productId, pageSize, continuationToken, row => row.GetString(CatalogColumns.RunId), cancellationToken).ConfigureAwait(false);
        return new CatalogPage<CatalogRun>([.. rows.Select(ToRun)], next);
    }

    /// <summary>
    /// One page of every product's announced runs, most recent first, read like <see cref="GetRunsPageAsync"/> from the
    /// mesh's partition of <see cref="CatalogTables.RunsByTime"/> (one request a page). For operators' tools, not for the
    /// API: no product's access rules are applied. Runs announced before that partition existed are not in it.
    /// </summary>
    /// <exception cref="CatalogContinuationException">The token is not one this catalog issued.</exception>
    public async Task<CatalogPage<CatalogRun>> GetMeshRunsPageAsync(int pageSize, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {CatalogKeys.MeshRunsPartition}");
        var (rows, next) = await ReadPartitionPageAsync(CatalogTables.RunsByTime, filter, pageSize, continuationToken, row => row.GetString(CatalogColumns.RunId), cancellationToken).ConfigureAwait(false);
        return new CatalogPage<CatalogRun>([.. rows.Select(ToRun)], next);
    }

    /// <summary>A product's announced runs, most recent first (the whole history: for tools, not for the API).</summary>
    public async Task<IReadOnlyList<CatalogRun>> GetRunsAsync(string productId, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        var rows = await QueryAsync(_storage.Table(CatalogTables.Runs), PartitionFilter(productId), cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToRun).OrderByDescending(r => r.At).ThenBy(r => r.RunId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// A run by its id, whatever its product: one query of the runs table on the row key, across products (for tools
    /// such as <c>datamesh runs show</c>, not for the API). Null when no product announced it.
    /// </summary>
    public async Task<CatalogRun?> FindRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var rows = await QueryAsync(_storage.Table(CatalogTables.Runs), TableClient.CreateQueryFilter($"RowKey eq {CatalogKeys.Encode(runId)}"), cancellationToken).ConfigureAwait(false);
        return rows.Select(ToRun).FirstOrDefault(r => r.RunId == runId);
    }

    /// <summary>
    /// One page of a product search, in key order (domain, then name). The domain filter is applied by the table
    /// service (it is the partition key); the others are matched here while the rows stream by. Each page starts
    /// after the last key of the previous one, so pages neither repeat nor skip products.
    /// </summary>
    /// <exception cref="CatalogContinuationException">The search's continuation token was not issued for this search.</exception>
    public async Task<CatalogPage<CatalogProduct>> SearchProductsAsync(CatalogSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfLessThan(search.PageSize, 1, nameof(search));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(search.PageSize, CatalogSearch.MaxPageSize, nameof(search));
        var filters = new List<string>();
        if (!string.IsNullOrEmpty(search.Domain))
        {
            filters.Add(TableClient.CreateQueryFilter($"PartitionKey eq {CatalogKeys.Encode(search.Domain)}"));
        }

        if (!string.IsNullOrEmpty(search.ContinuationToken))
        {
            var (pk, rk) = CatalogPageToken.Read(search, search.ContinuationToken);
            filters.Add(TableClient.CreateQueryFilter($"PartitionKey gt {pk} or (PartitionKey eq {pk} and RowKey gt {rk})"));
        }

        var filter = filters.Count == 0 ? null : string.Join(" and ", filters.Select(f => $"({f})"));
        var found = new List<(string PartitionKey, string RowKey, CatalogProduct Product)>();
        try
        {
            await foreach (var row in _storage.Table(CatalogTables.Products).QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var product = ToProduct(row);
                if (Matches(product, search))
                {
                    found.Add((row.PartitionKey, row.RowKey, product));
                    if (found.Count > search.PageSize)
                    {
                        break;
                    }
                }
            }
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            // Nothing has been projected yet.
        }

        if (found.Count <= search.PageSize)
        {
            return new CatalogPage<CatalogProduct>([.. found.Select(f => f.Product)], null);
        }

        var last = found[search.PageSize - 1];
        return new CatalogPage<CatalogProduct>([.. found.Take(search.PageSize).Select(f => f.Product)], CatalogPageToken.Create(search, last.PartitionKey, last.RowKey));
    }

    /// <summary>One release by product id, version and release number (a point read); null when the catalog does not have it.</summary>
    public async Task<CatalogRelease?> GetReleaseAsync(string productId, string version, int release, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        ArgumentNullException.ThrowIfNull(version);
        if (!SemVersion.TryParse(version, SemVersionStyles.Strict, out var parsed) || !ReleaseRowKey.Supports(parsed))
        {
            throw new ArgumentException($"Version '{version}' is not a semantic version (e.g. 1.2.0).", nameof(version));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(release, 1);
        try
        {
            var response = await _storage.Table(CatalogTables.Releases)
                .GetEntityIfExistsAsync<TableEntity>(CatalogKeys.Encode(productId), ReleaseRowKey.For(parsed, version, release), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.HasValue && response.Value is { } entity ? ToRelease(entity) : null;
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// The products upstream and/or downstream of <paramref name="productId"/> to <paramref name="depth"/> hops,
    /// from the lineage tables (declared inputs and observed release lineage). <paramref name="direction"/> is
    /// <c>upstream</c>, <c>downstream</c> or <c>both</c>.
    /// </summary>
    public async Task<CatalogLineage> GetLineageAsync(string productId, string direction, int depth, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        ArgumentNullException.ThrowIfNull(direction);
        if (direction is not ("upstream" or "downstream" or "both"))
        {
            throw new ArgumentException($"Direction '{direction}' is not upstream, downstream or both.", nameof(direction));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var nodes = new List<CatalogLineageNode>();
        var edges = new Dictionary<(string Upstream, string Downstream), CatalogLineageEdge>();
        foreach (var upstream in new[] { true, false })
        {
            if (direction != "both" && direction != (upstream ? "upstream" : "downstream"))
            {
                continue;
            }

            var side = upstream ? "upstream" : "downstream";
            var table = _storage.Table(upstream ? CatalogTables.Lineage : CatalogTables.LineageDownstream);
            var visited = new HashSet<string>(StringComparer.Ordinal) { productId };
            IReadOnlyList<string> frontier = [productId];
            for (var hop = 1; hop <= depth && frontier.Count > 0; hop++)
            {
                var rowsPerNode = await Task.WhenAll(frontier.Select(node => QueryAsync(table, PartitionFilter(node), cancellationToken))).ConfigureAwait(false);
                var next = new List<string>();
                foreach (var row in rowsPerNode.SelectMany(rows => rows).OrderBy(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal))
                {
                    var edge = new CatalogLineageEdge(
                        row.GetString(CatalogColumns.UpstreamProduct),
                        row.GetString(CatalogColumns.DownstreamProduct),
                        row.GetBoolean(CatalogColumns.Declared) ?? false,
                        row.GetBoolean(CatalogColumns.Observed) ?? false,
                        row.GetString(CatalogColumns.Versions));
                    edges.TryAdd((edge.Upstream, edge.Downstream), edge);
                    var other = upstream ? edge.Upstream : edge.Downstream;
                    if (visited.Add(other))
                    {
                        nodes.Add(new CatalogLineageNode(other, hop, side));
                        next.Add(other);
                    }
                }

                frontier = next;
            }
        }

        var (columns, notes) = await ColumnLineageAsync(productId, depth, cancellationToken).ConfigureAwait(false);
        // One read of each upstream's newest version and releases, however many of its consumers are listed.
        var upstreams = edges.Values.Where(e => e.Versions is not null).Select(e => e.Upstream).Distinct(StringComparer.Ordinal)
            .ToDictionary(u => u, u => new UpstreamVersions(this, u, cancellationToken), StringComparer.Ordinal);
        var judged = await Task.WhenAll(edges.Values.Select(e => WithStatusAsync(e, upstreams))).ConfigureAwait(false);
        edges = judged.ToDictionary(e => (e.Upstream, e.Downstream));
        return new CatalogLineage
        {
            ProductId = productId,
            Direction = direction,
            Depth = depth,
            Nodes = nodes,
            Edges = [.. edges.Values.OrderBy(e => e.Upstream, StringComparer.Ordinal).ThenBy(e => e.Downstream, StringComparer.Ordinal)],
            Columns = columns,
            ColumnNotes = notes,
        };
    }

    /// <summary>
    /// A declared edge judged against its upstream's newest published version: current, behind (its range accepts only
    /// older published versions: pinned while the upstream moved on) or unsatisfied (nothing published in its range).
    /// </summary>
    private static async Task<CatalogLineageEdge> WithStatusAsync(CatalogLineageEdge edge, IReadOnlyDictionary<string, UpstreamVersions> upstreams)
    {
        if (edge.Versions is null || !SemVersionRange.TryParseNpm(edge.Versions, out var range))
        {
            return edge;
        }

        var upstream = upstreams[edge.Upstream];
        if (await upstream.Latest.Value.ConfigureAwait(false) is not { } latest || !SemVersion.TryParse(latest, SemVersionStyles.Strict, out var newest))
        {
            return edge;
        }

        if (range.Contains(newest))
        {
            return edge with { Status = CatalogLineageEdge.Current, UpstreamVersion = latest };
        }

        var published = await upstream.Published.Value.ConfigureAwait(false);
        return edge with { Status = published.Any(range.Contains) ? CatalogLineageEdge.Behind : CatalogLineageEdge.Unsatisfied, UpstreamVersion = latest };
    }

    /// <summary>
    /// An upstream's newest published version, and only when a range does not accept it the versions of its newest
    /// releases: each read once, however many consumers' edges ask.
    /// </summary>
    private sealed class UpstreamVersions(CatalogReader reader, string upstream, CancellationToken cancellationToken)
    {
        public Lazy<Task<string?>> Latest { get; } = new(async () =>
            (await reader.GetProductAsync(upstream, cancellationToken).ConfigureAwait(false))?.LatestVersion);

        // Newest first: the first page holds the versions a pinned consumer can still read, in any realistic history.
        public Lazy<Task<IReadOnlyList<SemVersion>>> Published { get; } = new(async () =>
            [.. (await reader.GetReleasesPageAsync(upstream, 100, cancellationToken: cancellationToken).ConfigureAwait(false)).Items
                .Select(r => SemVersion.TryParse(r.Version, SemVersionStyles.Strict, out var v) ? v : null)
                .OfType<SemVersion>()]);
    }

    /// <summary>
    /// Who reads each column of <paramref name="productId"/> across the mesh, from the registrations in the catalog (the
    /// local mesh registers every spec at start; in Azure each domain's release events carry its product's registration):
    /// readers to <paramref name="depth"/> hops, each with its input's range. The same answer in both hosts.
    /// </summary>
    public async Task<CatalogReaders> GetReadersAsync(string productId, int depth, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var (columns, notes) = await ColumnLineageAsync(productId, depth, cancellationToken).ConfigureAwait(false);
        return new CatalogReaders { ProductId = productId, Depth = depth, Columns = columns, Notes = notes };
    }

    /// <summary>
    /// The product's columns with their sources (its registered column lineage) and readers: every product downstream,
    /// whichever domain it is in, whose registered lineage reads one of its columns (hop 1), then the readers of the
    /// columns those compute from it (hop 2), to <paramref name="depth"/> hops. A reader that only filters or joins on a
    /// column feeds none of its own columns with it, so the walk stops there.
    /// </summary>
    private async Task<(IReadOnlyList<CatalogColumnLineage> Columns, IReadOnlyList<string> Notes)> ColumnLineageAsync(string productId, int depth, CancellationToken cancellationToken)
    {
        var (own, ownNote) = await RegisteredColumnLineageAsync(productId, cancellationToken).ConfigureAwait(false);
        var direct = new Dictionary<string, Task<IReadOnlyDictionary<string, List<CatalogColumnReader>>>>(StringComparer.Ordinal);
        Task<IReadOnlyDictionary<string, List<CatalogColumnReader>>> DirectOf(string product) =>
            direct.TryGetValue(product, out var known) ? known : direct[product] = DirectReadersAsync(product, cancellationToken);

        var readers = new Dictionary<string, List<CatalogColumnReader>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (column, first) in await DirectOf(productId).ConfigureAwait(false))
        {
            var all = new List<CatalogColumnReader>(first);
            var seen = new HashSet<(string, string)> { (productId, column.ToUpperInvariant()) };
            IReadOnlyList<CatalogColumnReader> frontier = first;
            for (var hop = 2; hop <= depth && frontier.Count > 0; hop++)
            {
                var next = new List<CatalogColumnReader>();
                foreach (var reader in frontier)
                {
                    var theirs = await DirectOf(reader.ProductId).ConfigureAwait(false);
                    foreach (var output in reader.Outputs)
                    {
                        if (!seen.Add((reader.ProductId, output.ToUpperInvariant())))
                        {
                            continue; // a cycle, or a column already walked
                        }

                        next.AddRange((theirs.GetValueOrDefault(output) ?? []).Select(r => r with { Hop = hop }));
                    }
                }

                all.AddRange(next);
                frontier = next;
            }

            readers[column] = all;
        }

        var columns = new List<CatalogColumnLineage>();
        foreach (var output in own?.Outputs ?? [])
        {
            columns.Add(new CatalogColumnLineage { Column = output.Name, Sources = output.Sources, Readers = readers.GetValueOrDefault(output.Name) ?? [] });
        }

        foreach (var (column, list) in readers.Where(r => !columns.Any(c => string.Equals(c.Column, r.Key, StringComparison.OrdinalIgnoreCase))).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            columns.Add(new CatalogColumnLineage { Column = column, Readers = list });
        }

        IReadOnlyList<string> notes = own is null ? (ownNote is null ? [] : [ownNote]) : own.Notes;
        return (columns, notes);
    }

    /// <summary>
    /// The products one hop downstream of <paramref name="productId"/> whose registered lineage reads its columns, by
    /// column, with their input's declared range. A product whose registered access does not admit the reader's domain
    /// is not read by it, whatever that domain registers: a domain cannot make itself a reader (and so block another
    /// domain's contract changes) of a product it may not read.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, List<CatalogColumnReader>>> DirectReadersAsync(string productId, CancellationToken cancellationToken)
    {
        var readers = new Dictionary<string, List<CatalogColumnReader>>(StringComparer.OrdinalIgnoreCase);
        IReadOnlyList<TableEntity> downstream;
        try
        {
            downstream = await QueryAsync(_storage.Table(CatalogTables.LineageDownstream), PartitionFilter(productId), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            return readers;
        }

        var access = await AccessAsync(productId, cancellationToken).ConfigureAwait(false);
        var ranges = downstream
            .Where(r => r.GetString(CatalogColumns.DownstreamProduct) is not null)
            .GroupBy(r => r.GetString(CatalogColumns.DownstreamProduct)!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.GetString(CatalogColumns.Versions)).FirstOrDefault(v => v is not null), StringComparer.Ordinal);
        foreach (var consumer in ranges.Keys.Order(StringComparer.Ordinal))
        {
            if (access is { } a && ProductIds.TrySplit(consumer, out var consumerDomain, out _)
                && !Consumption.DataReader.ForDomain(consumerDomain).CanRead(a.Domain, a.Visibility, a.Readers))
            {
                continue;
            }

            if ((await RegisteredColumnLineageAsync(consumer, cancellationToken).ConfigureAwait(false)).Lineage is not { } theirs)
            {
                continue;
            }

            foreach (var read in theirs.Reads.Where(r => r.Product == productId))
            {
                foreach (var column in read.Columns)
                {
                    var outputs = theirs.Outputs
                        .Where(o => o.Sources.Any(s => s.Input == read.Input && string.Equals(s.Column, column, StringComparison.OrdinalIgnoreCase)))
                        .Select(o => o.Name).ToList();
                    if (!readers.TryGetValue(column, out var list))
                    {
                        readers[column] = list = [];
                    }

                    list.Add(new CatalogColumnReader(consumer, read.Input, outputs)
                    {
                        Versions = ranges[consumer],
                        Through = productId,
                        ThroughColumn = column,
                        At = theirs.Transform is { } file && read.At?.GetValueOrDefault(column) is { } position ? $"{file}:{position}" : null,
                    });
                }
            }
        }

        return readers;
    }

    /// <summary>The product's registered domain, visibility and readers, or null when it is not registered (nothing to judge by).</summary>
    private async Task<(string Domain, string Visibility, IReadOnlyList<string> Readers)?> AccessAsync(string productId, CancellationToken cancellationToken)
    {
        var (domain, name) = SplitProductId(productId);
        try
        {
            var response = await _storage.Table(CatalogTables.Products)
                .GetEntityIfExistsAsync<TableEntity>(CatalogKeys.Encode(domain), CatalogKeys.Encode(name), select: [CatalogColumns.Visibility, CatalogColumns.Readers], cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (!response.HasValue || response.Value is not { } entity || string.IsNullOrEmpty(entity.GetString(CatalogColumns.Visibility)))
            {
                return null;
            }

            var readers = entity.GetString(CatalogColumns.Readers) is { } json ? CatalogJson.Deserialize<List<string>>(json) ?? [] : [];
            return (domain, entity.GetString(CatalogColumns.Visibility), readers);
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            return null;
        }
    }

    private async Task<(Lineage.ColumnLineage? Lineage, string? Note)> RegisteredColumnLineageAsync(string productId, CancellationToken cancellationToken)
    {
        var (domain, name) = SplitProductId(productId);
        try
        {
            var response = await _storage.Table(CatalogTables.Products)
                .GetEntityIfExistsAsync<TableEntity>(CatalogKeys.Encode(domain), CatalogKeys.Encode(name), select: [CatalogColumns.ColumnLineage, CatalogColumns.ColumnLineageOmitted, CatalogColumns.Withdrawn], cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (!response.HasValue || response.Value is not { } entity)
            {
                return (null, null);
            }

            if (entity.GetBoolean(CatalogColumns.Withdrawn) == true)
            {
                return (null, "its domain no longer declares it (withdrawn at its app's start-up)");
            }

            if (entity.GetBoolean(CatalogColumns.ColumnLineageOmitted) == true)
            {
                return (null, "the column lineage is too large to be stored in the catalog");
            }

            return entity.GetString(CatalogColumns.ColumnLineage) is { } json
                ? (CatalogJson.Deserialize<Lineage.ColumnLineage>(json), null)
                : (null, "no column lineage registered (the transform was not analysed)");
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            return (null, null);
        }
    }

    /// <summary>
    /// A product's quarantined inputs as the failure announcements reported them (<see cref="CatalogTables.Quarantine"/>),
    /// newest first, at most <paramref name="limit"/>; a file quarantined again by a later run is listed once, as the
    /// later run left it.
    /// </summary>
    public async Task<IReadOnlyList<CatalogQuarantinedFile>> GetQuarantineAsync(string productId, int limit, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var files = new List<CatalogQuarantinedFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var row in _storage.Table(CatalogTables.Quarantine).QueryAsync<TableEntity>(PartitionFilter(productId), maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var file = row.GetString(CatalogColumns.File) ?? "";
                if (!seen.Add(file))
                {
                    continue;
                }

                files.Add(new CatalogQuarantinedFile
                {
                    File = file,
                    LandingName = row.GetString(CatalogColumns.LandingName),
                    RunId = row.GetString(CatalogColumns.RunId) ?? "",
                    Version = row.GetString(CatalogColumns.Version) ?? "",
                    Stage = row.GetString(CatalogColumns.Stage) ?? "",
                    Reason = row.GetString(CatalogColumns.Error) ?? "",
                    QuarantinedAt = row.GetDateTimeOffset(CatalogColumns.At) ?? DateTimeOffset.MinValue,
                    FailedRules = row.GetString(CatalogColumns.FailedRules) is { } rules ? CatalogJson.Deserialize<List<string>>(rules) : [],
                    Replayable = row.GetBoolean(CatalogColumns.Replayable),
                    NotReplayable = row.GetString(CatalogColumns.NotReplayable),
                    KeptInLanding = row.GetBoolean(CatalogColumns.KeptInLanding),
                });
                if (files.Count == limit)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            // Nothing has been projected yet.
        }

        return files;
    }

    /// <summary>
    /// The quality rule results of a product's most recent runs that reached the quality gate, newest first. Rows are
    /// keyed newest run first: the read stops at the first row of the run after the last one wanted.
    /// </summary>
    public async Task<IReadOnlyList<CatalogQualityRun>> GetQualityHistoryAsync(string productId, int maxRuns, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRuns, 1);
        var rows = new List<TableEntity>();
        var runs = new HashSet<string>(StringComparer.Ordinal);
        string? group = null;
        var skipping = false;
        try
        {
            await foreach (var row in _storage.Table(CatalogTables.QualityHistory).QueryAsync<TableEntity>(PartitionFilter(productId), maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                // One run's rules share the key up to their rule index; a run id seen in a newer group is an older copy.
                var rowGroup = row.RowKey[..Math.Max(0, row.RowKey.LastIndexOf('~'))];
                if (rowGroup != group)
                {
                    group = rowGroup;
                    skipping = !runs.Add(row.GetString(CatalogColumns.RunId));
                    if (!skipping && runs.Count > maxRuns)
                    {
                        break;
                    }
                }

                if (!skipping)
                {
                    rows.Add(row);
                }
            }
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            // Nothing has been projected yet.
        }

        return
        [
            .. rows.GroupBy(r => r.GetString(CatalogColumns.RunId), StringComparer.Ordinal)
                .Select(run =>
                {
                    var rules = run.OrderBy(r => r.GetInt32(CatalogColumns.RuleIndex) ?? 0).ToList();
                    var first = rules[0];
                    return new CatalogQualityRun
                    {
                        ProductId = first.GetString(CatalogColumns.ProductId),
                        RunId = run.Key,
                        Status = first.GetString(CatalogColumns.Status),
                        Version = first.GetString(CatalogColumns.Version),
                        Release = first.GetInt32(CatalogColumns.Release),
                        At = first.GetDateTimeOffset(CatalogColumns.At) ?? DateTimeOffset.MinValue,
                        Passed = first.GetBoolean(CatalogColumns.QualityPassed) ?? false,
                        Rows = first.GetInt64(CatalogColumns.Rows) ?? 0,
                        Rules = [.. rules.Select(ToRuleResult)],
                    };
                })
                .OrderByDescending(r => r.At)
                .ThenByDescending(r => r.RunId, StringComparer.Ordinal)
                .Take(maxRuns),
        ];
    }

    private static bool Matches(CatalogProduct product, CatalogSearch search)
    {
        static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        static bool Has(string? text, string part) => text?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;

        return (string.IsNullOrEmpty(search.Tag) || product.Tags.Any(t => Same(t, search.Tag)))
            && (string.IsNullOrEmpty(search.Owner) || Same(product.OwnerTeam, search.Owner) || Same(product.OwnerEmail, search.Owner))
            && (string.IsNullOrEmpty(search.Classification) || product.Classifications.Any(c => Same(c, search.Classification)))
            && (string.IsNullOrEmpty(search.Text)
                || Has(product.ProductId, search.Text)
                || Has(product.Description, search.Text)
                || Has(product.OwnerTeam, search.Text)
                || Has(product.OwnerEmail, search.Text)
                || product.Tags.Any(t => Has(t, search.Text!)));
    }

    private static QualityRuleResult ToRuleResult(TableEntity row) => new(
        row.GetString(CatalogColumns.Rule),
        row.GetString(CatalogColumns.Property),
        row.GetString(CatalogColumns.Metric),
        row.GetString(CatalogColumns.Severity),
        decimal.TryParse(row.GetString(CatalogColumns.Measured), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var measured) ? measured : 0m,
        row.GetString(CatalogColumns.Unit),
        row.GetString(CatalogColumns.Expectation),
        row.GetBoolean(CatalogColumns.Passed) ?? false,
        row.GetInt64(CatalogColumns.FailedRows) ?? 0);

    /// <summary>
    /// Up to <paramref name="pageSize"/> rows of a product's partition after the token's key, in key order, distinct by
    /// <paramref name="identity"/>, and the token of the next page (null when none is left): one request of
    /// <paramref name="pageSize"/> + 1 rows, whatever the partition holds.
    /// </summary>
    private Task<(List<TableEntity> Rows, string? Next)> ReadPageAsync(
        string tableName, string productId, int pageSize, string? continuationToken, Func<TableEntity, string> identity, CancellationToken cancellationToken)
    {
        SplitProductId(productId);
        return ReadPartitionPageAsync(tableName, PartitionFilter(productId), pageSize, continuationToken, identity, cancellationToken);
    }

    private async Task<(List<TableEntity> Rows, string? Next)> ReadPartitionPageAsync(
        string tableName, string partitionFilter, int pageSize, string? continuationToken, Func<TableEntity, string> identity, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var filter = partitionFilter;
        if (!string.IsNullOrEmpty(continuationToken))
        {
            filter = $"({filter}) and ({TableClient.CreateQueryFilter($"RowKey gt {AfterKey(continuationToken)}")})";
        }

        var rows = new List<TableEntity>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? last = null;
        var more = false;
        try
        {
            await foreach (var row in _storage.Table(tableName).QueryAsync<TableEntity>(filter, maxPerPage: pageSize + 1, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (rows.Count == pageSize)
                {
                    more = true;
                    break;
                }

                last = row.RowKey;
                if (seen.Add(identity(row)))
                {
                    rows.Add(row);
                }
            }
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            // Nothing has been projected yet.
        }

        return (rows, more && last is not null ? Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(last)) : null);
    }

    /// <summary>The row key a history token continues after; a token this catalog did not issue is refused.</summary>
    private static string AfterKey(string continuationToken)
    {
        try
        {
            var key = continuationToken.Length <= 1400 ? System.Text.Encoding.UTF8.GetString(Base64Url.DecodeFromChars(continuationToken)) : "";
            if (key.Length is > 0 and <= 1024 && !key.Any(char.IsControl))
            {
                return key;
            }
        }
        catch (FormatException)
        {
            // Not Base64url: refused below.
        }

        throw new CatalogContinuationException("The continuationToken is not one this catalog issued: start again without it.");
    }

    private static string PartitionFilter(string productId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {CatalogKeys.Encode(productId)}");

    private static async Task<List<TableEntity>> QueryAsync(TableClient table, string? filter, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                rows.Add(row);
            }
        }
        catch (RequestFailedException ex) when (IsTableMissing(ex))
        {
            // Nothing has been projected yet.
        }

        return rows;
    }

    private static bool IsTableMissing(RequestFailedException ex) =>
        ex.Status == 404 && ex.ErrorCode == TableErrorCode.TableNotFound.ToString();

    private static (string Domain, string Name) SplitProductId(string productId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(productId);
        return ProductIds.TrySplit(productId, out var domain, out var name)
            ? (domain, name)
            : throw new ArgumentException($"Product id '{productId}' is not of the form <domain>.<name> (e.g. finance.ledger-emea).", nameof(productId));
    }

    private static CatalogProduct ToProduct(TableEntity row) => new()
    {
        ProductId = row.GetString(CatalogColumns.ProductId),
        Domain = row.GetString(CatalogColumns.Domain),
        Name = row.GetString(CatalogColumns.Name),
        DeclaredVersion = row.GetString(CatalogColumns.DeclaredVersion),
        Description = row.GetString(CatalogColumns.Description),
        OwnerTeam = row.GetString(CatalogColumns.OwnerTeam),
        OwnerEmail = row.GetString(CatalogColumns.OwnerEmail),
        Tags = row.GetString(CatalogColumns.Tags) is { } tags ? CatalogJson.Deserialize<List<string>>(tags) : [],
        Readers = row.GetString(CatalogColumns.Readers) is { } readers ? CatalogJson.Deserialize<List<string>>(readers) : [],
        Visibility = row.GetString(CatalogColumns.Visibility),
        Freshness = row.GetString(CatalogColumns.Freshness) is { Length: > 0 } freshness ? freshness : null,
        RegisteredAt = row.GetDateTimeOffset(CatalogColumns.RegisteredAt),
        Withdrawn = row.GetBoolean(CatalogColumns.Withdrawn) == true,
        LatestVersion = row.GetString(CatalogColumns.LatestVersion),
        LatestRelease = row.GetInt32(CatalogColumns.LatestRelease),
        LatestRunId = row.GetString(CatalogColumns.LatestRunId),
        Rows = row.GetInt64(CatalogColumns.Rows),
        Location = row.GetString(CatalogColumns.Location),
        SchemaHash = row.GetString(CatalogColumns.SchemaHash),
        PublishedAt = row.GetDateTimeOffset(CatalogColumns.PublishedAt),
        UpdatedAt = row.GetDateTimeOffset(CatalogColumns.UpdatedAt),
        StaleSince = StaleSince(row),
        Columns = row.GetString(CatalogColumns.Columns) is { } columns ? CatalogJson.Deserialize<List<CatalogColumn>>(columns) : [],
        ColumnsOmitted = row.GetInt32(CatalogColumns.ColumnsOmitted) ?? 0,
        Classifications = row.GetString(CatalogColumns.Classifications) is { } classifications ? CatalogJson.Deserialize<List<string>>(classifications) : [],
        Inputs = row.GetString(CatalogColumns.Inputs) is { } inputs ? CatalogJson.Deserialize<List<string>>(inputs) : [],
    };

    /// <summary>
    /// The breach mark while it is about the product's latest release; a release published since (or a breach reported
    /// late, about an older one) leaves the product fresh. Marks written before they named a release hold while the
    /// product's newest data is the breached data.
    /// </summary>
    private static DateTimeOffset? StaleSince(TableEntity row)
    {
        if (row.GetDateTimeOffset(CatalogColumns.StaleSince) is not { } since)
        {
            return null;
        }

        var latest = CatalogProjection.StaleReleaseKey(row.GetString(CatalogColumns.LatestVersion), row.GetInt32(CatalogColumns.LatestRelease));
        return row.GetString(CatalogColumns.StaleRelease) is { } about
            ? (about == latest ? since : null)
            : (row.GetDateTimeOffset(CatalogColumns.PublishedAt) is not { } published || published == since ? since : null);
    }

    private static CatalogRelease ToRelease(TableEntity row) => new()
    {
        ProductId = row.GetString(CatalogColumns.ProductId),
        Version = row.GetString(CatalogColumns.Version),
        Release = row.GetInt32(CatalogColumns.Release) ?? 0,
        RunId = row.GetString(CatalogColumns.RunId),
        Location = row.GetString(CatalogColumns.Location),
        Rows = row.GetInt64(CatalogColumns.Rows) ?? 0,
        Changes = row.GetString(CatalogColumns.Changes) is { } changes ? CatalogJson.Deserialize<ReleaseChangeSummary>(changes) : null,
        SchemaHash = row.GetString(CatalogColumns.SchemaHash),
        QualityPassed = row.GetBoolean(CatalogColumns.QualityPassed) ?? false,
        Quality = row.GetString(CatalogColumns.Quality) is { } quality ? CatalogJson.Deserialize<QualitySummary>(quality) : null,
        QualityRulesOmitted = row.GetInt32(CatalogColumns.QualityRulesOmitted) ?? 0,
        Upstream = row.GetString(CatalogColumns.Upstream) is { } upstream ? CatalogJson.Deserialize<List<UpstreamRelease>>(upstream) : [],
        UpstreamOmitted = row.GetInt32(CatalogColumns.UpstreamOmitted) ?? 0,
        Landing = row.GetString(CatalogColumns.Landing) is { } landing ? CatalogJson.Deserialize<List<LandingBlob>>(landing) : [],
        LandingOmitted = row.GetInt32(CatalogColumns.LandingOmitted) ?? 0,
        Inputs = row.GetString(CatalogColumns.Inputs) is { } inputs ? CatalogJson.Deserialize<List<InputReport>>(inputs) : [],
        InputsOmitted = row.GetInt32(CatalogColumns.InputsOmitted) ?? 0,
        PublishedAt = row.GetDateTimeOffset(CatalogColumns.PublishedAt) ?? DateTimeOffset.MinValue,
        DataEndpoint = row.GetString(CatalogColumns.DataEndpoint),
    };

    private static CatalogRun ToRun(TableEntity row) => new()
    {
        ProductId = row.GetString(CatalogColumns.ProductId),
        RunId = row.GetString(CatalogColumns.RunId),
        Status = row.GetString(CatalogColumns.Status),
        Stage = row.GetString(CatalogColumns.Stage),
        Error = row.GetString(CatalogColumns.Error),
        Version = row.GetString(CatalogColumns.Version),
        Release = row.GetInt32(CatalogColumns.Release),
        Quarantined = row.GetString(CatalogColumns.Quarantined) is { } quarantined ? CatalogJson.Deserialize<List<string>>(quarantined) : [],
        Quality = row.GetString(CatalogColumns.Quality) is { } quality ? CatalogJson.Deserialize<QualitySummary>(quality) : null,
        Inputs = row.GetString(CatalogColumns.Inputs) is { } inputs ? CatalogJson.Deserialize<List<InputReport>>(inputs) : [],
        InputsOmitted = row.GetInt32(CatalogColumns.InputsOmitted) ?? 0,
        At = row.GetDateTimeOffset(CatalogColumns.At) ?? DateTimeOffset.MinValue,
        Stages = row.GetString(CatalogColumns.Stages) is { } stages ? CatalogJson.Deserialize<List<StageTiming>>(stages) : [],
        StagesOmitted = row.GetInt32(CatalogColumns.StagesOmitted) ?? 0,
        OpenLineage = row.GetString(CatalogColumns.OpenLineage) is { } lineage
            ? [.. (System.Text.Json.Nodes.JsonNode.Parse(lineage) as System.Text.Json.Nodes.JsonArray ?? []).OfType<System.Text.Json.Nodes.JsonObject>()]
            : [],
        OpenLineageTrimmed = row.GetBoolean(CatalogColumns.OpenLineage + "Trimmed") ?? false,
    };
}

using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Messaging;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Semver;

namespace DataMesh.Catalog;

/// <summary>
/// Records product events in the catalog tables. Idempotent and order-tolerant: events arrive at least once and
/// in any order, rows are upserted by deterministic keys, and a product's latest release only moves forward
/// (higher semver, then higher release number). Storage failures surface so the queue retries;
/// events that can never apply throw <see cref="CatalogEventRejectedException"/>.
/// </summary>
public sealed partial class CatalogProjection
{
    /// <summary>
    /// How far ahead of the hub's clock a registration's <see cref="ProductRegistration.DeclaredAt"/> may be: the clock
    /// skew tolerated between a domain app and the hub. A stamp further ahead would win against every later registration
    /// of its product until that time came (a clock running ahead, a bug, a hostile caller), so it is refused
    /// (<see cref="ProductRegistrationIntake"/>: 400; a release event: the release is recorded, its registration not), and
    /// such a stamp already stored counts as none (any registration replaces it).
    /// </summary>
    public static readonly TimeSpan DeclaredAtTolerance = TimeSpan.FromMinutes(5);

    private const string SourcePrefix = "/domains/";

    // Concurrent writers of one Products row retry on a changed ETag; after this many the failure surfaces.
    private const int MaxConditionalAttempts = 10;

    private readonly MeshStorage _storage;
    private readonly TimeProvider _time;
    private readonly AnnouncedReleaseCheck? _releases;
    private readonly DomainRegistry? _domains;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TableClient> _ready = new();

    /// <param name="storage">The catalog tables.</param>
    /// <param name="time">The clock of <c>updatedAt</c> and registrations.</param>
    /// <param name="releases">
    /// Checks that an announced release's manifest exists where the event says before it is recorded (a release event
    /// for one that does not is rejected to the poison queue). Hosts that reach the domains' storage pass it (the local
    /// mesh); without it, releases are recorded as announced (the Azure hub, which holds no role on domain storage).
    /// </param>
    /// <param name="domains">
    /// The registered domains: a release event whose location is not in its domain's registered storage account, or
    /// whose <c>dataendpoint</c> is not its domain's registered data endpoint, is rejected (never recorded, never
    /// routed). The domain is the one in the event's <c>source</c>, which the delivering channel vouches for (the
    /// domain's own topic locally; in Azure the hub's subscription on each domain topic admits only sources under
    /// <c>/domains/&lt;that domain&gt;/</c>). Null: locations are recorded as announced (a hub not yet configured).
    /// </param>
    /// <param name="logger">Where a release's registration that is not applied is reported (a stamp too far ahead).</param>
    public CatalogProjection(MeshStorage storage, TimeProvider? time = null, AnnouncedReleaseCheck? releases = null, DomainRegistry? domains = null, ILogger<CatalogProjection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _time = time ?? TimeProvider.System;
        _releases = releases;
        _domains = domains;
        _logger = logger ?? NullLogger<CatalogProjection>.Instance;
    }

    /// <summary>Applies one product event. <c>DataMesh.FreshnessBreached</c> is accepted and not recorded yet.</summary>
    /// <exception cref="CatalogEventRejectedException">Unknown type, a source outside <c>/domains/</c>, or invalid data.</exception>
    public async Task ApplyAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Source is null || !cloudEvent.Source.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            throw Rejected(cloudEvent, $"its source is not a product of the mesh (expected '{SourcePrefix}<domain>/products/<name>')");
        }

        switch (cloudEvent.Type)
        {
            case ProductEventTypes.ProductVersionPublished:
                await ApplyPublishedAsync(cloudEvent, Read<ProductVersionPublishedData>(cloudEvent), cancellationToken).ConfigureAwait(false);
                break;
            case ProductEventTypes.QualityCheckFailed:
                await ApplyFailureAsync(cloudEvent, Read<QualityCheckFailedData>(cloudEvent), CatalogRunStatus.QualityFailed, cancellationToken).ConfigureAwait(false);
                break;
            case ProductEventTypes.PipelineRunFailed:
            {
                // A cancelled run is recorded as such, not as a failure an owner should look into.
                var failed = Read<PipelineRunFailedData>(cloudEvent);
                await ApplyFailureAsync(cloudEvent, failed, failed.Reason == RunCancellation.Reason ? CatalogRunStatus.Cancelled : CatalogRunStatus.Failed, cancellationToken).ConfigureAwait(false);
                break;
            }
            case ProductEventTypes.FreshnessBreached:
                await ApplyFreshnessBreachedAsync(cloudEvent, Read<FreshnessBreachedData>(cloudEvent), cancellationToken).ConfigureAwait(false);
                break;
            case ProductEventTypes.ReleaseExpired:
            {
                // Retention took the release out of its product's listings: it leaves the catalog's list (idempotent).
                var expired = Read<ReleaseExpiredData>(cloudEvent);
                CheckProduct(cloudEvent, expired.ProductId, expired.Domain, expired.Name);
                await new CatalogReleaseRetirement(_storage).RemoveAsync(
                    new Publishing.ReleaseExpiry
                    {
                        ProductId = expired.ProductId,
                        Version = expired.Version,
                        Release = expired.Release,
                        Rule = expired.Rule,
                        ExpiredAt = expired.ExpiredAt,
                        DeleteAfter = expired.ExpiredAt,
                    },
                    cancellationToken).ConfigureAwait(false);
                break;
            }
            default:
                throw Rejected(cloudEvent, "the catalog does not know its type");
        }
    }

    /// <summary>
    /// Records a declared product (from its spec), before or after its first release. Merges: the latest-release
    /// fields written by <see cref="ApplyAsync"/> are left as they are. Declared product inputs become lineage edges.
    /// </summary>
    public Task RegisterProductAsync(ProductRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return RegisterProductsAsync([registration], cancellationToken);
    }

    /// <summary>
    /// Records many declared products at once (a mesh's specs at start-up, or synthetic products for a benchmark):
    /// rows are written in table transactions per partition (see <see cref="CatalogBatches"/>). Idempotent, and
    /// order-tolerant: a product's row takes a registration only when it is newer than the one it holds
    /// (<see cref="ProductRegistration.DeclaredAt"/>, then content), decided against the row as read and written with
    /// that read's ETag (a writer that got there first makes the transaction fail, and it is decided again).
    /// </summary>
    /// <returns>The number of table transactions sent.</returns>
    public async Task<int> RegisterProductsAsync(IEnumerable<ProductRegistration> registrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        var now = _time.GetUtcNow();
        var rows = new Dictionary<(string, string), (ProductRegistration Registration, TableEntity Row)>();
        foreach (var registration in registrations)
        {
            ArgumentNullException.ThrowIfNull(registration);
            ArgumentException.ThrowIfNullOrWhiteSpace(registration.Domain);
            ArgumentException.ThrowIfNullOrWhiteSpace(registration.Name);
            var row = RegistrationRow(registration, now);
            rows[(row.PartitionKey, row.RowKey)] = (registration, row);
        }

        var (current, sent) = await WriteNewestAsync(
            await TableAsync(CatalogTables.Products, cancellationToken).ConfigureAwait(false), [.. rows.Values.Select(r => r.Row)], TableUpdateMode.Merge, AheadLimit(now), cancellationToken).ConfigureAwait(false);

        // Edges of the registrations the rows now hold (written again for one already held: a retried delivery whose
        // first attempt wrote the row but not its edges); an older registration's ranges are not written back.
        var lineage = new List<TableTransactionAction>();
        var lineageDownstream = new List<TableTransactionAction>();
        foreach (var (key, (registration, _)) in rows)
        {
            if (!current.Contains(key))
            {
                continue;
            }

            foreach (var upstream in registration.Inputs.Distinct(StringComparer.Ordinal))
            {
                AddEdge(lineage, lineageDownstream, upstream, registration.ProductId, CatalogColumns.Declared, registration.InputVersions.GetValueOrDefault(upstream));
            }
        }

        sent += await CatalogBatches.SubmitAsync(await TableAsync(CatalogTables.Lineage, cancellationToken).ConfigureAwait(false), lineage, cancellationToken).ConfigureAwait(false);
        sent += await CatalogBatches.SubmitAsync(await TableAsync(CatalogTables.LineageDownstream, cancellationToken).ConfigureAwait(false), lineageDownstream, cancellationToken).ConfigureAwait(false);
        return sent;
    }

    /// <summary>
    /// Withdraws the registrations of <paramref name="domain"/>'s products that its complete set of registrations
    /// (a domain app's start-up, declared at <paramref name="declaredAt"/>) no longer names: their rows keep their
    /// releases but no longer read anything (no column lineage, no inputs, their declared lineage edges removed), so a
    /// deleted consumer stops counting in other domains' publish gates. Rows of other domains are never read; a row
    /// holding a registration newer than <paramref name="declaredAt"/> (a product added since) is left as it is.
    /// </summary>
    /// <returns>The ids of the products withdrawn now, ordered.</returns>
    public async Task<IReadOnlyList<string>> WithdrawAbsentAsync(string domain, IReadOnlyCollection<string> presentNames, DateTimeOffset declaredAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        ArgumentNullException.ThrowIfNull(presentNames);
        var present = presentNames.ToHashSet(StringComparer.Ordinal);
        var table = await TableAsync(CatalogTables.Products, cancellationToken).ConfigureAwait(false);
        var partitionKey = CatalogKeys.Encode(domain);
        var withdrawals = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.GetString(CatalogColumns.Name) is { } name && !present.Contains(name) && row.GetBoolean(CatalogColumns.Withdrawn) != true)
            {
                withdrawals.Add(WithdrawnRow(row, declaredAt));
            }
        }

        var (current, _) = await WriteNewestAsync(table, withdrawals, TableUpdateMode.Replace, AheadLimit(_time.GetUtcNow()), cancellationToken, WithdrawnRow).ConfigureAwait(false);
        var withdrawn = withdrawals.Where(w => current.Contains((w.PartitionKey, w.RowKey))).Select(w => w.GetString(CatalogColumns.ProductId)).OfType<string>().Order(StringComparer.Ordinal).ToList();
        foreach (var productId in withdrawn)
        {
            await RemoveDeclaredEdgesAsync(productId, cancellationToken).ConfigureAwait(false);
        }

        return withdrawn;
    }

    /// <summary>The product row as it stands, less what its registration read, marked withdrawn as of <paramref name="declaredAt"/>.</summary>
    private static TableEntity WithdrawnRow(TableEntity row, DateTimeOffset declaredAt)
    {
        var withdrawn = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row.Where(p => p.Key is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey" or CatalogColumns.ColumnLineage or CatalogColumns.ColumnLineageOmitted)))
        {
            withdrawn[name] = value;
        }

        withdrawn[CatalogColumns.Inputs] = CatalogJson.SerializeList(Array.Empty<string>()).Json;
        withdrawn[CatalogColumns.Withdrawn] = true;
        withdrawn[CatalogColumns.DeclaredAt] = declaredAt.UtcTicks;
        withdrawn[CatalogColumns.RegistrationHash] = "";
        return withdrawn;
    }

    /// <summary>Removes the lineage edges into <paramref name="productId"/> known only from its (withdrawn) declaration; observed ones stay.</summary>
    private async Task RemoveDeclaredEdgesAsync(string productId, CancellationToken cancellationToken)
    {
        var lineage = await TableAsync(CatalogTables.Lineage, cancellationToken).ConfigureAwait(false);
        var downstream = await TableAsync(CatalogTables.LineageDownstream, cancellationToken).ConfigureAwait(false);
        var productKey = CatalogKeys.Encode(productId);
        await foreach (var edge in lineage.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {productKey}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (edge.GetBoolean(CatalogColumns.Observed) == true)
            {
                continue;
            }

            foreach (var (table, partitionKey, rowKey) in new[] { (downstream, edge.RowKey, productKey), (lineage, productKey, edge.RowKey) })
            {
                try
                {
                    await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Removed by an earlier attempt.
                }
            }
        }
    }

    /// <summary>A registration's row in <see cref="CatalogTables.Products"/> (merged into what the row holds).</summary>
    private static TableEntity RegistrationRow(ProductRegistration registration, DateTimeOffset now)
    {
        var (columns, columnsOmitted) = CatalogJson.SerializeList(registration.Columns);
        var classifications = registration.Columns
            .Select(c => c.Classification)
            .OfType<string>()
            .Where(c => c.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        var entity = new TableEntity(CatalogKeys.Encode(registration.Domain), CatalogKeys.Encode(registration.Name))
        {
            [CatalogColumns.ProductId] = registration.ProductId,
            [CatalogColumns.Domain] = registration.Domain,
            [CatalogColumns.Name] = registration.Name,
            [CatalogColumns.DeclaredVersion] = registration.Version,
            [CatalogColumns.Description] = CatalogJson.Truncate(registration.Description ?? ""),
            [CatalogColumns.OwnerTeam] = registration.OwnerTeam ?? "",
            [CatalogColumns.OwnerEmail] = registration.OwnerEmail ?? "",
            [CatalogColumns.Tags] = CatalogJson.SerializeList(registration.Tags ?? []).Json,
            [CatalogColumns.Readers] = CatalogJson.SerializeList(registration.Readers).Json,
            [CatalogColumns.Visibility] = registration.Visibility ?? "",
            [CatalogColumns.Freshness] = registration.Freshness ?? "",
            [CatalogColumns.Columns] = columns,
            [CatalogColumns.ColumnsOmitted] = columnsOmitted,
            [CatalogColumns.Classifications] = CatalogJson.SerializeList(classifications).Json,
            [CatalogColumns.Inputs] = CatalogJson.SerializeList(registration.Inputs).Json,
            [CatalogColumns.RegisteredAt] = now,
            [CatalogColumns.RegistrationHash] = ContentHash(registration),
            [CatalogColumns.Withdrawn] = false,
        };
        if (registration.DeclaredAt is { } declaredAt)
        {
            entity[CatalogColumns.DeclaredAt] = declaredAt.UtcTicks;
        }

        if (registration.ColumnLineageOmitted && registration.ColumnLineage is null)
        {
            // Left out upstream (an event's budget): say so rather than keep an older lineage naming other columns.
            entity[CatalogColumns.ColumnLineage] = null;
            entity[CatalogColumns.ColumnLineageOmitted] = true;
        }
        else if (registration.ColumnLineage is { } columnLineage)
        {
            // Whole or not at all: a cut lineage would claim a column is read by nobody.
            var json = System.Text.Json.JsonSerializer.Serialize(columnLineage, CatalogJson.Options);
            var fits = json.Length <= CatalogJson.MaxStringLength;
            entity[CatalogColumns.ColumnLineage] = fits ? json : null;
            entity[CatalogColumns.ColumnLineageOmitted] = !fits;
        }

        return entity;
    }

    /// <summary>The registration's content (its stamp aside) as a SHA-256 hex digest: orders two registrations declared at the same instant.</summary>
    private static string ContentHash(ProductRegistration registration) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(registration with { DeclaredAt = null }, ProductEventJson.Options)));

    /// <summary>How a registration's row compares with the row stored.</summary>
    private enum Declaration
    {
        Older,
        Same,
        Newer,
    }

    /// <summary>
    /// Why <paramref name="registration"/>'s stamp cannot be taken: it is more than <see cref="DeclaredAtTolerance"/>
    /// ahead of the hub's clock. Null when it is not (or unstamped).
    /// </summary>
    internal string? DeclaredAtProblem(ProductRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var now = _time.GetUtcNow();
        return registration.DeclaredAt is { } declaredAt && declaredAt.UtcTicks > AheadLimit(now)
            ? string.Create(CultureInfo.InvariantCulture,
                $"declaredAt {declaredAt.ToUniversalTime():O} is ahead of the hub's time {now.ToUniversalTime():O} by more than the tolerated clock skew of {DeclaredAtTolerance.TotalMinutes} minutes")
            : null;
    }

    /// <summary>The latest stamp (UTC ticks) the hub takes at <paramref name="now"/>: <see cref="DeclaredAtTolerance"/> ahead of it.</summary>
    private static long AheadLimit(DateTimeOffset now) => (now + DeclaredAtTolerance).UtcTicks;

    /// <summary>
    /// Whether <paramref name="row"/> (a registration's or a withdrawal's) is newer than <paramref name="stored"/>: by
    /// <see cref="CatalogColumns.DeclaredAt"/>, then by content hash. A stored row without a stamp (no registration, or
    /// one made before stamps) takes any, as does one stamped later than <paramref name="aheadLimit"/> (further ahead of
    /// the hub's clock than <see cref="DeclaredAtTolerance"/>, stored before such stamps were refused); an unstamped
    /// registration never replaces a stamped one.
    /// </summary>
    private static Declaration Compare(TableEntity row, TableEntity? stored, long aheadLimit)
    {
        var storedAt = stored?.GetInt64(CatalogColumns.DeclaredAt);
        if (stored is null || storedAt is null || storedAt > aheadLimit)
        {
            return Declaration.Newer;
        }

        if (row.GetInt64(CatalogColumns.DeclaredAt) is not { } at || at < storedAt)
        {
            return Declaration.Older;
        }

        var byContent = string.CompareOrdinal(row.GetString(CatalogColumns.RegistrationHash), stored.GetString(CatalogColumns.RegistrationHash));
        return at > storedAt || byContent > 0 ? Declaration.Newer : byContent == 0 ? Declaration.Same : Declaration.Older;
    }

    /// <summary>
    /// Writes each of <paramref name="rows"/> (all of one table) whose declaration is newer than its stored row's, in
    /// transactions per partition, each action conditional on the ETag just read (an add on the row being absent): a
    /// transaction another writer overtook fails whole, and its rows are read and decided again. Returns the keys of
    /// the rows that now hold their declaration (written, or already held) and the transactions sent.
    /// <paramref name="aheadLimit"/> is the latest stamp the hub takes now (see <see cref="Compare"/>).
    /// <paramref name="rebuild"/> makes a row again from the row read, where the row replaces it (a withdrawal).
    /// </summary>
    private static async Task<(HashSet<(string, string)> Current, int Sent)> WriteNewestAsync(
        TableClient table, IReadOnlyList<TableEntity> rows, TableUpdateMode mode, long aheadLimit, CancellationToken cancellationToken, Func<TableEntity, DateTimeOffset, TableEntity>? rebuild = null)
    {
        var current = new HashSet<(string, string)>();
        var sent = 0;
        foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            var pending = partition.ToList();
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                var stored = await StoredRowsAsync(table, partition.Key, pending, full: rebuild is not null, cancellationToken).ConfigureAwait(false);
                var actions = new List<TableTransactionAction>();
                foreach (var row in pending)
                {
                    var held = stored.GetValueOrDefault(row.RowKey);
                    switch (Compare(row, held, aheadLimit))
                    {
                        case Declaration.Same:
                            current.Add((row.PartitionKey, row.RowKey));
                            break;
                        case Declaration.Newer when held is null && rebuild is not null:
                            break; // a withdrawal of a row removed since: nothing to withdraw
                        case Declaration.Newer when held is null:
                            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
                            break;
                        case Declaration.Newer:
                            var write = rebuild is null ? row : rebuild(held, new DateTimeOffset(row.GetInt64(CatalogColumns.DeclaredAt)!.Value, TimeSpan.Zero));
                            actions.Add(new TableTransactionAction(
                                mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace, write, held.ETag));
                            break;
                    }
                }

                var overtaken = new List<TableEntity>();
                foreach (var batch in CatalogBatches.Plan(actions))
                {
                    sent++;
                    try
                    {
                        await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                        current.UnionWith(batch.Select(a => (a.Entity.PartitionKey, a.Entity.RowKey)));
                    }
                    catch (RequestFailedException ex) when ((ex.Status is 409 or 412) && attempt < MaxConditionalAttempts)
                    {
                        // Another writer got there first: read again and decide again.
                        overtaken.AddRange(batch.Select(a => rows.First(r => r.PartitionKey == a.Entity.PartitionKey && r.RowKey == a.Entity.RowKey)));
                    }
                }

                pending = overtaken;
            }
        }

        return (current, sent);
    }

    /// <summary>The stored rows of <paramref name="rows"/>' keys in one partition (their stamps only unless <paramref name="full"/>), by row key.</summary>
    private static async Task<Dictionary<string, TableEntity>> StoredRowsAsync(TableClient table, string partitionKey, IReadOnlyList<TableEntity> rows, bool full, CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? select = full ? null : [CatalogColumns.DeclaredAt, CatalogColumns.RegistrationHash];
        var stored = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        if (rows.Count <= 4)
        {
            foreach (var row in rows)
            {
                var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, row.RowKey, select, cancellationToken).ConfigureAwait(false);
                if (response.HasValue && response.Value is { } entity)
                {
                    stored[row.RowKey] = entity;
                }
            }

            return stored;
        }

        // Many rows of one partition (a domain's start-up): the partition in one query rather than a read per row.
        var wanted = rows.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), select: select, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (wanted.Contains(entity.RowKey))
            {
                stored[entity.RowKey] = entity;
            }
        }

        return stored;
    }

    /// <summary>
    /// Marks the product stale since the breached release was published, naming that release: the mark holds only
    /// while it is the product's latest (<see cref="CatalogReader"/> reads it so), so a later release — or a breach
    /// reported after it — leaves the product fresh.
    /// </summary>
    private async Task ApplyFreshnessBreachedAsync(CloudEvent cloudEvent, FreshnessBreachedData data, CancellationToken cancellationToken)
    {
        CheckProduct(cloudEvent, data.ProductId, data.Domain, data.Name);
        var table = await TableAsync(CatalogTables.Products, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(CatalogKeys.Encode(data.Domain), CatalogKeys.Encode(data.Name))
        {
            [CatalogColumns.StaleSince] = data.Since,
            [CatalogColumns.StaleRelease] = StaleReleaseKey(data.LatestVersion, data.LatestRelease),
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    private async Task ApplyPublishedAsync(CloudEvent cloudEvent, ProductVersionPublishedData data, CancellationToken cancellationToken)
    {
        CheckProduct(cloudEvent, data.ProductId, data.Domain, data.Name);
        var version = ParseVersion(cloudEvent, data.Version);
        if (data.Release < 1)
        {
            throw Rejected(cloudEvent, $"its release {data.Release} is not 1 or more");
        }

        if (data.Upstream.FirstOrDefault(u => !ProductIds.TrySplit(u.ProductId, out _, out _)) is { } badUpstream)
        {
            throw Rejected(cloudEvent, $"its upstream product id '{badUpstream.ProductId}' is not of the form <domain>.<name>");
        }

        // Locations are trusted only where the domain's registration says its data is: an event cannot point the
        // catalog (and the hub's redirects) at another domain's account or at a host the domain does not own.
        if (_domains is not null
            && (_domains.CheckStorageLocation(data.Domain, data.Location) ?? _domains.CheckDataEndpoint(data.Domain, ReleaseDataEndpoint.Of(cloudEvent))) is { } untrusted)
        {
            throw Rejected(cloudEvent, untrusted);
        }

        // A release without a manifest does not exist: a forged or stale event must not become "latest".
        if (_releases is not null && await _releases.VerifyAsync(data, cancellationToken).ConfigureAwait(false) is { } missing)
        {
            throw Rejected(cloudEvent, missing);
        }

        // The registration the release carries: the domain's own declaration of its product (the source's domain, which
        // the delivering topic vouches for), recorded unless the catalog holds a newer declaration (events come in any order).
        if (data.Registration is { } registration)
        {
            CheckRegistration(cloudEvent, data, registration);

            // A stamp too far ahead of the hub's clock would hold the product's declaration until that time: the
            // release is recorded all the same (it exists), its registration is not. Otherwise a stamped registration
            // is ordered by its stamp against the row's (a start-up registration of a newer deployment may be newer
            // than this release's); an unstamped one (announced before stamps) by the release.
            if (DeclaredAtProblem(registration) is { } problem)
            {
                LogRegistrationNotApplied(_logger, data.ProductId, data.Version, data.Release, problem);
            }
            else if (registration.DeclaredAt is not null || await IsNotOlderThanLatestAsync(data.Domain, data.Name, version, data.Release, cancellationToken).ConfigureAwait(false))
            {
                await RegisterProductAsync(registration, cancellationToken).ConfigureAwait(false);
            }
        }

        var productKey = CatalogKeys.Encode(data.ProductId);

        // Release and run rows first, the product's latest last: "latest" never points at a release row not yet written.
        var (quality, qualityOmitted) = CatalogJson.SerializeQuality(data.Quality);
        var (upstream, upstreamOmitted) = CatalogJson.SerializeList(data.Upstream);
        var (landing, landingOmitted) = CatalogJson.SerializeList(data.Landing);
        var release = new TableEntity(productKey, ReleaseRowKey.For(version, data.Version, data.Release))
        {
            [CatalogColumns.ProductId] = data.ProductId,
            [CatalogColumns.Version] = data.Version,
            [CatalogColumns.Release] = data.Release,
            [CatalogColumns.RunId] = data.RunId,
            [CatalogColumns.Location] = data.Location,
            [CatalogColumns.Rows] = data.Rows,
            [CatalogColumns.SchemaHash] = data.SchemaHash,
            [CatalogColumns.QualityPassed] = data.Quality.Passed,
            [CatalogColumns.Quality] = quality,
            [CatalogColumns.QualityRulesOmitted] = qualityOmitted,
            [CatalogColumns.Upstream] = upstream,
            [CatalogColumns.UpstreamOmitted] = upstreamOmitted,
            [CatalogColumns.Landing] = landing,
            [CatalogColumns.LandingOmitted] = landingOmitted,
            [CatalogColumns.PublishedAt] = data.PublishedAt,
            [CatalogColumns.EventId] = cloudEvent.Id,
        };
        AddInputs(release, data.Inputs);
        // Where the release's data is served (the domain app that announced it). A malformed value is left out rather
        // than rejecting the release: the release exists either way, only the hub's redirect to it is lost.
        if (ReleaseDataEndpoint.Of(cloudEvent) is { } dataEndpoint)
        {
            release[CatalogColumns.DataEndpoint] = dataEndpoint.AbsoluteUri;
        }

        // Releases announced before output modes carry no changes: the column stays absent and reads back as null.
        if (data.Changes is { } changes)
        {
            release[CatalogColumns.Changes] = CatalogJson.SerializeChanges(changes);
        }

        var releases = await TableAsync(CatalogTables.Releases, cancellationToken).ConfigureAwait(false);
        await releases.UpsertEntityAsync(release, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

        var run = new TableEntity(productKey, CatalogKeys.Encode(data.RunId))
        {
            [CatalogColumns.ProductId] = data.ProductId,
            [CatalogColumns.RunId] = data.RunId,
            [CatalogColumns.Status] = CatalogRunStatus.Published,
            [CatalogColumns.Stage] = "publish",
            [CatalogColumns.Version] = data.Version,
            [CatalogColumns.Release] = data.Release,
            [CatalogColumns.Quality] = quality,
            [CatalogColumns.QualityRulesOmitted] = qualityOmitted,
            [CatalogColumns.At] = data.PublishedAt,
            [CatalogColumns.EventId] = cloudEvent.Id,
            [CatalogColumns.Error] = data.Note is { } note ? CatalogJson.Truncate(note) : null,
        };
        AddStages(run, data.Stages);
        AddInputs(run, data.Inputs);
        AddOpenLineage(run, data.OpenLineage);
        var runs = await TableAsync(CatalogTables.Runs, cancellationToken).ConfigureAwait(false);
        var previous = await runs.GetEntityIfExistsAsync<TableEntity>(productKey, run.RowKey, [CatalogColumns.At], cancellationToken).ConfigureAwait(false);
        await runs.UpsertEntityAsync(run, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        await WriteRunByTimeAsync(run, data.PublishedAt, previous.HasValue ? previous.Value?.GetDateTimeOffset(CatalogColumns.At) : null, cancellationToken).ConfigureAwait(false);
        await WriteQualityHistoryAsync(data.ProductId, data.RunId, CatalogRunStatus.Published, data.Version, data.Release, data.PublishedAt, data.Quality, cancellationToken).ConfigureAwait(false);
        await ClearQuarantineAsync(productKey, data.Landing, data.PublishedAt, cancellationToken).ConfigureAwait(false);

        var lineage = new List<TableTransactionAction>();
        var lineageDownstream = new List<TableTransactionAction>();
        foreach (var upstreamProduct in data.Upstream.Select(u => u.ProductId).Distinct(StringComparer.Ordinal))
        {
            AddEdge(lineage, lineageDownstream, upstreamProduct, data.ProductId, CatalogColumns.Observed);
        }

        await CatalogBatches.SubmitAsync(await TableAsync(CatalogTables.Lineage, cancellationToken).ConfigureAwait(false), lineage, cancellationToken).ConfigureAwait(false);
        await CatalogBatches.SubmitAsync(await TableAsync(CatalogTables.LineageDownstream, cancellationToken).ConfigureAwait(false), lineageDownstream, cancellationToken).ConfigureAwait(false);

        var products = await TableAsync(CatalogTables.Products, cancellationToken).ConfigureAwait(false);
        await WriteConditionallyAsync(
            products,
            CatalogKeys.Encode(data.Domain),
            CatalogKeys.Encode(data.Name),
            TableUpdateMode.Merge,
            current => IsNewerThanLatest(version, data.Release, current)
                ? new TableEntity(CatalogKeys.Encode(data.Domain), CatalogKeys.Encode(data.Name))
                {
                    [CatalogColumns.ProductId] = data.ProductId,
                    [CatalogColumns.Domain] = data.Domain,
                    [CatalogColumns.Name] = data.Name,
                    [CatalogColumns.LatestVersion] = data.Version,
                    [CatalogColumns.LatestRelease] = data.Release,
                    [CatalogColumns.LatestRunId] = data.RunId,
                    [CatalogColumns.Rows] = data.Rows,
                    [CatalogColumns.Location] = data.Location,
                    [CatalogColumns.SchemaHash] = data.SchemaHash,
                    [CatalogColumns.PublishedAt] = data.PublishedAt,
                    [CatalogColumns.UpdatedAt] = _time.GetUtcNow(),
                }
                : null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A release's registration must be of the released product (whose domain the channel vouched for), and may only
    /// say what that product reads (<see cref="RegistrationProblem"/>). A domain cannot register another domain's
    /// product, nor a read of a product its own spec does not declare as an input.
    /// </summary>
    private static void CheckRegistration(CloudEvent cloudEvent, ProductVersionPublishedData data, ProductRegistration registration)
    {
        if (!string.Equals(registration.Domain, data.Domain, StringComparison.Ordinal) || !string.Equals(registration.Name, data.Name, StringComparison.Ordinal))
        {
            throw Rejected(cloudEvent, $"its registration is of '{registration.Domain}.{registration.Name}', not of the released product '{data.ProductId}' (a domain registers its own products only)");
        }

        if (RegistrationProblem(registration) is { } problem)
        {
            throw Rejected(cloudEvent, "its registration's " + problem);
        }
    }

    /// <summary>
    /// What a registration may not say, whoever sends it (a release event, or a domain app at start-up through
    /// <see cref="ProductRegistrationIntake"/>): an input that is not a product id, or a column read of a product that is
    /// not one of its declared inputs. Null when it says neither.
    /// </summary>
    internal static string? RegistrationProblem(ProductRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (registration.Inputs.FirstOrDefault(i => !ProductIds.TrySplit(i, out _, out _)) is { } badInput)
        {
            return $"input '{badInput}' is not a product id of the form <domain>.<name>";
        }

        var declared = registration.Inputs.ToHashSet(StringComparer.Ordinal);
        var undeclared = (registration.ColumnLineage?.Reads.Select(r => r.Product) ?? [])
            .Concat(registration.ColumnLineage?.Outputs.SelectMany(o => o.Sources).Select(s => s.Product) ?? [])
            .Concat(registration.ColumnLineage?.Dataset.Select(s => s.Product) ?? [])
            .OfType<string>()
            .FirstOrDefault(p => !declared.Contains(p));
        return undeclared is null ? null : $"column lineage reads '{undeclared}', which is not one of the product's declared inputs";
    }

    /// <summary>Whether <paramref name="version"/>#<paramref name="release"/> is the product's latest or newer (not an older release arriving late).</summary>
    private async Task<bool> IsNotOlderThanLatestAsync(string domain, string name, SemVersion version, int release, CancellationToken cancellationToken)
    {
        var products = await TableAsync(CatalogTables.Products, cancellationToken).ConfigureAwait(false);
        var current = await products.GetEntityIfExistsAsync<TableEntity>(
            CatalogKeys.Encode(domain), CatalogKeys.Encode(name), [CatalogColumns.LatestVersion, CatalogColumns.LatestRelease], cancellationToken).ConfigureAwait(false);
        return IsNewerThanLatest(version, release + 1, current.HasValue ? current.Value : null);
    }

    private async Task ApplyFailureAsync(CloudEvent cloudEvent, RunFailureData data, string status, CancellationToken cancellationToken)
    {
        CheckProduct(cloudEvent, data.ProductId, data.Domain, data.Name);
        var productKey = CatalogKeys.Encode(data.ProductId);
        var runKey = CatalogKeys.Encode(data.RunId);
        var (quarantined, quarantinedOmitted) = CatalogJson.SerializeList(data.Quarantined);
        var run = new TableEntity(productKey, runKey)
        {
            [CatalogColumns.ProductId] = data.ProductId,
            [CatalogColumns.RunId] = data.RunId,
            [CatalogColumns.Status] = status,
            [CatalogColumns.Stage] = data.Stage,
            [CatalogColumns.Error] = CatalogJson.Truncate(data.Error),
            [CatalogColumns.Version] = data.Version,
            [CatalogColumns.Quarantined] = quarantined,
            [CatalogColumns.QuarantinedOmitted] = quarantinedOmitted,
            [CatalogColumns.At] = data.FailedAt,
            [CatalogColumns.EventId] = cloudEvent.Id,
        };
        AddStages(run, data.Stages);
        AddInputs(run, data.Inputs);
        AddOpenLineage(run, data.OpenLineage);
        if (data.Quality is { } quality)
        {
            var (json, omitted) = CatalogJson.SerializeQuality(quality);
            run[CatalogColumns.Quality] = json;
            run[CatalogColumns.QualityRulesOmitted] = omitted;
        }

        var runs = await TableAsync(CatalogTables.Runs, cancellationToken).ConfigureAwait(false);

        // A release exists once published: a late or duplicate failure report for the same run does not hide it.
        DateTimeOffset? replacedAt = null;
        var written = await WriteConditionallyAsync(
            runs,
            productKey,
            runKey,
            TableUpdateMode.Replace,
            current =>
            {
                replacedAt = current?.GetDateTimeOffset(CatalogColumns.At);
                return current?.GetString(CatalogColumns.Status) == CatalogRunStatus.Published ? null : run;
            },
            cancellationToken).ConfigureAwait(false);
        if (written)
        {
            await WriteRunByTimeAsync(run, data.FailedAt, replacedAt, cancellationToken).ConfigureAwait(false);
        }

        if (written && data.Quality is { } failedQuality)
        {
            await WriteQualityHistoryAsync(data.ProductId, data.RunId, status, data.Version, release: null, data.FailedAt, failedQuality, cancellationToken).ConfigureAwait(false);
        }

        if (written)
        {
            await WriteQuarantineAsync(productKey, data, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A release whose landing lineage names a file quarantined before it (the file replayed, or dropped again fixed) takes
    /// it off the product's quarantine list: the catalog's list then matches the domain's container, which the replay
    /// emptied. A file quarantined after the release stays listed. Each file costs one range query on
    /// <see cref="CatalogTables.QuarantineByLanding"/> that reads only its own rows up to the release.
    /// </summary>
    private async Task ClearQuarantineAsync(string productKey, IReadOnlyList<LandingBlob> landing, DateTimeOffset publishedAt, CancellationToken cancellationToken)
    {
        var names = landing.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0)
        {
            return;
        }

        var quarantine = await TableAsync(CatalogTables.Quarantine, cancellationToken).ConfigureAwait(false);
        var byLanding = await TableAsync(CatalogTables.QuarantineByLanding, cancellationToken).ConfigureAwait(false);
        foreach (var name in names)
        {
            // Inverted time: quarantined at or before the release is a time key at or above the release's.
            var file = CatalogKeys.Encode(name);
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {productKey} and RowKey ge {QuarantineByLandingKey(file, publishedAt)} and RowKey le {file + "~" + new string('9', TimeKeyLength)}");
            await foreach (var row in byLanding.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                // A longer name that begins with this one's and "~" falls in the range too: its rest is more than a time key.
                var time = row.RowKey[(file.Length + 1)..];
                if (time.Length == TimeKeyLength && time.All(char.IsAsciiDigit))
                {
                    await DeleteIfPresentAsync(quarantine, productKey, $"{time}~{file}", cancellationToken).ConfigureAwait(false);
                    await DeleteIfPresentAsync(byLanding, productKey, row.RowKey, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>RowKey of a file's <see cref="CatalogTables.QuarantineByLanding"/> row: its encoded landing name, then the inverted time it was quarantined.</summary>
    private static string QuarantineByLandingKey(string encodedName, DateTimeOffset at) => $"{encodedName}~{TimeKey(at)}";

    private static async Task DeleteIfPresentAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Removed by a duplicate delivery of the same announcement.
        }
    }

    /// <summary>
    /// One <see cref="CatalogTables.Quarantine"/> row per file the failed run quarantined, with the announced reason (the
    /// domain redacted it: no value of a classified column) and the failed rules by name only (their samples hold rows).
    /// Keyed by the failure's time and the file, so a duplicate announcement rewrites the same rows.
    /// </summary>
    private async Task WriteQuarantineAsync(string productKey, RunFailureData data, CancellationToken cancellationToken)
    {
        // The files moved to quarantine, then those whose record only is there (the file kept in landing, never replayable).
        var moved = data.Quarantined.Distinct(StringComparer.Ordinal).ToList();
        var files = moved.Select(blob => (Blob: blob, Announced: data.QuarantinedFiles.FirstOrDefault(f => f.Blob == blob)))
            .Concat(data.QuarantinedFiles.Where(f => f.KeptInLanding && !moved.Contains(f.Blob, StringComparer.Ordinal)).DistinctBy(f => f.File, StringComparer.Ordinal).Select(f => (f.Blob, (QuarantinedInput?)f)))
            .ToList();
        if (files.Count == 0)
        {
            return;
        }

        var table = await TableAsync(CatalogTables.Quarantine, cancellationToken).ConfigureAwait(false);
        var byLanding = await TableAsync(CatalogTables.QuarantineByLanding, cancellationToken).ConfigureAwait(false);
        var failedRules = data.Quality?.BlockingFailures.Select(r => r.Name).ToList() ?? [];
        foreach (var (blob, announced) in files)
        {
            // What the domain said of the file (its quarantine name, whether it can be replayed, whether it stayed in
            // landing); an event of a version before that says nothing: replayability and whether it stayed unknown, and
            // the file is where QuarantineActivity puts it (a refused name under its safe one, never listed raw).
            var file = announced?.File ?? LandingBlobNames.QuarantineName(blob);

            // A refused name is quarantined (or its record kept) under a safe one; its original is only in the domain's .error.json.
            var landingName = announced is { KeptInLanding: true } || file.StartsWith(LandingBlobNames.RefusedNamesFolder, StringComparison.Ordinal) ? null : blob;
            if (landingName is not null)
            {
                // Indexed first: a row a release might clear is always found through the index.
                await byLanding.UpsertEntityAsync(new TableEntity(productKey, QuarantineByLandingKey(CatalogKeys.Encode(landingName), data.FailedAt)), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            var row = new TableEntity(productKey, $"{TimeKey(data.FailedAt)}~{CatalogKeys.Encode(file)}")
            {
                [CatalogColumns.ProductId] = data.ProductId,
                [CatalogColumns.File] = file,
                [CatalogColumns.LandingName] = landingName,
                [CatalogColumns.RunId] = data.RunId,
                [CatalogColumns.Version] = data.Version,
                [CatalogColumns.Stage] = data.Stage,
                [CatalogColumns.Error] = CatalogJson.Truncate(data.Error),
                [CatalogColumns.At] = data.FailedAt,
                [CatalogColumns.FailedRules] = System.Text.Json.JsonSerializer.Serialize(failedRules),
            };
            if (announced is not null)
            {
                row[CatalogColumns.Replayable] = announced.Replayable;
                row[CatalogColumns.NotReplayable] = announced.NotReplayable is { } why ? CatalogJson.Truncate(why) : null;
                row[CatalogColumns.KeptInLanding] = announced.KeptInLanding;
            }

            await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The run's copy in <see cref="CatalogTables.RunsByTime"/>, keyed by when it ended, so pages read newest first. A
    /// copy under an earlier time (the same run reported again with another time) is removed; should that removal be
    /// lost, readers skip a run id they have already shown.
    /// </summary>
    private async Task WriteRunByTimeAsync(TableEntity run, DateTimeOffset at, DateTimeOffset? previousAt, CancellationToken cancellationToken)
    {
        var table = await TableAsync(CatalogTables.RunsByTime, cancellationToken).ConfigureAwait(false);

        // Two copies: in the product's partition (its history) and in the mesh's (every product's, for operators' tools).
        var meshKey = $"{run.PartitionKey}~{run.RowKey}";
        foreach (var (partition, runKey) in new[] { (run.PartitionKey, run.RowKey), (CatalogKeys.MeshRunsPartition, meshKey) })
        {
            var copy = new TableEntity(run) { PartitionKey = partition, RowKey = RunTimeKey(at, runKey) };
            await table.UpsertEntityAsync(copy, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            if (previousAt is { } before && before != at)
            {
                try
                {
                    await table.DeleteEntityAsync(partition, RunTimeKey(before, runKey), ETag.All, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Never written, or removed by an earlier attempt.
                }
            }
        }
    }

    /// <summary>Time part of a newest-first key: ticks to the end of time, fixed width, so ordinal order is newest first.</summary>
    internal static string TimeKey(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The digits of every <see cref="TimeKey"/>.</summary>
    private const int TimeKeyLength = 19;

    /// <summary>RowKey of a run in <see cref="CatalogTables.RunsByTime"/>: newest first, then by run key.</summary>
    internal static string RunTimeKey(DateTimeOffset at, string runKey) => $"{TimeKey(at)}~{runKey}";

    /// <summary>The run's stage timeline as JSON on its row, when the event carries one.</summary>
    private static void AddStages(TableEntity run, IReadOnlyList<StageTiming> stages)
    {
        if (stages.Count > 0)
        {
            var (json, omitted) = CatalogJson.SerializeList(stages);
            run[CatalogColumns.Stages] = json;
            run[CatalogColumns.StagesOmitted] = omitted;
        }
    }

    /// <summary>How the run read its inputs (schema declared or auto-detected, drift) as JSON on a release or run row, when the event carries it.</summary>
    private static void AddInputs(TableEntity row, IReadOnlyList<InputReport> inputs)
    {
        if (inputs.Count > 0)
        {
            var (json, omitted) = CatalogJson.SerializeList(inputs);
            row[CatalogColumns.Inputs] = json;
            row[CatalogColumns.InputsOmitted] = omitted;
        }
    }

    /// <summary>The run's OpenLineage events as JSON on its row; without their dataset facets when the whole does not fit.</summary>
    private static void AddOpenLineage(TableEntity run, IReadOnlyList<System.Text.Json.Nodes.JsonObject> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var json = new System.Text.Json.Nodes.JsonArray([.. events.Select(e => e.DeepClone())]);
        var text = json.ToJsonString();
        var trimmed = false;
        if (text.Length > CatalogJson.MaxStringLength)
        {
            foreach (var dataset in json.OfType<System.Text.Json.Nodes.JsonObject>()
                .SelectMany(e => new[] { e["inputs"], e["outputs"] }).OfType<System.Text.Json.Nodes.JsonArray>().SelectMany(a => a).OfType<System.Text.Json.Nodes.JsonObject>())
            {
                dataset.Remove("facets");
                dataset.Remove("inputFacets");
                dataset.Remove("outputFacets");
            }

            text = json.ToJsonString();
            trimmed = true;
        }

        if (text.Length <= CatalogJson.MaxStringLength)
        {
            run[CatalogColumns.OpenLineage] = text;
            run[CatalogColumns.OpenLineage + "Trimmed"] = trimmed;
        }
    }

    /// <summary>Which release a freshness breach is about: <c>version#release</c>, or <c>none</c> before the first.</summary>
    internal static string StaleReleaseKey(string? version, int? release) =>
        release is { } number && version is not null ? $"{version}#{number.ToString(CultureInfo.InvariantCulture)}" : "none";

    /// <summary>One row per rule of the run's quality summary, written in transactions (a contract may have hundreds of rules).</summary>
    private async Task WriteQualityHistoryAsync(
        string productId, string runId, string status, string version, int? release, DateTimeOffset at, QualitySummary quality, CancellationToken cancellationToken)
    {
        var productKey = CatalogKeys.Encode(productId);
        var runKey = CatalogKeys.Encode(runId);
        var actions = quality.Rules.Select((rule, index) => new TableTransactionAction(
            TableTransactionActionType.UpsertReplace,
            new TableEntity(productKey, QualityRowKey(at, runKey, index))
            {
                [CatalogColumns.ProductId] = productId,
                [CatalogColumns.RunId] = runId,
                [CatalogColumns.Status] = status,
                [CatalogColumns.Version] = version,
                [CatalogColumns.Release] = release,
                [CatalogColumns.At] = at,
                [CatalogColumns.QualityPassed] = quality.Passed,
                [CatalogColumns.Rows] = quality.Rows,
                [CatalogColumns.RuleIndex] = index,
                [CatalogColumns.Rule] = CatalogJson.Truncate(rule.Name),
                [CatalogColumns.Property] = rule.Property is null ? null : CatalogJson.Truncate(rule.Property),
                [CatalogColumns.Metric] = rule.Metric,
                [CatalogColumns.Severity] = rule.Severity,
                [CatalogColumns.Measured] = rule.Measured.ToString(CultureInfo.InvariantCulture),
                [CatalogColumns.Unit] = rule.Unit,
                [CatalogColumns.Expectation] = CatalogJson.Truncate(rule.Expectation),
                [CatalogColumns.Passed] = rule.Passed,
                [CatalogColumns.FailedRows] = rule.FailedRows,
            })).ToList();
        if (actions.Count == 0)
        {
            return;
        }

        var table = await TableAsync(CatalogTables.QualityHistory, cancellationToken).ConfigureAwait(false);
        await CatalogBatches.SubmitAsync(table, actions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RowKey of one rule result: newest run first, each run's rows together and in rule order.</summary>
    internal static string QualityRowKey(DateTimeOffset at, string runKey, int index) => $"{RunTimeKey(at, runKey)}~{index.ToString("D5", CultureInfo.InvariantCulture)}";

    /// <summary>An edge upstream → downstream, in both lineage tables; <paramref name="flag"/> says how it is known (merged, never cleared).</summary>
    private static void AddEdge(List<TableTransactionAction> lineage, List<TableTransactionAction> lineageDownstream, string upstream, string downstream, string flag, string? versions = null)
    {
        TableEntity Edge(string partitionKey, string rowKey)
        {
            var edge = new TableEntity(partitionKey, rowKey)
            {
                [CatalogColumns.UpstreamProduct] = upstream,
                [CatalogColumns.DownstreamProduct] = downstream,
                [flag] = true,
            };
            if (versions is not null)
            {
                // The declared range, as the spec says it now (a registration rewrites it).
                edge[CatalogColumns.Versions] = versions;
            }

            return edge;
        }

        lineage.Add(new TableTransactionAction(TableTransactionActionType.UpsertMerge, Edge(CatalogKeys.Encode(downstream), CatalogKeys.Encode(upstream))));
        lineageDownstream.Add(new TableTransactionAction(TableTransactionActionType.UpsertMerge, Edge(CatalogKeys.Encode(upstream), CatalogKeys.Encode(downstream))));
    }

    /// <summary>
    /// Read, decide, write with the read ETag (optimistic concurrency). <paramref name="decide"/> returns the
    /// entity to write (merged or replacing per <paramref name="mode"/>), or null to leave the row as it is.
    /// </summary>
    private static async Task<bool> WriteConditionallyAsync(
        TableClient table,
        string partitionKey,
        string rowKey,
        TableUpdateMode mode,
        Func<TableEntity?, TableEntity?> decide,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            var current = response.HasValue ? response.Value : null;
            if (decide(current) is not { } entity)
            {
                return false;
            }

            entity.PartitionKey = partitionKey;
            entity.RowKey = rowKey;
            try
            {
                if (current is null)
                {
                    await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await table.UpdateEntityAsync(entity, current.ETag, mode, cancellationToken).ConfigureAwait(false);
                }

                return true;
            }
            catch (RequestFailedException ex) when ((ex.Status is 409 or 412) && attempt < MaxConditionalAttempts)
            {
                // Another writer got there first: read again and decide again.
            }
        }
    }

    private static bool IsNewerThanLatest(SemVersion version, int release, TableEntity? current)
    {
        if (current?.GetString(CatalogColumns.LatestVersion) is not { } latestText
            || current.GetInt32(CatalogColumns.LatestRelease) is not { } latestRelease
            || !SemVersion.TryParse(latestText, SemVersionStyles.Strict, out var latest))
        {
            return true;
        }

        var byVersion = SemVersion.ComparePrecedence(version, latest);
        return byVersion > 0 || (byVersion == 0 && release > latestRelease);
    }

    private static T Read<T>(CloudEvent cloudEvent)
    {
        try
        {
            return ProductEventJson.ReadData<T>(cloudEvent);
        }
        catch (FormatException ex)
        {
            throw new CatalogEventRejectedException($"{Describe(cloudEvent)} was rejected: {ex.Message}", ex);
        }
    }

    private static void CheckProduct(CloudEvent cloudEvent, string productId, string domain, string name)
    {
        if (productId != $"{domain}.{name}")
        {
            throw Rejected(cloudEvent, $"its product id '{productId}' does not match domain '{domain}' and name '{name}'");
        }

        var expected = ProductEventTypes.Source(domain, name);
        if (cloudEvent.Source != expected)
        {
            throw Rejected(cloudEvent, $"its source does not match its data (expected '{expected}')");
        }
    }

    private static SemVersion ParseVersion(CloudEvent cloudEvent, string version)
    {
        if (!SemVersion.TryParse(version, SemVersionStyles.Strict, out var parsed) || !ReleaseRowKey.Supports(parsed))
        {
            throw Rejected(cloudEvent, $"its version '{version}' is not a semantic version (e.g. 1.2.0)");
        }

        return parsed;
    }

    private static CatalogEventRejectedException Rejected(CloudEvent cloudEvent, string reason) =>
        new($"{Describe(cloudEvent)} was rejected: {reason}.");

    private static string Describe(CloudEvent cloudEvent) =>
        $"Event '{cloudEvent.Id}' of type '{cloudEvent.Type}' from '{cloudEvent.Source}'";

    private async Task<TableClient> TableAsync(string name, CancellationToken cancellationToken)
    {
        if (_ready.TryGetValue(name, out var ready))
        {
            return ready;
        }

        var table = _storage.Table(name);
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        return _ready.GetOrAdd(name, table);
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Catalog recorded release {Version}#{Release} of {ProductId} without applying its registration: its {Problem}")]
    private static partial void LogRegistrationNotApplied(ILogger logger, string productId, string version, int release, string problem);
}

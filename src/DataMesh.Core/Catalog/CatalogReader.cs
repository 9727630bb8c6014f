using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
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

    /// <summary>A product's releases, newest first: highest semver, then highest release number.</summary>
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

    /// <summary>A product's announced runs, most recent first.</summary>
    public async Task<IReadOnlyList<CatalogRun>> GetRunsAsync(string productId, CancellationToken cancellationToken = default)
    {
        SplitProductId(productId);
        var rows = await QueryAsync(_storage.Table(CatalogTables.Runs), PartitionFilter(productId), cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToRun).OrderByDescending(r => r.At).ThenBy(r => r.RunId, StringComparer.Ordinal)];
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
        Visibility = row.GetString(CatalogColumns.Visibility),
        Freshness = row.GetString(CatalogColumns.Freshness) is { Length: > 0 } freshness ? freshness : null,
        RegisteredAt = row.GetDateTimeOffset(CatalogColumns.RegisteredAt),
        LatestVersion = row.GetString(CatalogColumns.LatestVersion),
        LatestRelease = row.GetInt32(CatalogColumns.LatestRelease),
        LatestRunId = row.GetString(CatalogColumns.LatestRunId),
        Rows = row.GetInt64(CatalogColumns.Rows),
        Location = row.GetString(CatalogColumns.Location),
        SchemaHash = row.GetString(CatalogColumns.SchemaHash),
        PublishedAt = row.GetDateTimeOffset(CatalogColumns.PublishedAt),
        UpdatedAt = row.GetDateTimeOffset(CatalogColumns.UpdatedAt),
    };

    private static CatalogRelease ToRelease(TableEntity row) => new()
    {
        ProductId = row.GetString(CatalogColumns.ProductId),
        Version = row.GetString(CatalogColumns.Version),
        Release = row.GetInt32(CatalogColumns.Release) ?? 0,
        RunId = row.GetString(CatalogColumns.RunId),
        Location = row.GetString(CatalogColumns.Location),
        Rows = row.GetInt64(CatalogColumns.Rows) ?? 0,
        SchemaHash = row.GetString(CatalogColumns.SchemaHash),
        QualityPassed = row.GetBoolean(CatalogColumns.QualityPassed) ?? false,
        Quality = row.GetString(CatalogColumns.Quality) is { } quality ? CatalogJson.Deserialize<QualitySummary>(quality) : null,
        QualityRulesOmitted = row.GetInt32(CatalogColumns.QualityRulesOmitted) ?? 0,
        Upstream = row.GetString(CatalogColumns.Upstream) is { } upstream ? CatalogJson.Deserialize<List<UpstreamRelease>>(upstream) : [],
        UpstreamOmitted = row.GetInt32(CatalogColumns.UpstreamOmitted) ?? 0,
        Landing = row.GetString(CatalogColumns.Landing) is { } landing ? CatalogJson.Deserialize<List<LandingBlob>>(landing) : [],
        LandingOmitted = row.GetInt32(CatalogColumns.LandingOmitted) ?? 0,
        PublishedAt = row.GetDateTimeOffset(CatalogColumns.PublishedAt) ?? DateTimeOffset.MinValue,
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
        At = row.GetDateTimeOffset(CatalogColumns.At) ?? DateTimeOffset.MinValue,
    };
}

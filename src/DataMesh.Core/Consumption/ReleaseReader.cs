using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataMesh.Engine;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using Semver;

namespace DataMesh.Consumption;

/// <summary>
/// Reads published releases for consumers: picks the release a selector names (newest in a version range, or one
/// exact <c>VERSION#RELEASE</c>), keeps its Parquet files in a local <see cref="ReleaseCache"/> (bounded, least
/// recently used evicted) and runs sandboxed DuckDB over them, or streams one file from storage. Shared by
/// <c>datamesh query</c> and the catalog API.
/// </summary>
public sealed class ReleaseReader
{
    /// <summary>Most rows one page of <see cref="ReadPageAsync"/> returns.</summary>
    public const int MaxPageSize = 1000;

    private readonly MeshStorage _storage;
    private readonly ReleaseCache _cache;

    /// <summary>Where files with a deletion file are applied once for every release cache folder that needs them (default <see cref="DeletionFileCache.Shared"/>).</summary>
    public DeletionFileCache? AppliedDeletes { get; init; }

    /// <summary>
    /// The slots its DuckDB sessions take (<see cref="SessionLimits.Gate"/>): the process's budget of sessions outside
    /// runs (<see cref="SideSessionGate.Process"/>, the default); a page that gets none in time fails with
    /// <see cref="EngineBusyException"/>.
    /// </summary>
    public SideSessionGate SessionGate { get; init; } = SideSessionGate.Process;

    /// <param name="storage">The mesh's storage (each domain's <c>products</c> container).</param>
    /// <param name="cacheDirectory">Where release files are kept between reads; default a folder under the temp path.</param>
    public ReleaseReader(MeshStorage storage, string? cacheDirectory = null)
        : this(storage, new ReleaseCache(cacheDirectory is null ? null : new ReleaseCacheOptions { Directory = cacheDirectory }))
    {
    }

    /// <param name="storage">The mesh's storage (each domain's <c>products</c> container).</param>
    /// <param name="cache">Where release files are kept between reads, and how many.</param>
    public ReleaseReader(MeshStorage storage, ReleaseCache cache)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(cache);
        _storage = storage;
        _cache = cache;
    }

    /// <summary>Splits <c>ID[@SELECTOR]</c> (e.g. <c>finance.ledger-emea@^1</c>, <c>finance.ledger-emea@1.0.0#2</c>).</summary>
    public static (string ProductId, string? Selector) ParseTarget(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var at = target.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (target, null) : (target[..at], target[(at + 1)..]);
    }

    /// <summary>
    /// The release <paramref name="selector"/> names: <c>VERSION#RELEASE</c> exactly, or the newest release in an npm
    /// range (null or empty: any). Null when no published release matches.
    /// </summary>
    /// <exception cref="FormatException">The product id or the selector cannot be read.</exception>
    /// <exception cref="ReleaseExpiredException">The exact release named fell outside its product's retention.</exception>
    public async Task<ReleaseSelection?> SelectAsync(string productId, string? selector, CancellationToken cancellationToken = default)
    {
        if (!ProductIds.TrySplit(productId, out var domain, out var name))
        {
            throw new FormatException($"'{productId}' is not a product id (<domain>.<name>).");
        }

        var store = new ReleaseStore(_storage.Products(domain));
        if (selector is not null && selector.Contains('#', StringComparison.Ordinal))
        {
            var parts = selector.Split('#');
            if (parts.Length != 2 || !SemVersion.TryParse(parts[0], SemVersionStyles.Strict, out _)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                throw new FormatException($"'{selector}' is not VERSION#RELEASE (e.g. 1.0.0#2).");
            }

            var folder = ReleaseStore.Folder(name, parts[0], number);
            var exact = await store.ReadManifestAsync(folder, cancellationToken).ConfigureAwait(false);

            // An expired release keeps its manifest, so time travel to it is told the retention rule, not "no release".
            if (exact is not null && await ReleaseExpiry.ReadAsync(store.Container, folder, cancellationToken).ConfigureAwait(false) is { } expiry)
            {
                throw new ReleaseExpiredException(expiry);
            }

            return exact is null ? null : new ReleaseSelection(productId, domain, exact.Version, exact.Release, folder, exact);
        }

        var text = string.IsNullOrWhiteSpace(selector) ? "*" : selector;
        if (!SemVersionRange.TryParseNpm(text, out var range))
        {
            throw new FormatException($"'{selector}' is not a version range (e.g. ^1, ~1.2, 1.x) nor VERSION#RELEASE.");
        }

        if (await store.LatestReleaseAsync(name, range.Contains, cancellationToken).ConfigureAwait(false) is not { } found
            || await store.ReadManifestAsync(found.Folder, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return null;
        }

        var newest = await store.LatestReleaseAsync(name, _ => true, cancellationToken).ConfigureAwait(false);
        return new ReleaseSelection(productId, domain, found.Version, found.Release, found.Folder, manifest)
        {
            NewerOutsideRange = newest is { } n && n.Version != found.Version ? $"{n.Version}#{n.Release}" : null,
        };
    }

    /// <summary>
    /// The release's data files on this machine (downloaded once, then served from the cache), in manifest order, held
    /// against eviction until the lease is disposed: dispose it when done reading them.
    /// </summary>
    public async Task<ReleaseCacheLease> EnsureLocalAsync(ReleaseSelection release, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        var store = new ReleaseStore(_storage.Products(release.Domain));
        // The whole snapshot: files the release wrote and files of earlier releases it references, each under its
        // snapshot path, so two files of the same name from different releases never collide.
        var files = release.Files;
        return await _cache.AcquireAsync(
            CacheKey(store, release),
            files,
            (folder, token) => ReleaseSnapshot.DownloadAsync(store.Container, files, folder, AppliedDeletes, token),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A data file of the release, or <paramref name="length"/> bytes of it from <paramref name="offset"/>, streamed
    /// from storage without a local copy (memory stays bounded whatever the file's size). The stream fails with
    /// <see cref="InvalidDataException"/> when the blob's length differs from the manifest's and, for the whole file,
    /// before its last bytes when its SHA-256 differs from the manifest's. The caller disposes it.
    /// </summary>
    /// <exception cref="InvalidDataException">The blob's length is not the manifest's.</exception>
    public async Task<Stream> OpenFileAsync(ReleaseSelection release, ReleaseFile file, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, file.Size);
        var name = $"{release.ProductId} {release.Version}#{release.Release} file '{file.SnapshotPath(release.Version)}'";
        if (length == 0)
        {
            return new ReleaseFileStream(Stream.Null, 0, sha256: null, name);
        }

        var store = new ReleaseStore(_storage.Products(release.Domain));
        // A referenced file is read where the release that wrote it put it.
        var (content, blobLength) = await store.OpenFileAsync("", ReleaseStore.FileBlobName(release.ProductName, release.Version, release.Release, file), offset, length, cancellationToken).ConfigureAwait(false);
        if (blobLength != file.Size)
        {
            await content.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"{name} is {blobLength} bytes in storage but {file.Size} in the release's manifest: the release is damaged; republish it.");
        }

        var whole = offset == 0 && length == file.Size;
        return new ReleaseFileStream(content, length, whole ? file.Sha256 : null, name);
    }

    /// <summary>
    /// A locked DuckDB session with the release as a view named after the product (<c>ledger-emea</c> → <c>ledger_emea</c>),
    /// able to read only the release's cached files (from <see cref="EnsureLocalAsync"/>) and write only under
    /// <paramref name="outputDirectory"/>.
    /// </summary>
    /// <remarks>DuckDB is interrupted when <paramref name="cancellationToken"/> is cancelled, in any statement of the session.</remarks>
    public DuckDbSession OpenSession(ReleaseSelection release, IReadOnlyList<string> files, string scratchDirectory, string? outputDirectory = null, bool preserveOrder = false, CancellationToken cancellationToken = default)
    {
        var (options, view) = SessionOptions(release, files, scratchDirectory, outputDirectory, preserveOrder, cancellationToken);
        return DuckDbSession.OpenLocked(options, view);
    }

    /// <summary>
    /// The session <see cref="OpenSession"/> opens, awaiting its slot of <see cref="SessionGate"/> without holding a
    /// thread (<see cref="DuckDbSession.OpenLockedAsync"/>): pages waiting for a slot leave the thread pool to the work that frees one.
    /// </summary>
    /// <exception cref="EngineBusyException">No slot freed within the gate's wait: nothing was opened; retry later.</exception>
    public Task<DuckDbSession> OpenSessionAsync(ReleaseSelection release, IReadOnlyList<string> files, string scratchDirectory, string? outputDirectory = null, bool preserveOrder = false, CancellationToken cancellationToken = default)
    {
        var (options, view) = SessionOptions(release, files, scratchDirectory, outputDirectory, preserveOrder, cancellationToken);
        return DuckDbSession.OpenLockedAsync(options, view);
    }

    private (DuckDbSessionOptions Options, string View) SessionOptions(ReleaseSelection release, IReadOnlyList<string> files, string scratchDirectory, string? outputDirectory, bool preserveOrder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(files);
        var folder = CacheFolder(new ReleaseStore(_storage.Products(release.Domain)), release);
        return (
            new DuckDbSessionOptions
            {
                AllowedDirectories = outputDirectory is null ? [folder] : [folder, outputDirectory],
                TempDirectory = Path.Combine(scratchDirectory, "tmp"),
                Limits = EngineLimits.Process.Side with { Gate = SessionGate },
                PreserveInsertionOrder = preserveOrder,
                Cancellation = cancellationToken,
            },
            $"CREATE VIEW {Sql.Identifier(ViewName(release.ProductId))} AS SELECT * FROM read_parquet({Sql.List(files)})");
    }

    /// <summary>
    /// One page of the release's rows in file order, each row a JSON object (DuckDB's own JSON rendering of its
    /// values), with the column names and types and the release's total row count.
    /// </summary>
    public async Task<ReleasePage> ReadPageAsync(ReleaseSelection release, long offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        using var local = await EnsureLocalAsync(release, cancellationToken).ConfigureAwait(false);
        var scratch = Path.Combine(Path.GetTempPath(), "datamesh-read-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // The caller's time limit reaches DuckDB too: a slow page is stopped, not left running after the answer.
            using var session = await OpenSessionAsync(release, local.Files, scratch, preserveOrder: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            var view = Sql.Identifier(ViewName(release.ProductId));
            var columns = session.Query($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {view})", r => new ReleaseColumn(r.GetString(0), r.GetString(1)));
            var rows = new JsonArray();
            foreach (var json in session.Query(
                $"SELECT CAST(to_json(t) AS VARCHAR) FROM (SELECT * FROM {view} LIMIT {limit.ToString(CultureInfo.InvariantCulture)} OFFSET {offset.ToString(CultureInfo.InvariantCulture)}) t",
                r => r.GetString(0)))
            {
                rows.Add(JsonNode.Parse(json));
            }

            return new ReleasePage(columns, rows, offset, limit, release.Manifest.Rows);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>The view name of a product in consumer SQL: its name with <c>-</c> as <c>_</c>.</summary>
    public static string ViewName(string productId)
    {
        ArgumentNullException.ThrowIfNull(productId);
        var name = ProductIds.TrySplit(productId, out _, out var n) ? n : productId;
        return name.Replace('-', '_');
    }

    private string CacheFolder(ReleaseStore store, ReleaseSelection release) => Path.Combine(_cache.Directory, CacheKey(store, release));

    private static string CacheKey(ReleaseStore store, ReleaseSelection release) => CacheKey(store.Container, release.Folder);

    /// <summary>
    /// The cache folder of a release: one per release location, named by the account, the container's path and the folder — never the
    /// endpoint's URL, whose port changes at each start of the local mesh's Azurite (a new key would download every
    /// release again and leave the old copies to eviction). The account is part of it, so meshes never share files.
    /// "v3": folders of earlier layouts (keyed by URL; "v2" filled whole, "v1" file by file) are never taken for these.
    /// </summary>
    internal static string CacheKey(Azure.Storage.Blobs.BlobContainerClient container, string folder) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{StorageAccountName.Of(container.Uri)}\n{container.Uri.AbsolutePath}\n{folder}\nv3")))[..32];
}

/// <summary>A release picked for reading: where it is and its manifest.</summary>
public sealed record ReleaseSelection(string ProductId, string Domain, string Version, int Release, string Folder, ReleaseManifest Manifest)
{
    /// <summary>The product's name without its domain (<c>ledger-emea</c>).</summary>
    public string ProductName => ProductIds.TrySplit(ProductId, out _, out var name) ? name : ProductId;

    /// <summary>Every data file of the release's snapshot, where it lives and its name within the snapshot, in manifest order.</summary>
    public IReadOnlyList<SnapshotFile> Files => ReleaseSnapshot.Files(ProductName, Manifest);

    /// <summary>
    /// The manifest's file named <paramref name="snapshotPath"/> (<see cref="ReleaseFile.SnapshotPath"/>: its path for
    /// a file the release wrote, <c>VERSION/RELEASE/PATH</c> for one it references), or the deletion file of one
    /// (<see cref="ReleaseFile.Deletes"/>: a reader of raw files drops the positions it lists); compared, never resolved.
    /// </summary>
    public ReleaseFile? FindFile(string snapshotPath) =>
        Manifest.Files.SelectMany(f => f.Deletes is { } deletes ? new[] { f, deletes } : [f])
            .FirstOrDefault(f => string.Equals(f.SnapshotPath(Version), snapshotPath, StringComparison.Ordinal));

    /// <summary>The newest release when it lies outside the requested range (<c>VERSION#RELEASE</c>): the reader is pinned behind it.</summary>
    public string? NewerOutsideRange { get; init; }
}

/// <summary>A column of a release as DuckDB types it.</summary>
public sealed record ReleaseColumn(string Name, string Type);

/// <summary>One page of a release's rows.</summary>
public sealed record ReleasePage(IReadOnlyList<ReleaseColumn> Columns, JsonArray Rows, long Offset, int Limit, long Total);

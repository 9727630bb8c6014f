using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace DataMesh.Publishing;

/// <summary>
/// The <c>products</c> container of a domain: <c>&lt;product&gt;/&lt;version&gt;/&lt;release&gt;/part-*.parquet</c> then
/// <c>_manifest.json</c>. Release numbers are claimed with create-only blobs, so racing runs never share one.
/// </summary>
public sealed class ReleaseStore(BlobContainerClient products)
{
    /// <summary>Name of the manifest blob inside a release folder.</summary>
    public const string ManifestName = "_manifest.json";

    /// <summary>Name of the blob claiming a release number for a run (create-only), inside the release folder.</summary>
    internal const string ClaimName = "_claim";
    private const string RunIdMetadata = "runid";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public BlobContainerClient Container { get; } = products;

    /// <summary>The release folder prefix, e.g. <c>ledger-emea/1.2.0/3/</c>.</summary>
    public static string Folder(string productName, string version, int release) => $"{productName}/{version}/{release}/";

    /// <summary>
    /// The blob name of a data file of release <paramref name="release"/> (version <paramref name="version"/>): in that
    /// release's folder when it wrote the file, else in the folder of the earlier release it references.
    /// </summary>
    public static string FileBlobName(string productName, string version, int release, ReleaseFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Folder(productName, file.Version ?? version, file.Release ?? release) + file.Path;
    }

    /// <summary>
    /// Returns the release number this run owns under <paramref name="version"/>: the one it claimed before
    /// (a retried activity), else the next free number, claimed create-only so two runs can never get the same.
    /// </summary>
    public Task<int> ClaimReleaseAsync(string productName, string version, string runId, CancellationToken cancellationToken = default) =>
        ClaimReleaseAboveAsync(productName, version, runId, above: 0, cancellationToken);

    /// <summary>
    /// As <see cref="ClaimReleaseAsync"/>, but only a number above <paramref name="above"/> (the newest release the
    /// snapshot is built on): a run whose earlier claim fell behind a release published since (it died between claim and
    /// manifest, and another run published meanwhile) claims a new number, so a release never sorts before its base.
    /// </summary>
    public async Task<int> ClaimReleaseAboveAsync(string productName, string version, string runId, int above, CancellationToken cancellationToken = default)
    {
        var (highest, owned) = await ClaimsAsync(productName, version, runId, cancellationToken).ConfigureAwait(false);
        if (owned is int mine && mine > above)
        {
            return mine;
        }

        for (var candidate = Math.Max(highest, above) + 1; ; candidate++)
        {
            var claim = Container.GetBlobClient(Folder(productName, version, candidate) + ClaimName);
            try
            {
                await claim.UploadAsync(
                    BinaryData.FromString(runId),
                    new BlobUploadOptions
                    {
                        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                        Metadata = new Dictionary<string, string> { [RunIdMetadata] = runId },
                    },
                    cancellationToken).ConfigureAwait(false);
                return candidate;
            }
            catch (RequestFailedException ex) when (ex.Status == 409 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
            {
                // Another run claimed this number first: take the next one.
            }
        }
    }

    /// <summary>The highest release number run <paramref name="runId"/> claimed under <paramref name="version"/>, or null; claims nothing.</summary>
    public async Task<int?> FindClaimAsync(string productName, string version, string runId, CancellationToken cancellationToken = default) =>
        (await ClaimsAsync(productName, version, runId, cancellationToken).ConfigureAwait(false)).Owned;

    /// <summary>The highest release number used under the version, and the highest one <paramref name="runId"/> claimed.</summary>
    private async Task<(int Highest, int? Owned)> ClaimsAsync(string productName, string version, string runId, CancellationToken cancellationToken)
    {
        var highest = 0;
        int? owned = null;
        await foreach (var blob in Container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = $"{productName}/{version}/" }, cancellationToken).ConfigureAwait(false))
        {
            if (!TryParseRelease(blob.Name, productName, version, out var release, out var file))
            {
                continue;
            }

            highest = Math.Max(highest, release);
            if (file == ClaimName && blob.Metadata.TryGetValue(RunIdMetadata, out var owner) && owner == runId)
            {
                owned = Math.Max(owned ?? 0, release);
            }
        }

        return (highest, owned);
    }

    /// <summary>Uploads a data file into the release folder (overwrites: the folder belongs to this run until its manifest exists).</summary>
    public async Task<ReleaseFile> UploadFileAsync(string folder, string relativePath, string localFile, CancellationToken cancellationToken = default)
    {
        var blob = Container.GetBlobClient(folder + relativePath);
        await using (var stream = File.OpenRead(localFile))
        {
            await blob.UploadAsync(stream, overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        return new ReleaseFile(relativePath, new FileInfo(localFile).Length, await FileHash.Sha256Async(localFile, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Writes the manifest create-only. When it already exists (a retried publish), returns the stored one if this
    /// same run wrote it, and refuses otherwise: a release is never overwritten.
    /// </summary>
    public async Task<ReleaseManifest> WriteManifestAsync(string folder, ReleaseManifest manifest, CancellationToken cancellationToken = default)
    {
        var blob = Container.GetBlobClient(folder + ManifestName);
        try
        {
            await blob.UploadAsync(
                BinaryData.FromObjectAsJson(manifest, Json),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                },
                cancellationToken).ConfigureAwait(false);
            return manifest;
        }
        catch (RequestFailedException ex) when (ex.Status == 409 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            var existing = await ReadManifestAsync(folder, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Manifest {folder}{ManifestName} vanished while being read.");
            return existing.RunId == manifest.RunId
                ? existing
                : throw new InvalidOperationException($"Release {folder} already belongs to run {existing.RunId}; it is never overwritten.");
        }
    }

    /// <summary>The manifest of a release folder, or null when the release does not exist (yet).</summary>
    public async Task<ReleaseManifest?> ReadManifestAsync(string folder, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await Container.GetBlobClient(folder + ManifestName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToObjectFromJson<ReleaseManifest>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Releases of a version that exist (have a manifest) and have not expired (<see cref="ReleaseExpiry"/>), lowest first.</summary>
    public async Task<IReadOnlyList<int>> ListReleasesAsync(string productName, string version, CancellationToken cancellationToken = default)
    {
        var releases = new List<int>();
        var expired = new HashSet<int>();
        await foreach (var blob in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{productName}/{version}/" }, cancellationToken).ConfigureAwait(false))
        {
            if (TryParseRelease(blob.Name, productName, version, out var release, out var file))
            {
                if (file == ManifestName)
                {
                    releases.Add(release);
                }
                else if (file == ReleaseExpiry.MarkerName)
                {
                    expired.Add(release);
                }
            }
        }

        releases.RemoveAll(expired.Contains);
        releases.Sort();
        return releases;
    }

    /// <summary>
    /// The newest existing release (highest version, then highest release number) among versions accepted by
    /// <paramref name="versionFilter"/>; null when there is none. Lists folders, not files: the versions of the product,
    /// then the release folders of the newest candidate version, checking manifests from the highest number down
    /// (a claimed release without a manifest does not exist yet) — a few requests however many releases and files the
    /// product has.
    /// </summary>
    public async Task<(string Version, int Release, string Folder)?> LatestReleaseAsync(string productName, Func<Semver.SemVersion, bool> versionFilter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versionFilter);
        var versions = new List<Semver.SemVersion>();
        await foreach (var name in SubfoldersAsync(productName + "/", cancellationToken).ConfigureAwait(false))
        {
            if (Semver.SemVersion.TryParse(name, Semver.SemVersionStyles.Strict, out var version) && versionFilter(version))
            {
                versions.Add(version);
            }
        }

        versions.Sort((a, b) => b.ComparePrecedenceTo(a));
        foreach (var version in versions.Select(v => v.ToString()))
        {
            var releases = new List<int>();
            await foreach (var name in SubfoldersAsync($"{productName}/{version}/", cancellationToken).ConfigureAwait(false))
            {
                if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var release))
                {
                    releases.Add(release);
                }
            }

            foreach (var release in releases.OrderDescending())
            {
                var folder = Folder(productName, version, release);
                if (await Container.GetBlobClient(folder + ManifestName).ExistsAsync(cancellationToken).ConfigureAwait(false))
                {
                    return (version, release, folder);
                }
            }
        }

        return null;
    }

    /// <summary>The names of the folders directly under <paramref name="prefix"/> (a hierarchical listing).</summary>
    private async IAsyncEnumerable<string> SubfoldersAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in Container.GetBlobsByHierarchyAsync(new GetBlobsByHierarchyOptions { Prefix = prefix, Delimiter = "/" }, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix)
            {
                yield return item.Prefix[prefix.Length..].TrimEnd('/');
            }
        }
    }

    /// <summary>
    /// Copies a release's data files (paths relative to <paramref name="folder"/>, Hive folders kept) under
    /// <paramref name="localRoot"/> and returns their local paths; files already there are kept (releases are
    /// immutable, and a file only gets its name once completely downloaded).
    /// </summary>
    public async Task<List<string>> DownloadFilesAsync(string folder, IEnumerable<string> files, string localRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var paths = new List<string>();
        foreach (var file in files)
        {
            var local = Path.Combine(localRoot, file.Replace('/', Path.DirectorySeparatorChar));
            paths.Add(local);
            if (!File.Exists(local))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                var partial = $"{local}.{Guid.NewGuid():N}.partial";
                try
                {
                    await Container.GetBlobClient(folder + file).DownloadToAsync(partial, cancellationToken).ConfigureAwait(false);
                    File.Move(partial, local, overwrite: true);
                }
                finally
                {
                    File.Delete(partial);
                }
            }
        }

        return paths;
    }

    /// <summary>
    /// Opens <paramref name="length"/> bytes of a release's data file from <paramref name="offset"/> as a stream that
    /// reads from storage as it is read (the SDK resumes it after a transient fault), with the blob's whole length.
    /// </summary>
    public async Task<(Stream Content, long BlobLength)> OpenFileAsync(string folder, string file, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var download = await Container.GetBlobClient(folder + file)
            .DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken).ConfigureAwait(false);
        var details = download.Value.Details;

        // A ranged read answers "bytes FIRST-LAST/TOTAL"; TOTAL is the blob's length.
        var range = details.ContentRange;
        var slash = range?.LastIndexOf('/') ?? -1;
        var total = slash >= 0 && long.TryParse(range.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : details.ContentLength;
        return (download.Value.Content, total);
    }

    /// <summary>A small text blob of the container (e.g. a release's contract snapshot), or null when absent.</summary>
    public async Task<string?> ReadTextAsync(string blobName, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await Container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static bool TryParseRelease(string blobName, string productName, string version, out int release, out string file)
    {
        release = 0;
        file = "";
        var rest = blobName.AsSpan($"{productName}/{version}/".Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !int.TryParse(rest[..slash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out release))
        {
            return false;
        }

        file = rest[(slash + 1)..].ToString();
        return true;
    }
}

using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using DataMesh.Telemetry;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// After publish: moves the run's landing inputs into the domain's <c>archive</c> container (same blob name), so no
/// restart, redelivery or re-listing sees them again, and a backfill can replay them. Each blob moves only in the
/// version the run ingested (its ETag): the copy reads it on that condition and the delete from landing is conditional
/// too, so a file uploaded under the same name meanwhile is a new arrival and stays. Copy (server-side, within the
/// domain's account), then delete: a retry after
/// either step finishes the move (idempotent), and a crash between them leaves a copy in landing whose bytes the
/// published-input index already refuses as a duplicate. Inputs read from the archive (a replay) are not moved.
/// Returns the names archived by this run (now or by an earlier attempt).
/// </summary>
public sealed class ArchiveActivity(PipelineRuntime runtime) : TaskActivity<ArchiveInput, IReadOnlyList<string>>
{
    /// <summary>Metadata on an archived blob: the product id that published it.</summary>
    public const string ProductMetadata = "product";

    /// <summary>Metadata: the product version of the release.</summary>
    public const string VersionMetadata = "version";

    /// <summary>Metadata: the release number.</summary>
    public const string ReleaseMetadata = "release";

    /// <summary>Metadata: the run that published it.</summary>
    public const string RunIdMetadata = "runid";

    /// <summary>Metadata: the landing ETag it was copied from (how a retry recognises its own copy).</summary>
    public const string SourceETagMetadata = "sourceetag";

    /// <summary>Metadata: when the file arrived in landing (the landing blob's last-modified time, ISO 8601 UTC): what a backfill's range selects on.</summary>
    public const string ArrivedAtMetadata = "arrivedat";

    public override Task<IReadOnlyList<string>> RunAsync(TaskActivityContext context, ArchiveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "archive", input.RunId, input.ProductId, input.Attempt,
            () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "publish", token => ArchiveAsync(input, token)));
    }

    /// <summary>When an archived blob arrived in landing, from its metadata; null when it carries none.</summary>
    public static DateTimeOffset? ArrivedAt(IDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(ArrivedAtMetadata, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var arrived)
            ? arrived
            : null;

    private async Task<IReadOnlyList<string>> ArchiveAsync(ArchiveInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);

        // A terminated run's input stays where its cancellation says it is (in landing): nothing moved.
        await CleanUpActivity.ThrowIfTerminatedAsync(runtime, spec, input.RunId, "archive", cancellationToken).ConfigureAwait(false);
        var landing = runtime.StorageFor(spec.Domain).Landing(spec.Domain);
        var archive = runtime.StorageFor(spec.Domain).Archive(spec.Domain);
        await archive.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var moved = new List<(BlobClient Source, ETag Pinned, string Name)>();
        foreach (var blob in input.Landing.Where(b => b.Container == landing.Name).DistinctBy(b => b.Name, StringComparer.Ordinal))
        {
            if (LandingBlobNames.Problem(blob.Name) is not null || LandingBlobNames.HasDotSegments(blob.Name))
            {
                continue; // never ingested: such names are refused at resolve; nothing of them to move
            }

            var pinned = new ETag(blob.ETag);
            var source = landing.GetBlobClient(blob.Name);
            if (await CopyAsync(source, archive.GetBlobClient(blob.Name), pinned, input, spec.Id, cancellationToken).ConfigureAwait(false))
            {
                moved.Add((source, pinned, blob.Name));
            }
        }

        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterArchiveCopy, input.RunId).ConfigureAwait(false);
        foreach (var (source, pinned, _) in moved)
        {
            try
            {
                // Only the version archived: a file uploaded under the name since then fails the condition and stays.
                await source.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = pinned }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // A new arrival under the same name: it runs as its own run.
            }
        }

        return moved.Select(m => m.Name).ToList();
    }

    /// <summary>
    /// Copies the pinned landing version into the archive with the release's metadata; true when the archive holds that
    /// version afterwards (copied now or by an earlier attempt), false when landing no longer has it and the archive
    /// does not either (replaced before the copy: the new file is a new arrival, and nothing is moved).
    /// </summary>
    /// <remarks>
    /// A server-side copy (Copy Blob) within the domain's storage account, where landing and archive both are: no byte
    /// passes through the process (a download re-uploaded in parallel blocks kept ~100 MB of block buffers resident, more
    /// than any stage but the transform). The source is read on its pinned ETag, so the bytes archived are those the run
    /// ingested; within one account the destination's own authorisation (shared key on Azurite, the app's managed
    /// identity in Azure) reads the source, no SAS. The copy is awaited and its length and MD5 checked against the source's.
    /// </remarks>
    private static async Task<bool> CopyAsync(BlobClient source, BlobClient target, ETag pinned, ArchiveInput input, string productId, CancellationToken cancellationToken)
    {
        var onPinned = new BlobRequestConditions { IfMatch = pinned };
        try
        {
            var ingested = (await source.GetPropertiesAsync(onPinned, cancellationToken).ConfigureAwait(false)).Value;
            var copy = await target.StartCopyFromUriAsync(source.Uri, new BlobCopyFromUriOptions
            {
                SourceConditions = onPinned,
                Metadata = new Dictionary<string, string>
                {
                    [ProductMetadata] = productId,
                    [VersionMetadata] = input.Version,
                    [ReleaseMetadata] = input.Release.ToString(CultureInfo.InvariantCulture),
                    [RunIdMetadata] = RunWorkspace.SafeName(input.RunId),
                    [SourceETagMetadata] = pinned.ToString().Trim('"'),
                    [ArrivedAtMetadata] = ingested.LastModified.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                },
            }, cancellationToken).ConfigureAwait(false);
            await copy.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
            var copied = (await target.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (copied.CopyStatus != CopyStatus.Success || copied.ContentLength != ingested.ContentLength
                || (ingested.ContentHash is { Length: > 0 } md5 && (copied.ContentHash is null || !md5.AsSpan().SequenceEqual(copied.ContentHash))))
            {
                throw new InvalidOperationException(
                    $"Archiving '{source.Name}' copied {copied.ContentLength} bytes (copy {copied.CopyStatus}: {copied.CopyStatusDescription}) of the {ingested.ContentLength} ingested, "
                    + "or their MD5 differs: the archive's copy is not the ingested file; the stage is retried.");
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            try
            {
                var copied = await target.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return copied.Value.Metadata.TryGetValue(SourceETagMetadata, out var copiedFrom) && copiedFrom == pinned.ToString().Trim('"');
            }
            catch (RequestFailedException missing) when (missing.Status == 404)
            {
                return false;
            }
        }
    }
}

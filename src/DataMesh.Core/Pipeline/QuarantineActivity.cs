using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using DataMesh.Telemetry;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Moves a failed run's landing blobs to the domain's <c>quarantine</c> container, each with a
/// <c>&lt;name&gt;.error.json</c> that says why. Copy first, then the reason, then delete: an input is never lost,
/// and a retry after any step finishes the move (idempotent). A blob the run pinned (its ETag in
/// <see cref="QuarantineInput.ETags"/>) is moved only in that version: the copy reads it on condition of the ETag and
/// the delete is conditional too, so a corrected file uploaded under the same name meanwhile stays in landing (and
/// runs as its own run) instead of being quarantined for the old file's fault.
/// </summary>
public sealed class QuarantineActivity(PipelineRuntime runtime) : TaskActivity<QuarantineInput, IReadOnlyList<string>>
{
    /// <summary>Metadata on a quarantined copy: the landing ETag it was copied from (how a retry recognises its own copy).</summary>
    public const string SourceETagMetadata = "sourceetag";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public override Task<IReadOnlyList<string>> RunAsync(TaskActivityContext context, QuarantineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "quarantine", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "quarantine", token => QuarantineAsync(input, token)));
    }

    private async Task<IReadOnlyList<string>> QuarantineAsync(QuarantineInput input, CancellationToken cancellationToken)
    {
        await runtime.Options.Faults.InjectAsync(PipelineFaults.BeforeQuarantine, input.RunId).ConfigureAwait(false);
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);

        // A terminated run's input stays where its cancellation says it is (in landing): nothing moved.
        await CleanUpActivity.ThrowIfTerminatedAsync(runtime, spec, input.RunId, "quarantine", cancellationToken).ConfigureAwait(false);
        var landing = runtime.StorageFor(spec.Domain).Landing(spec.Domain);
        var quarantine = runtime.StorageFor(spec.Domain).Quarantine(spec.Domain);
        var moved = new List<string>();
        foreach (var name in input.LandingBlobs.Distinct(StringComparer.Ordinal))
        {
            // A refused name is quarantined under a safe one (LandingBlobNames.QuarantineName), the original in the reason.
            var safeName = LandingBlobNames.QuarantineName(name);
            var source = landing.GetBlobClient(name);
            var target = quarantine.GetBlobClient(safeName);
            var addressable = !LandingBlobNames.HasDotSegments(name);
            ETag? pinned = input.ETags.TryGetValue(name, out var etag) ? new ETag(etag) : null;

            // A name with '.'/'..' segments is not copied nor deleted: the client would resolve them and move another
            // blob. Its reason is recorded; the blob stays.
            if (addressable && !await CopyAsync(source, target, pinned, input.RunId, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var reason = new
            {
                product = spec.Id,
                version = spec.Version,
                runId = input.RunId,
                blob = name,
                etag = pinned?.ToString().Trim('"'),
                quarantinedAs = addressable ? safeName : null,
                stage = input.Stage,
                reason = addressable ? input.Reason : $"{input.Reason} The blob was left in landing: its name holds '.' or '..' segments, which HTTP clients resolve before sending (it would address another blob); remove it with a tool that sends the path as is.",
                failedRules = input.Quality?.Rules.Where(r => !r.Passed).ToList(),
                quarantinedAt = runtime.Time.GetUtcNow(),
            };
            await quarantine.GetBlobClient(safeName + ".error.json")
                .UploadAsync(BinaryData.FromObjectAsJson(reason, Json), overwrite: true, cancellationToken).ConfigureAwait(false);
            if (!addressable)
            {
                continue;
            }

            try
            {
                // Only the version copied: a file uploaded under the name since then fails the condition and stays.
                await source.DeleteIfExistsAsync(conditions: pinned is { } match ? new BlobRequestConditions { IfMatch = match } : null, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Replaced after the copy: the quarantined copy is the failed version, the new file is left to run.
            }

            moved.Add(name);
        }

        return moved;
    }

    /// <summary>
    /// Copies the landing blob (the pinned version only, when pinned) into quarantine; true when the quarantine holds
    /// that version afterwards (copied now or by an earlier attempt), false when there is nothing of it to move.
    /// </summary>
    private static async Task<bool> CopyAsync(BlobClient source, BlobClient target, ETag? pinned, string runId, CancellationToken cancellationToken)
    {
        try
        {
            var download = await source.DownloadStreamingAsync(new BlobDownloadOptions
            {
                Conditions = pinned is { } match ? new BlobRequestConditions { IfMatch = match } : null,
            }, cancellationToken).ConfigureAwait(false);
            await using var stream = download.Value.Content;
            await target.UploadAsync(stream, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = download.Value.Details.ContentType },
                Metadata = new Dictionary<string, string>
                {
                    ["runid"] = RunWorkspace.SafeName(runId),
                    [SourceETagMetadata] = download.Value.Details.ETag.ToString().Trim('"'),
                },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone (an earlier attempt moved it) or replaced by a newer upload: the move is done only if the
            // quarantine holds this run's version.
            try
            {
                var copied = await target.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return pinned is not { } match
                    || (copied.Value.Metadata.TryGetValue(SourceETagMetadata, out var copiedFrom) && copiedFrom == match.ToString().Trim('"'));
            }
            catch (RequestFailedException missing) when (missing.Status == 404)
            {
                return false;
            }
        }
    }
}

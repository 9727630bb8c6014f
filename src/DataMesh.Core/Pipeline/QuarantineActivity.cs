using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Azure;
using DataMesh.Telemetry;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Moves a failed run's landing blobs to the domain's <c>quarantine</c> container, each with a
/// <c>&lt;name&gt;.error.json</c> that says why. Copy first, then the reason, then delete: an input is never lost,
/// and a retry after any step finishes the move (idempotent).
/// </summary>
public sealed class QuarantineActivity(PipelineRuntime runtime) : TaskActivity<QuarantineInput, IReadOnlyList<string>>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public override Task<IReadOnlyList<string>> RunAsync(TaskActivityContext context, QuarantineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime.Products, "quarantine", input.RunId, input.ProductId, input.Attempt, () => QuarantineAsync(input));
    }

    private async Task<IReadOnlyList<string>> QuarantineAsync(QuarantineInput input)
    {
        var spec = runtime.Products.Get(input.ProductId);
        var landing = runtime.Storage.Landing(spec.Domain);
        var quarantine = runtime.Storage.Quarantine(spec.Domain);
        var moved = new List<string>();
        foreach (var name in input.LandingBlobs.Distinct(StringComparer.Ordinal))
        {
            // A refused name is quarantined under a safe one (LandingBlobNames.QuarantineName), the original in the reason.
            var safeName = LandingBlobNames.QuarantineName(name);
            var source = landing.GetBlobClient(name);
            var target = quarantine.GetBlobClient(safeName);
            var addressable = !LandingBlobNames.HasDotSegments(name);

            // A name with '.'/'..' segments is not copied nor deleted: the client would resolve them and move another
            // blob. Its reason is recorded; the blob stays.
            if (addressable)
            {
                try
                {
                    var download = await source.DownloadStreamingAsync().ConfigureAwait(false);
                    await using (var stream = download.Value.Content)
                    {
                        await target.UploadAsync(stream, new BlobUploadOptions
                        {
                            HttpHeaders = new BlobHttpHeaders { ContentType = download.Value.Details.ContentType },
                            Metadata = new Dictionary<string, string> { ["runid"] = RunWorkspace.SafeName(input.RunId), ["sourceetag"] = download.Value.Details.ETag.ToString().Trim('"') },
                        }).ConfigureAwait(false);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Already moved by an earlier attempt of this activity: the quarantined copy must be there.
                    if (!await target.ExistsAsync().ConfigureAwait(false))
                    {
                        continue;
                    }
                }
            }

            var reason = new
            {
                product = spec.Id,
                version = spec.Version,
                runId = input.RunId,
                blob = name,
                quarantinedAs = addressable ? safeName : null,
                stage = input.Stage,
                reason = addressable ? input.Reason : $"{input.Reason} The blob was left in landing: its name holds '.' or '..' segments, which HTTP clients resolve before sending (it would address another blob); remove it with a tool that sends the path as is.",
                failedRules = input.Quality?.Rules.Where(r => !r.Passed).ToList(),
                quarantinedAt = runtime.Time.GetUtcNow(),
            };
            await quarantine.GetBlobClient(safeName + ".error.json")
                .UploadAsync(BinaryData.FromObjectAsJson(reason, Json), overwrite: true).ConfigureAwait(false);
            if (addressable)
            {
                await source.DeleteIfExistsAsync().ConfigureAwait(false);
                moved.Add(name);
            }
        }

        return moved;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs.Models;
using DataMesh.Publishing;
using DataMesh.Specs;

namespace DataMesh.Pipeline;

/// <summary>
/// What became of a run whose orchestration may be terminated (cancelled, or stuck) while an activity it scheduled still
/// runs: one create-only blob per run, <see cref="StagedOutput.DecisionBlob"/> in the domain's staging container, that
/// two writers race to create. The terminated run's clean-up creates it saying <see cref="RunDecisionKind.Terminated"/>;
/// the publish creates it saying <see cref="RunDecisionKind.Publish"/> just before its manifest, with the manifest it
/// commits and its own input (what the release's announcement needs). Whichever is first decides, for good: a publish
/// that finds the run terminated writes no manifest; a terminated run that finds the publish decided has a release, which
/// its failure commits if the publish died before the manifest, and announces (<see cref="SettleRunActivity"/>).
/// </summary>
public sealed record RunDecision
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    /// <summary>Terminated, or publish.</summary>
    public required RunDecisionKind Kind { get; init; }

    /// <summary>For <see cref="RunDecisionKind.Publish"/>: the manifest the publish commits (its release number, files and lineage).</summary>
    public ReleaseManifest? Manifest { get; init; }

    /// <summary>For <see cref="RunDecisionKind.Publish"/>: the publish's input, from which the release is announced.</summary>
    public PublishInput? Publish { get; init; }

    /// <summary>The decision of run <paramref name="runId"/> and its ETag, or null when nothing is decided yet.</summary>
    internal static async Task<(RunDecision Decision, ETag ETag)?> ReadAsync(PipelineRuntime runtime, ProductSpec spec, string runId, CancellationToken cancellationToken)
    {
        try
        {
            var content = await Blob(runtime, spec, runId).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var decision = content.Value.Content.ToObjectFromJson<RunDecision>(Json)
                ?? throw new InvalidOperationException($"The decision of run {runId} ({StagedOutput.DecisionBlob(spec.Name, runId)}) is empty.");
            return (decision, content.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>True when run <paramref name="runId"/> was decided terminated (its clean-up, or a failure that gave up its publish, came first).</summary>
    internal static async Task<bool> IsTerminatedAsync(PipelineRuntime runtime, ProductSpec spec, string runId, CancellationToken cancellationToken) =>
        await ReadAsync(runtime, spec, runId, cancellationToken).ConfigureAwait(false) is { Decision.Kind: RunDecisionKind.Terminated };

    /// <summary>
    /// The terminated run's side of the race: decides the run terminated unless a publish decided first, and returns the
    /// decision that stands (terminated, or that publish's).
    /// </summary>
    internal static async Task<RunDecision> TerminateAsync(PipelineRuntime runtime, ProductSpec spec, string runId, CancellationToken cancellationToken)
    {
        var terminated = new RunDecision { Kind = RunDecisionKind.Terminated };
        while (true)
        {
            if (await TryCreateAsync(runtime, spec, runId, terminated, cancellationToken).ConfigureAwait(false))
            {
                return terminated;
            }

            if (await ReadAsync(runtime, spec, runId, cancellationToken).ConfigureAwait(false) is { } stands)
            {
                return stands.Decision;
            }

            // Created and gone between the two requests (the container's expiry): decide again.
        }
    }

    /// <summary>
    /// The publish's side of the race, one request before its create-only manifest: decides the run published with
    /// <paramref name="manifest"/>, unless it was decided terminated first (false: the publish must write nothing). A
    /// retried publish of the same run replaces its own earlier decision (its release number may have moved on).
    /// </summary>
    internal static async Task<bool> DecidePublishAsync(PipelineRuntime runtime, ProductSpec spec, string runId, ReleaseManifest manifest, PublishInput publish)
    {
        // No cancellation from here: a decision half made must be read back, never abandoned.
        var decision = new RunDecision { Kind = RunDecisionKind.Publish, Manifest = manifest, Publish = publish with { Attempt = 1 } };
        while (true)
        {
            if (await TryCreateAsync(runtime, spec, runId, decision, CancellationToken.None).ConfigureAwait(false))
            {
                return true;
            }

            switch (await ReadAsync(runtime, spec, runId, CancellationToken.None).ConfigureAwait(false))
            {
                case { Decision.Kind: RunDecisionKind.Terminated }:
                    return false;
                case { } earlier:
                    try
                    {
                        await Blob(runtime, spec, runId).UploadAsync(
                            BinaryData.FromObjectAsJson(decision, Json),
                            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = earlier.ETag } },
                            CancellationToken.None).ConfigureAwait(false);
                        return true;
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                    {
                        // Changed since read (a settling failure gave this publish up): read it again.
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Replaces a publish's decision that can no longer be committed (a newer release was published while its publish
    /// was dead) by <see cref="RunDecisionKind.Terminated"/>, if it is still <paramref name="etag"/>; false when it changed.
    /// </summary>
    internal static async Task<bool> GiveUpAsync(PipelineRuntime runtime, ProductSpec spec, string runId, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(runtime, spec, runId).UploadAsync(
                BinaryData.FromObjectAsJson(new RunDecision { Kind = RunDecisionKind.Terminated }, Json),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = etag } },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    private static async Task<bool> TryCreateAsync(PipelineRuntime runtime, ProductSpec spec, string runId, RunDecision decision, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(runtime, spec, runId).UploadAsync(
                BinaryData.FromObjectAsJson(decision, Json),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            return false;
        }
    }

    private static Azure.Storage.Blobs.BlobClient Blob(PipelineRuntime runtime, ProductSpec spec, string runId) =>
        runtime.StorageFor(spec.Domain).Staging(spec.Domain).GetBlobClient(StagedOutput.DecisionBlob(spec.Name, runId));
}

/// <summary>What a <see cref="RunDecision"/> says.</summary>
public enum RunDecisionKind
{
    /// <summary>The run was terminated before its publish decided: it publishes nothing.</summary>
    Terminated,

    /// <summary>The publish decided first: the run's release is committed (or is committed by its failure, <see cref="SettleRunActivity"/>).</summary>
    Publish,
}

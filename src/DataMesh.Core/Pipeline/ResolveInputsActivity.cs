using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using DataMesh.Lineage;
using DataMesh.Specs;
using DataMesh.Telemetry;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Plans a run's ingest: maps each landing blob of the trigger to the landing input whose path holds it (a blob
/// name ending in '/' stands for every blob under that prefix, a batch), and picks the newest blob for a landing
/// input the trigger did not name (in landing, or archived after a publish). A replay names archived blobs. Reads only: idempotent.
/// </summary>
public sealed class ResolveInputsActivity(PipelineRuntime runtime) : TaskActivity<ResolveInputsInput, IngestPlan>
{
    public override Task<IngestPlan> RunAsync(TaskActivityContext context, ResolveInputsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "resolve", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "ingest", token => ResolveAsync(input, token), runtime.CancellationOf(input.RunId)),
            (span, plan) => span.SetTag(TelemetryAttributes.Files, plan.Files.Count));
    }

    private async Task<IngestPlan> ResolveAsync(ResolveInputsInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);
        if (runtime.OpenLineage is { } lineage && input.StartedAt is { } startedAt)
        {
            // START as the run begins (a retried resolve may send it twice: OpenLineage consumers key events by run and type).
            lineage.Post(OpenLineageRunEvents.Start(AnnounceActivity.LineageRun(runtime, spec, input.RunId, startedAt, input.LandingBlobs)));
        }

        var landingInputs = spec.Inputs.Where(i => i.IsLanding).OrderByDescending(i => i.Landing!.Path.Length).ToList();
        // Each blob is pinned to the version seen now (its ETag): ingest reads that version only, and a failure
        // quarantines that version only, so a file replaced under the same name meanwhile is never blamed or moved.
        var blobs = new List<(string Name, string? ETag, bool Archived)>();
        foreach (var blob in input.LandingBlobs.Distinct(StringComparer.Ordinal))
        {
            LandingFiles.ValidateName(blob.TrimEnd('/') + (blob.EndsWith('/') ? "/x" : ""));
            if (blob.EndsWith('/'))
            {
                blobs.AddRange((await ListAsync(spec, blob, cancellationToken).ConfigureAwait(false)).Select(b => (b.Name, b.ETag, false)));
            }
            else
            {
                LandingFiles.ValidateName(blob);
                blobs.Add((blob, await ETagOfAsync(spec, runtime.StorageFor(spec.Domain).Landing(spec.Domain), blob, cancellationToken).ConfigureAwait(false), false));
            }
        }

        // A replay (backfill) names published inputs in the archive, under their landing names.
        foreach (var blob in input.ArchivedBlobs.Distinct(StringComparer.Ordinal))
        {
            LandingFiles.ValidateName(blob);
            blobs.Add((blob, await ETagOfAsync(spec, runtime.StorageFor(spec.Domain).Archive(spec.Domain), blob, cancellationToken).ConfigureAwait(false), true));
        }

        var files = new List<PlannedFile>();
        foreach (var (blob, etag, archived) in blobs.DistinctBy(b => (b.Name, b.Archived)))
        {
            LandingFiles.ValidateName(blob);
            var owner = landingInputs.FirstOrDefault(i => blob.StartsWith(i.Landing!.Path, StringComparison.Ordinal))
                ?? throw new InputRejectedException($"Landing blob '{blob}' is not under any landing path of {spec.Id} ({string.Join(", ", landingInputs.Select(i => i.Landing!.Path))}).");
            files.Add(new PlannedFile(owner.Name, blob, files.Count) { ETag = etag, Archived = archived });
        }

        foreach (var landing in landingInputs.Where(i => files.All(f => f.InputName != i.Name)))
        {
            // The newest file of the input, wherever it is now: still in landing, or archived once a run published it
            // (a rebuild triggered by an upstream release must still find it).
            var newest = await NewestBlobAsync(spec, landing.Landing!.Path, cancellationToken).ConfigureAwait(false)
                ?? throw new InputRejectedException($"Input '{landing.Name}' of {spec.Id} has no file under landing path '{landing.Landing!.Path}' (in landing or in the archive of published inputs).");
            files.Add(new PlannedFile(landing.Name, newest.Name, files.Count) { ETag = newest.ETag, Archived = newest.Archived });
        }

        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterResolve, input.RunId).ConfigureAwait(false);

        var resolver = new Publishing.UpstreamResolver(runtime.StorageFor(spec.Domain));
        var upstream = new List<PlannedUpstream>();
        // An input reading changes reads those since the upstream release this product's newest release was built from.
        var lastBuild = spec.Inputs.Any(i => i.Read == UpstreamRead.Changes)
            ? await resolver.LastBuildAsync(spec.Id, spec.Version, cancellationToken).ConfigureAwait(false)
            : null;
        foreach (var port in spec.Inputs.Where(i => !i.IsLanding))
        {
            upstream.Add(await ResolveGrantedAsync(runtime, spec, resolver, port, lastBuild, cancellationToken).ConfigureAwait(false)
                ?? throw new UpstreamNotReadyException($"Input '{port.Name}' of {spec.Id} reads {port.Product} {port.Versions ?? "*"}, which has no published release in that range yet; the landing input stays, and that product's first release in range rebuilds this one."));
        }

        return new IngestPlan(spec.Version, files) { Upstream = upstream };
    }

    /// <summary>
    /// Resolves an upstream input with the domain's own grants. When the upstream domain's storage refuses (403: this
    /// domain's pipeline holds no grant there), says which product and which access rule, and what to change.
    /// </summary>
    private static async Task<PlannedUpstream?> ResolveGrantedAsync(
        PipelineRuntime runtime, ProductSpec spec, Publishing.UpstreamResolver resolver, InputSpec port, Publishing.ReleaseLineage? lastBuild, CancellationToken cancellationToken)
    {
        try
        {
            return await resolver.ResolveAsync(port, lastBuild, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException refused) when (refused.Status == 403)
        {
            var upstream = runtime.Products.All.FirstOrDefault(p => p.Id == port.Product);
            var rule = upstream is null ? "its access rules (its spec is not loaded here)" : Storage.ProductReadGrants.DescribeAccess(upstream);
            var upstreamDomain = upstream?.Domain ?? ProductIds.DomainOf(port.Product!);
            throw new UpstreamReadRefusedException(
                $"{UpstreamReadRefusedException.Code}: input '{port.Name}' of {spec.Id}: the storage of domain {upstreamDomain} refused to let domain {spec.Domain} read " +
                $"{port.Product} ({refused.Status} {refused.ErrorCode}): {port.Product} has {rule}, which does not admit {spec.Domain}, so {spec.Domain}'s pipeline " +
                $"holds no read grant on {upstreamDomain}'s products. Ask {upstreamDomain} to add {spec.Domain} to access.readers of {port.Product}; the next run is granted.",
                refused);
        }
    }

    private async Task<List<(string Name, string? ETag)>> ListAsync(ProductSpec spec, string prefix, CancellationToken cancellationToken)
    {
        var names = new List<(string, string?)>();
        await foreach (var item in runtime.StorageFor(spec.Domain).Landing(spec.Domain).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            names.Add((item.Name, item.Properties.ETag?.ToString()));
        }

        return names.Count > 0 ? names : throw new InputRejectedException($"No landing blob of {spec.Id} under '{prefix}'.");
    }

    /// <summary>The blob's current ETag; a blob that is gone is the input's fault (nothing to run).</summary>
    private static async Task<string> ETagOfAsync(ProductSpec spec, BlobContainerClient container, string blobName, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(blobName);
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ETag.ToString();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InputRejectedException($"Landing blob '{blobName}' of {spec.Id} no longer exists in container '{blob.BlobContainerName}'.", ex);
        }
    }

    /// <summary>
    /// The newest blob under <paramref name="prefix"/> in landing or in the archive, by arrival: a landing blob's
    /// last-modified time, an archived blob's original arrival (<see cref="ArchiveActivity.ArrivedAtMetadata"/>, not
    /// the time of the copy). On a tie the landing blob wins (it arrived again after it was archived).
    /// </summary>
    private async Task<(string Name, string? ETag, bool Archived)?> NewestBlobAsync(ProductSpec spec, string prefix, CancellationToken cancellationToken)
    {
        (string, string?, bool)? newest = null;
        var newestTime = DateTimeOffset.MinValue;
        await foreach (var item in runtime.StorageFor(spec.Domain).Landing(spec.Domain).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            var modified = item.Properties.LastModified ?? DateTimeOffset.MinValue;
            if (newest is null || modified > newestTime)
            {
                (newest, newestTime) = ((item.Name, item.Properties.ETag?.ToString(), false), modified);
            }
        }

        var archive = runtime.StorageFor(spec.Domain).Archive(spec.Domain);
        try
        {
            await foreach (var item in archive.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
            {
                var arrived = ArchiveActivity.ArrivedAt(item.Metadata) ?? item.Properties.LastModified ?? DateTimeOffset.MinValue;
                if (newest is null || arrived > newestTime)
                {
                    (newest, newestTime) = ((item.Name, item.Properties.ETag?.ToString(), true), arrived);
                }
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No archive container yet (nothing of this domain published since archiving began): landing only.
        }

        return newest;
    }
}

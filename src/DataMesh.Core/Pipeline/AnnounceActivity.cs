using System.Text.Json.Nodes;
using DataMesh.Events;
using DataMesh.Lineage;
using DataMesh.Telemetry;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace DataMesh.Pipeline;

/// <summary>
/// Announces a run's outcome as a CloudEvent (DESIGN §6). Event ids are deterministic, so a retried announcement is
/// a recognisable duplicate that the catalog applies idempotently. The event is recorded in the outbox before it is
/// sent and removed after the topic accepted it: when every attempt fails (or the host dies in between), the
/// <see cref="OutboxRelay"/> sends it later. A retry re-sends the event the first attempt recorded.
/// </summary>
public sealed partial class AnnounceActivity(PipelineRuntime runtime) : TaskActivity<AnnounceInput, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, AnnounceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "announce", input.Result.RunId, input.Result.Product, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.Result.RunId).Get(input.Result.Product), "announce", token => AnnounceAsync(input, token)));
    }

    private async Task<string> AnnounceAsync(AnnounceInput input, CancellationToken cancellationToken)
    {
        // A refused landing name leaves the domain under its safe quarantine name only (its original is in the domain's
        // .error.json): in the error, the stage timeline, the quarantine lists and the lineage.
        var quarantinedFiles = QuarantinedInput.Of(input.Result);
        var result = WithSafeNames(input.Result, input.LandingBlobs);
        var spec = runtime.ProductsOf(result.RunId).Get(result.Product);
        var now = runtime.Time.GetUtcNow();
        var lineage = LineageRun(runtime, spec, result.RunId, input.StartedAt ?? now, input.LandingBlobs);
        var lineageEnd = result.Status == PipelineStatus.Published && input.Published is { } done && input.Publish is { } inputs
            ? OpenLineageRunEvents.Complete(lineage, now, inputs, done)
            : OpenLineageRunEvents.Fail(lineage, now, result, input.Quality);
        IReadOnlyList<JsonObject> openLineage = [OpenLineageRunEvents.Start(lineage), lineageEnd];
        var cloudEvent = result.Status switch
        {
            PipelineStatus.Published when input.Published is { } published && input.Publish is { } publish =>
                ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
                {
                    ProductId = spec.Id,
                    Domain = spec.Domain,
                    Name = spec.Name,
                    Version = result.Version,
                    Release = published.Release,
                    RunId = result.RunId,
                    Location = published.Location,
                    Rows = published.Rows,
                    Changes = published.Changes is { } changes ? ReleaseChangeSummary.From(changes, spec) : null,
                    SchemaHash = published.SchemaHash,
                    Quality = publish.Quality,
                    Landing = publish.Landing.Select(f => f.Blob).ToList(),
                    Upstream = publish.Upstream,
                    Inputs = result.Inputs,
                    PublishedAt = now,
                    Note = result.Error,
                    Stages = result.Stages,
                    OpenLineage = openLineage,
                    // The product's declaration as this domain holds it: how the hub learns which columns of other
                    // domains' products it reads (their publish gates ask the hub), with the lineage computed once per spec.
                    Registration = Catalog.ProductRegistration.FromSpec(spec) with { ColumnLineage = lineage.ColumnLineage },
                }),
            PipelineStatus.QualityFailed => ProductEventFactory.CreateQualityCheckFailed(new QualityCheckFailedData
            {
                ProductId = spec.Id,
                Domain = spec.Domain,
                Name = spec.Name,
                Version = result.Version,
                RunId = result.RunId,
                Stage = result.Stage ?? "quality",
                Error = result.Error ?? "quality gate failed",
                Quality = input.Quality,
                Inputs = result.Inputs,
                Quarantined = result.Quarantined,
                QuarantinedFiles = quarantinedFiles,
                FailedAt = now,
                Stages = result.Stages,
                OpenLineage = openLineage,
            }),
            _ => ProductEventFactory.CreatePipelineRunFailed(new PipelineRunFailedData
            {
                ProductId = spec.Id,
                Domain = spec.Domain,
                Name = spec.Name,
                Version = result.Version,
                RunId = result.RunId,
                Stage = result.Stage ?? "unknown",
                Error = result.Error ?? "run failed",
                Reason = input.FailureReason,
                Inputs = result.Inputs,
                Quarantined = result.Quarantined,
                QuarantinedFiles = quarantinedFiles,
                FailedAt = now,
                Stages = result.Stages,
                OpenLineage = openLineage,
            }),
        };
        // The domain's own outbox (its own account), never a store shared with other domains.
        var outbox = runtime.OutboxFor(spec.Domain);
        var pending = await outbox.AddAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
        try
        {
            await runtime.Events.PublishAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Rethrown for the orchestrator's retries; the outbox row is what survives them all failing.
            LogPending(runtime.LoggerFactory.CreateLogger<AnnounceActivity>(), pending.Id, pending.Type, result.RunId, ex.Message);
            throw;
        }

        await outbox.RemoveAsync(pending, cancellationToken).ConfigureAwait(false);
        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterAnnounce, result.RunId).ConfigureAwait(false);
        if (runtime.OpenLineage is { } transport)
        {
            // The end event as recorded in the announcement (a retry re-sends the same one); lineage never fails a run.
            var recorded = ProductEventJson.ReadOpenLineage(pending) is { Count: > 1 } sent ? sent[^1] : lineageEnd;
            transport.Post(recorded);
        }

        var endedAt = runtime.Time.GetUtcNow();
        runtime.Metrics.RecordRun(result, spec.Domain, endedAt);
        PipelineTelemetry.RecordRunSpan(result, spec.Domain, endedAt);
        return pending.Id;
    }

    /// <summary>
    /// <paramref name="result"/> as its announcement tells it: each refused landing name (<see cref="LandingBlobNames.Problem"/>)
    /// of the run's inputs replaced by its safe quarantine name in the error, the stage errors and the quarantined list.
    /// </summary>
    internal static PipelineResult WithSafeNames(PipelineResult result, IReadOnlyList<string> landingBlobs)
    {
        var names = landingBlobs.Concat(result.Quarantined).Concat(result.KeptInLanding).ToList();
        return result with
        {
            Error = result.Error is { } error ? LandingBlobNames.WithSafeNames(error, names) : null,
            Stages = [.. result.Stages.Select(s => s.Error is { } why ? s with { Error = LandingBlobNames.WithSafeNames(why, names) } : s)],
            Quarantined = [.. result.Quarantined.Select(LandingBlobNames.QuarantineName)],
        };
    }

    /// <summary>
    /// What every OpenLineage event of a run shares (the START an orchestration emits and the ones announced agree): a
    /// refused landing name among its inputs under its safe quarantine name, as the announcement names it.
    /// </summary>
    internal static OpenLineageRun LineageRun(PipelineRuntime runtime, Specs.ProductSpec spec, string runId, DateTimeOffset startedAt, IReadOnlyList<string> landingBlobs) =>
        new(runId, spec, startedAt, [.. landingBlobs.Where(b => !b.EndsWith('/')).Select(LandingBlobNames.QuarantineName)], runtime.LineageNamespace, OpenLineageRun.ContainerNamespace(runtime.StorageFor(spec.Domain).Landing(spec.Domain).Uri))
        {
            ColumnLineage = ColumnLineageAnalyzer.ForRun(spec, runtime.ProductsOf(runId).All),
        };

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Run {RunId}: announcing event {EventId} of type {Type} failed; it stays in the outbox until sent: {Reason}")]
    private static partial void LogPending(ILogger logger, string eventId, string type, string runId, string reason);
}

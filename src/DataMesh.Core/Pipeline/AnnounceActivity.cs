using DataMesh.Events;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Announces a run's outcome as a CloudEvent (DESIGN §6). Event ids are deterministic, so a retried announcement is
/// a recognisable duplicate that the catalog applies idempotently.
/// </summary>
public sealed class AnnounceActivity(PipelineRuntime runtime) : TaskActivity<AnnounceInput, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, AnnounceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = input.Result;
        var spec = runtime.Products.Get(result.Product);
        var now = runtime.Time.GetUtcNow();
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
                    SchemaHash = published.SchemaHash,
                    Quality = publish.Quality,
                    Landing = publish.Landing.Select(f => f.Blob).ToList(),
                    Upstream = publish.Upstream,
                    PublishedAt = now,
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
                Quarantined = result.Quarantined,
                FailedAt = now,
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
                Quarantined = result.Quarantined,
                FailedAt = now,
            }),
        };
        await runtime.Events.PublishAsync(cloudEvent).ConfigureAwait(false);
        return cloudEvent.Id;
    }
}

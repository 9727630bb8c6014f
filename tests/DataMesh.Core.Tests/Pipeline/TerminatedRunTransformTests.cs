using DataMesh.Core.Tests.Governance;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Testing;
using Microsoft.DurableTask;

namespace DataMesh.Core.Tests.Pipeline;

/// <summary>
/// A transform of a run whose orchestration was terminated (a cancelled backfill's parts, scheduled before the
/// termination and run afterwards, on this instance or another): once the terminated run's clean-up has marked the run,
/// the transform stages nothing and leaves no folder, whether it starts after the mark or finds it once it has staged.
/// </summary>
[Collection("azurite")]
public sealed class TerminatedRunTransformTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);
    private const string ProductId = "sales.opportunities";

    private readonly string _work = Directory.CreateTempSubdirectory("dm-terminated-").FullName;
    private readonly string _runId = "terminated-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Transform_NotTerminated_StagesItsOutput()
    {
        // Arrange
        var (runtime, input) = await LandAsync(PipelineFaults.None);

        // Act
        var output = await TransformAsync(runtime, input);

        // Assert: the control case, so the cases below can fail.
        Assert.NotEmpty(output.Files);
        Assert.Equal(output.Files.Count, (await StagedAsync(runtime)).Count);
    }

    [Fact]
    public async Task Transform_StartedAfterTheTerminatedRunsCleanUp_StagesNothingAndLeavesNoFolder()
    {
        // Arrange: the run terminated and cleaned up before this (scheduled) transform started.
        var (runtime, input) = await LandAsync(PipelineFaults.None);
        await new CleanUpActivity(runtime).RunAsync(new Context(_runId, nameof(CleanUpActivity)), new CleanUpInput(_runId, ProductId) { Terminated = true });

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => TransformAsync(runtime, input));

        // Assert
        Assert.Contains("was terminated (cancelled or stuck) before this transform started", error.Message, StringComparison.Ordinal);
        Assert.Empty(await StagedAsync(runtime));
        Assert.False(Directory.Exists(runtime.Workspace(_runId).Root), "the transform left a work folder");
    }

    [Fact]
    public async Task Transform_RunMarkedTerminatedWhileItStaged_RemovesWhatItStagedAndItsFolder()
    {
        // Arrange: the clean-up of the terminated run decides it terminated and lists the staged files just before this transform
        // stages its own (the listing finds none): the decision is there when the transform has staged.
        PipelineRuntime runtime = null!;
        var faults = new PipelineFaults(async (point, runId) =>
        {
            if (point == PipelineFaults.AfterTransform)
            {
                var spec = Products.Get(ProductId);
                await RunDecision.TerminateAsync(runtime, spec, runId, CancellationToken.None);
            }
        });
        (runtime, var input) = await LandAsync(faults);

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => TransformAsync(runtime, input));

        // Assert
        Assert.Contains("was terminated (cancelled or stuck) while this transform ran", error.Message, StringComparison.Ordinal);
        Assert.Empty(await StagedAsync(runtime));
        Assert.False(Directory.Exists(runtime.Workspace(_runId).Root), "the transform left a work folder");
    }

    /// <summary>The product's sample in its landing path, as ingest found it; a runtime on the mesh's sales view.</summary>
    private async Task<(PipelineRuntime Runtime, TransformInput Input)> LandAsync(PipelineFaults faults)
    {
        var mesh = azurite.CreateMesh();
        var storage = mesh.Storage;
        var runtime = new PipelineRuntime(storage, Products, new QueueProductEventPublisher(storage), new PipelineOptions { WorkDirectory = _work, Faults = faults })
        {
            DomainStorage = domain => mesh.Pipeline(domain),
        };
        var spec = Products.Get(ProductId);
        var sample = Directory.EnumerateFiles(Path.Combine(spec.Directory, "samples")).Single();
        var landing = runtime.StorageFor(spec.Domain).Landing(spec.Domain);
        await landing.CreateIfNotExistsAsync();
        await runtime.StorageFor(spec.Domain).Staging(spec.Domain).CreateIfNotExistsAsync();
        var input = spec.Inputs.Single(i => i.IsLanding);
        var blobName = input.Landing!.Path + _runId + ".csv";
        var uploaded = (await landing.GetBlobClient(blobName).UploadAsync(sample, overwrite: true)).Value;
        var file = new IngestedFile(input.Name, new LandingBlob(landing.Name, blobName, uploaded.ETag.ToString(), new FileInfo(sample).Length, ""), Path.Combine(RunWorkspace.SafeName(input.Name), "0000-sample.csv"));
        return (runtime, new TransformInput(_runId, ProductId, [file]));
    }

    private Task<TransformResult> TransformAsync(PipelineRuntime runtime, TransformInput input) =>
        new TransformActivity(runtime).RunAsync(new Context(_runId, nameof(TransformActivity)), input);

    private async Task<List<string>> StagedAsync(PipelineRuntime runtime)
    {
        var spec = Products.Get(ProductId);
        var staged = new List<string>();
        await foreach (var blob in runtime.StorageFor(spec.Domain).Staging(spec.Domain).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = StagedOutput.Prefix(spec.Name, _runId) }))
        {
            staged.Add(blob.Name);
        }

        return staged;
    }

    private sealed class Context(string instanceId, string name) : TaskActivityContext
    {
        public override TaskName Name => name;

        public override string InstanceId => instanceId;
    }
}

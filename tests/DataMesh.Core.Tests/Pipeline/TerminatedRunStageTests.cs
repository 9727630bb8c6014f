using Azure.Storage.Blobs.Models;
using DataMesh.Core.Tests.Governance;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.DurableTask;

namespace DataMesh.Core.Tests.Pipeline;

/// <summary>
/// Every stage of a run whose orchestration was terminated (cancelled or stuck), as Azure runs it: an activity the
/// orchestration had scheduled still runs afterwards, on any instance, and nothing stops it in-process. Once the
/// terminated run's clean-up has decided the run terminated (<see cref="RunDecision"/>), ingest, quality, publish, archive
/// and quarantine do nothing; a publish decided terminated while it ran writes no manifest and removes what it wrote; a
/// publish that decided first keeps its release, which the terminated run settles as published (committing it when the
/// publish died before its manifest, giving it up when a newer release was published since). Each on real Azurite and
/// DuckDB, the product's release 1 published through the same activities first (the control: the stages do their work
/// when not terminated).
/// </summary>
[Collection("azurite")]
public sealed class TerminatedRunStageTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);
    private const string ProductId = "sales.opportunities";
    private static readonly ProductSpec Spec = Products.Get(ProductId);

    private readonly string _work = Directory.CreateTempSubdirectory("dm-terminated-stage-").FullName;
    private readonly string _runId = "terminated-" + Guid.NewGuid().ToString("N")[..8];
    private Func<string, string, Task> _fault = (_, _) => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Ingest_RunTerminatedBeforeItStarted_CopiesNothingAndLeavesNoFolder()
    {
        // Arrange
        var runtime = await PublishedAsync();
        var planned = await LandAsync(runtime, _runId);
        await TerminateAsync(runtime, _runId);

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => IngestAsync(runtime, _runId, planned));

        // Assert
        Assert.Contains("was terminated (cancelled or stuck) before this ingest started: nothing done", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(runtime.Workspace(_runId).Root), "the ingest left a work folder");
    }

    [Fact]
    public async Task Quality_RunTerminatedBeforeItStarted_GivesNoVerdictAndLeavesNoFolder()
    {
        // Arrange: transformed (and measured) before the termination; its clean-up ran.
        var runtime = await PublishedAsync();
        var output = await TransformAsync(runtime, _runId, await IngestAsync(runtime, _runId, await LandAsync(runtime, _runId)));
        await TerminateAsync(runtime, _runId);

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => QualityAsync(runtime, _runId, output));

        // Assert: a verdict (the transform's measures need no data) would let a publish follow.
        Assert.Contains("was terminated (cancelled or stuck) before this quality started: nothing done", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(runtime.Workspace(_runId).Root), "the quality stage left a work folder");
        Assert.Empty(await StagedAsync(runtime, _runId));
    }

    [Fact]
    public async Task Publish_RunMarkedTerminatedBeforeItStarted_PublishesNothingPreviousReleaseByteIdentical()
    {
        // Arrange: the run passed the gate; its clean-up has marked it (its listing of the staged files not yet done).
        var runtime = await PublishedAsync();
        var (output, quality, ingested) = await GatedAsync(runtime, _runId);
        var before = await ReleaseBlobsAsync(runtime, 1);
        await MarkAsync(runtime, _runId);

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => PublishAsync(runtime, _runId, output, quality, ingested));

        // Assert
        Assert.Contains("was terminated (cancelled or stuck) before this publish started: nothing done", error.Message, StringComparison.Ordinal);
        Assert.Equal([1], await Store(runtime).ListReleasesAsync(Spec.Name, Spec.Version));
        Assert.Empty(await ReleaseBlobsAsync(runtime, 2));
        Assert.Equal(before, await ReleaseBlobsAsync(runtime, 1));
    }

    [Fact]
    public async Task Publish_RunMarkedTerminatedWhileItRan_WritesNoManifestRemovesItsFilesAndClaimPreviousReleaseByteIdentical()
    {
        // Arrange: the run's clean-up marks it once this publish has uploaded release 2's files, just before its manifest.
        var runtime = await PublishedAsync();
        var (output, quality, ingested) = await GatedAsync(runtime, _runId);
        var before = await ReleaseBlobsAsync(runtime, 1);
        var uploaded = new List<string>();
        _fault = async (point, runId) =>
        {
            if (point == PipelineFaults.BeforeManifest && runId == _runId)
            {
                uploaded.AddRange((await ReleaseBlobsAsync(runtime, 2)).Keys);
                await new CleanUpActivity(runtime).RunAsync(new Context(_runId, nameof(CleanUpActivity)), new CleanUpInput(_runId, ProductId) { Terminated = true });
            }
        };

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => PublishAsync(runtime, _runId, output, quality, ingested));

        // Assert: release 2 had its files and claim (so the test can fail); none is left, and the number is free again.
        Assert.Contains("was terminated (cancelled or stuck) while this publish ran: release 2 not written", error.Message, StringComparison.Ordinal);
        Assert.Contains(uploaded, b => b.EndsWith("/_claim", StringComparison.Ordinal));
        Assert.Contains(uploaded, b => b.EndsWith(".parquet", StringComparison.Ordinal));
        Assert.Equal([1], await Store(runtime).ListReleasesAsync(Spec.Name, Spec.Version));
        Assert.Empty(await ReleaseBlobsAsync(runtime, 2));
        Assert.Equal(before, await ReleaseBlobsAsync(runtime, 1));
        Assert.Empty(await StagedAsync(runtime, _runId));
        Assert.False(Directory.Exists(runtime.Workspace(_runId).Root), "the publish left a work folder");
        var next = "next-" + _runId;
        var (nextOutput, nextQuality, nextIngested) = await GatedAsync(runtime, next);
        Assert.Equal(2, (await PublishAsync(runtime, next, nextOutput, nextQuality, nextIngested)).Release);
    }

    [Fact]
    public async Task Publish_RunTerminatedJustAfterItsDecision_ReleaseCommittedAndTheRunSettlesAsPublished()
    {
        // Arrange: the clean-up of the terminated run comes once this publish has decided, one request before its manifest
        // (the gap the last look left open: the release was committed while the run was announced "nothing published").
        var runtime = await PublishedAsync();
        var (output, quality, ingested) = await GatedAsync(runtime, _runId);
        var before = await ReleaseBlobsAsync(runtime, 1);
        RunDecisionKind? cleanUpFound = null;
        _fault = async (point, runId) =>
        {
            if (point == PipelineFaults.AfterDecision && runId == _runId)
            {
                await TerminateAsync(runtime, _runId);
                cleanUpFound = (await RunDecision.ReadAsync(runtime, Spec, _runId, CancellationToken.None))?.Decision.Kind;
            }
        };

        // Act
        var published = await PublishAsync(runtime, _runId, output, quality, ingested);
        var settled = await SettleAsync(runtime, _runId);

        // Assert: the decision stood against the clean-up; the release is whole and the run's story says it.
        Assert.Equal(RunDecisionKind.Publish, cleanUpFound);
        Assert.Equal(2, published.Release);
        Assert.Equal([1, 2], await Store(runtime).ListReleasesAsync(Spec.Name, Spec.Version));
        Assert.Equal(before, await ReleaseBlobsAsync(runtime, 1));
        Assert.Equal((2, published.Rows, published.Location), (settled.Published?.Release, settled.Published?.Rows, settled.Published?.Location));
        Assert.Equal(ingested.Blob.Name, Assert.Single(settled.Publish!.Landing).Blob.Name);
        Assert.Equal(output.Files, settled.Publish.Output.Files);
    }

    [Fact]
    public async Task Publish_DiedAfterItsDecisionThenTerminated_TheSettlingCommitsTheReleaseAsDecided()
    {
        // Arrange: the publish decided, then its host died before the manifest; the orchestration was then terminated.
        var runtime = await PublishedAsync();
        var (output, quality, ingested) = await GatedAsync(runtime, _runId);
        _fault = (point, runId) => point == PipelineFaults.AfterDecision && runId == _runId ? throw new IOException("host died") : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => PublishAsync(runtime, _runId, output, quality, ingested));
        Assert.Equal([1], await Store(runtime).ListReleasesAsync(Spec.Name, Spec.Version));
        var decided = (await RunDecision.ReadAsync(runtime, Spec, _runId, CancellationToken.None))!.Value.Decision.Manifest!;

        // Act
        var settled = await SettleAsync(runtime, _runId);
        var again = await SettleAsync(runtime, _runId);

        // Assert: release 2 committed with the manifest the publish decided, its data whole; settling twice changes nothing.
        Assert.Equal([1, 2], await Store(runtime).ListReleasesAsync(Spec.Name, Spec.Version));
        var manifest = await Store(runtime).ReadManifestAsync(ReleaseStore.Folder(Spec.Name, Spec.Version, 2));
        Assert.Equal((_runId, decided.Rows, decided.CreatedAt, decided.Files.Count), (manifest!.RunId, manifest.Rows, manifest.CreatedAt, manifest.Files.Count));
        foreach (var file in manifest.Files)
        {
            Assert.True((await Store(runtime).Container.GetBlobClient(ReleaseStore.FileBlobName(Spec.Name, Spec.Version, 2, file)).ExistsAsync()).Value, file.Path);
        }

        Assert.Equal((2, manifest.Rows), (settled.Published!.Release, settled.Published.Rows));
        Assert.Equal((settled.Published.Release, settled.Published.Location, settled.Published.Bytes), (again.Published!.Release, again.Published.Location, again.Published.Bytes));
    }

    [Fact]
    public async Task Publish_DiedAfterItsDecisionAndAnotherRunPublishedSince_TheSettlingGivesItUpAndItsRetryWritesNothing()
    {
        // Arrange: run A decided release 2 and died; its lock gone, run B published release 3 on release 1.
        var runtime = await PublishedAsync();
        var (output, quality, ingested) = await GatedAsync(runtime, _runId);
        _fault = (point, runId) => point == PipelineFaults.AfterDecision && runId == _runId ? throw new IOException("host died") : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => PublishAsync(runtime, _runId, output, quality, ingested));
        var other = "other-" + _runId;
        var (otherOutput, otherQuality, otherIngested) = await GatedAsync(runtime, other);
        Assert.Equal(3, (await PublishAsync(runtime, other, otherOutput, otherQuality, otherIngested)).Release);
        var release3 = await ReleaseBlobsAsync(runtime, 3);

        // Act
        var settled = await SettleAsync(runtime, _runId);
        _fault = (_, _) => Task.CompletedTask;
        var retry = await Assert.ThrowsAsync<PipelineStageException>(() => PublishAsync(runtime, _runId, output, quality, ingested));

        // Assert: release 2 (built on 1, older than 3) is never committed; its folder is gone; release 3 untouched.
        Assert.Null(settled.Published);
        Assert.Equal(RunDecisionKind.Terminated, (await RunDecision.ReadAsync(runtime, Spec, _runId, CancellationToken.None))!.Value.Decision.Kind);
        Assert.Contains("was terminated (cancelled or stuck)", retry.Message, StringComparison.Ordinal);
        Assert.Equal([1, 3], await Store(runtime).ListReleasesAsync(Spec.Name, Spec.Version));
        Assert.Empty(await ReleaseBlobsAsync(runtime, 2));
        Assert.Empty(await ReleaseBlobsAsync(runtime, 4));
        Assert.Equal(release3, await ReleaseBlobsAsync(runtime, 3));
    }

    [Fact]
    public async Task Publish_RetriedAfterItsDecision_CommitsAndALaterTerminationFindsThePublishDecided()
    {
        // Arrange: attempt 1 decided and died; the run was not terminated, so the orchestration retries the publish.
        var runtime = await PublishedAsync();
        var (output, quality, ingested) = await GatedAsync(runtime, _runId);
        var attempts = 0;
        _fault = (point, runId) => point == PipelineFaults.AfterDecision && runId == _runId && ++attempts == 1 ? throw new IOException("host died") : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => PublishAsync(runtime, _runId, output, quality, ingested));

        // Act
        var published = await PublishAsync(runtime, _runId, output, quality, ingested);
        var late = await RunDecision.TerminateAsync(runtime, Spec, _runId, CancellationToken.None);

        // Assert
        Assert.Equal(2, published.Release);
        Assert.Equal([1, 2], await Store(runtime).ListReleasesAsync(Spec.Name, Spec.Version));
        Assert.Equal((RunDecisionKind.Publish, 2), (late.Kind, late.Manifest!.Release));
        Assert.Equal(2, (await SettleAsync(runtime, _runId)).Published!.Release);
    }

    [Fact]
    public async Task Archive_RunTerminatedBeforeItStarted_MovesNothingTheInputStaysInLanding()
    {
        // Arrange
        var runtime = await PublishedAsync();
        var planned = await LandAsync(runtime, _runId);
        var ingested = await IngestAsync(runtime, _runId, planned);
        await TerminateAsync(runtime, _runId);

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => new ArchiveActivity(runtime).RunAsync(
            new Context(_runId, nameof(ArchiveActivity)), new ArchiveInput(_runId, ProductId, Spec.Version, 1, [ingested.Blob])));

        // Assert: where the cancellation says it is.
        Assert.Contains("was terminated (cancelled or stuck) before this archive started: nothing done", error.Message, StringComparison.Ordinal);
        Assert.True((await Domain(runtime).Landing(Spec.Domain).GetBlobClient(planned.BlobName).ExistsAsync()).Value);
        Assert.False((await Domain(runtime).Archive(Spec.Domain).GetBlobClient(planned.BlobName).ExistsAsync()).Value);
    }

    [Fact]
    public async Task Quarantine_RunTerminatedBeforeItStarted_MovesNothingTheInputStaysInLanding()
    {
        // Arrange
        var runtime = await PublishedAsync();
        var planned = await LandAsync(runtime, _runId);
        await TerminateAsync(runtime, _runId);

        // Act
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => new QuarantineActivity(runtime).RunAsync(
            new Context(_runId, nameof(QuarantineActivity)), new QuarantineInput(_runId, ProductId, [planned.BlobName], "transform", "a failure", null)));

        // Assert
        Assert.Contains("was terminated (cancelled or stuck) before this quarantine started: nothing done", error.Message, StringComparison.Ordinal);
        Assert.True((await Domain(runtime).Landing(Spec.Domain).GetBlobClient(planned.BlobName).ExistsAsync()).Value);
        Assert.False((await Domain(runtime).Quarantine(Spec.Domain).GetBlobClient(planned.BlobName).ExistsAsync()).Value);
    }

    /// <summary>A runtime on a fresh mesh (the sales view) whose product has release 1, published through the stages themselves.</summary>
    private async Task<PipelineRuntime> PublishedAsync()
    {
        var mesh = azurite.CreateMesh();
        var runtime = new PipelineRuntime(
            mesh.Storage, Products, new QueueProductEventPublisher(mesh.Storage),
            new PipelineOptions { WorkDirectory = _work, MaskingKey = "TerminatedStageSalt1", Faults = new PipelineFaults((point, runId) => _fault(point, runId)) })
        {
            DomainStorage = domain => mesh.Pipeline(domain),
        };
        foreach (var container in new[] { Domain(runtime).Landing(Spec.Domain), Domain(runtime).Staging(Spec.Domain), Domain(runtime).Products(Spec.Domain), Domain(runtime).Quarantine(Spec.Domain), Domain(runtime).Archive(Spec.Domain) })
        {
            await container.CreateIfNotExistsAsync();
        }

        var first = "first-" + _runId;
        var (output, quality, ingested) = await GatedAsync(runtime, first);
        Assert.Equal(1, (await PublishAsync(runtime, first, output, quality, ingested)).Release);
        return runtime;
    }

    /// <summary>Run <paramref name="runId"/> landed, ingested, transformed and past the quality gate.</summary>
    private async Task<(TransformResult Output, QualitySummary Quality, IngestedFile Ingested)> GatedAsync(PipelineRuntime runtime, string runId)
    {
        var ingested = await IngestAsync(runtime, runId, await LandAsync(runtime, runId));
        var output = await TransformAsync(runtime, runId, ingested);
        var quality = await QualityAsync(runtime, runId, output);
        Assert.True(quality.Passed);
        return (output, quality, ingested);
    }

    /// <summary>The product's sample uploaded into its landing path under the run's name, as resolve plans it.</summary>
    private static async Task<PlannedFile> LandAsync(PipelineRuntime runtime, string runId)
    {
        var sample = Directory.EnumerateFiles(Path.Combine(Spec.Directory, "samples")).Single();
        var input = Spec.Inputs.Single(i => i.IsLanding);
        var blobName = input.Landing!.Path + runId + ".csv";
        var uploaded = (await Domain(runtime).Landing(Spec.Domain).GetBlobClient(blobName).UploadAsync(sample, overwrite: true)).Value;
        return new PlannedFile(input.Name, blobName, 0) { ETag = uploaded.ETag.ToString() };
    }

    /// <summary>What a terminated run's clean-up (StuckRunFailure) does: marks the run, then empties its staging prefix and folder.</summary>
    private static Task TerminateAsync(PipelineRuntime runtime, string runId) =>
        new CleanUpActivity(runtime).RunAsync(new Context(runId, nameof(CleanUpActivity)), new CleanUpInput(runId, ProductId) { Terminated = true });

    /// <summary>The clean-up's first step alone: the run decided terminated.</summary>
    private static Task MarkAsync(PipelineRuntime runtime, string runId) =>
        RunDecision.TerminateAsync(runtime, Spec, runId, CancellationToken.None);

    private static Task<SettledRun> SettleAsync(PipelineRuntime runtime, string runId) =>
        new SettleRunActivity(runtime).RunAsync(new Context(runId, nameof(SettleRunActivity)), new SettleRunInput(runId, ProductId));

    private static Task<IngestedFile> IngestAsync(PipelineRuntime runtime, string runId, PlannedFile planned) =>
        new IngestActivity(runtime).RunAsync(new Context(runId, nameof(IngestActivity)), new IngestInput(runId, ProductId, planned));

    private static Task<TransformResult> TransformAsync(PipelineRuntime runtime, string runId, IngestedFile ingested) =>
        new TransformActivity(runtime).RunAsync(new Context(runId, nameof(TransformActivity)), new TransformInput(runId, ProductId, [ingested]));

    private static Task<QualitySummary> QualityAsync(PipelineRuntime runtime, string runId, TransformResult output) =>
        new QualityCheckActivity(runtime).RunAsync(new Context(runId, nameof(QualityCheckActivity)), new QualityCheckInput(runId, ProductId, output));

    private static Task<PublishResult> PublishAsync(PipelineRuntime runtime, string runId, TransformResult output, QualitySummary quality, IngestedFile ingested) =>
        new PublishActivity(runtime).RunAsync(new Context(runId, nameof(PublishActivity)), new PublishInput(runId, ProductId, output, quality, [ingested]));

    private static MeshStorage Domain(PipelineRuntime runtime) => runtime.StorageFor(Spec.Domain);

    private static ReleaseStore Store(PipelineRuntime runtime) => new(Domain(runtime).Products(Spec.Domain));

    /// <summary>Every blob of a release folder (claim, files, contract, manifest) by name, with its bytes as Base64.</summary>
    private static async Task<SortedDictionary<string, string>> ReleaseBlobsAsync(PipelineRuntime runtime, int release)
    {
        var container = Domain(runtime).Products(Spec.Domain);
        var blobs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = ReleaseStore.Folder(Spec.Name, Spec.Version, release) }))
        {
            blobs[blob.Name] = Convert.ToBase64String((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray());
        }

        return blobs;
    }

    private static async Task<List<string>> StagedAsync(PipelineRuntime runtime, string runId)
    {
        var staged = new List<string>();
        await foreach (var blob in Domain(runtime).Staging(Spec.Domain).GetBlobsAsync(new GetBlobsOptions { Prefix = StagedOutput.Prefix(Spec.Name, runId) }))
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

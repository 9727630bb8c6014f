using DataMesh.Events;
using DataMesh.Governance;
using DataMesh.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Pipeline;

/// <summary>What the pipeline activities need from their host: storage, products, engine options, events.</summary>
public sealed class PipelineRuntime(
    MeshStorage storage,
    IProductRegistry products,
    IProductEventPublisher events,
    PipelineOptions? options = null,
    ILoggerFactory? loggerFactory = null,
    TimeProvider? timeProvider = null,
    MeshPolicies? policies = null)
{
    /// <summary>The mesh-wide policies (<c>pipelines/mesh.yaml</c>) enforced again at publish; null when the mesh has none.</summary>
    public MeshPolicies? Policies { get; } = policies;

    public MeshStorage Storage { get; } = storage;

    public IProductRegistry Products { get; } = products;

    public IProductEventPublisher Events { get; } = events;

    /// <summary>Announcements recorded before they are sent, until the topic accepted them (table <c>Outbox</c> of <see cref="Storage"/>).</summary>
    public AnnouncementOutbox Outbox { get; } = new(storage, timeProvider);

    public PipelineOptions Options { get; } = options ?? new PipelineOptions();

    public ILoggerFactory LoggerFactory { get; } = loggerFactory ?? NullLoggerFactory.Instance;

    public TimeProvider Time { get; } = timeProvider ?? TimeProvider.System;

    /// <summary>Where the run's OpenLineage events are posted as they happen (<c>OPENLINEAGE_URL</c>); null: catalog only.</summary>
    public Lineage.OpenLineageTransport? OpenLineage { get; init; }

    /// <summary>The OpenLineage namespace of jobs and product datasets.</summary>
    public string LineageNamespace { get; init; } = "datamesh";

    /// <summary>The local folder of one run (created on demand).</summary>
    public RunWorkspace Workspace(string runId) => new(Path.Combine(Options.WorkDirectory, RunWorkspace.SafeName(runId)));

    /// <summary>Where finished run folders go to be deleted in the background.</summary>
    public WorkspaceTrash Trash => LazyInitializer.EnsureInitialized(ref _trash, () => new WorkspaceTrash(Options.WorkDirectory, LoggerFactory.CreateLogger<WorkspaceTrash>()));

    private WorkspaceTrash? _trash;
}

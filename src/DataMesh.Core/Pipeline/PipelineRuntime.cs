using DataMesh.Events;
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
    TimeProvider? timeProvider = null)
{
    public MeshStorage Storage { get; } = storage;

    public IProductRegistry Products { get; } = products;

    public IProductEventPublisher Events { get; } = events;

    public PipelineOptions Options { get; } = options ?? new PipelineOptions();

    public ILoggerFactory LoggerFactory { get; } = loggerFactory ?? NullLoggerFactory.Instance;

    public TimeProvider Time { get; } = timeProvider ?? TimeProvider.System;

    /// <summary>The local folder of one run (created on demand).</summary>
    public RunWorkspace Workspace(string runId) => new(Path.Combine(Options.WorkDirectory, RunWorkspace.SafeName(runId)));
}

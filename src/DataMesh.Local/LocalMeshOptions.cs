using DataMesh.Events;
using DataMesh.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Local;

/// <summary>Where a local mesh lives and what it runs.</summary>
public sealed class LocalMeshOptions
{
    /// <summary>The mesh's folder: its products are under <c>pipelines/</c> here.</summary>
    public string RootDirectory { get; set; } = Environment.CurrentDirectory;

    /// <summary>Mesh state (Azurite data, run folders); default <c>DATAMESH_HOME</c>, else <c>&lt;root&gt;/.datamesh</c>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Storage connection string; default <c>DATAMESH_STORAGE</c>, else the embedded Azurite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A running Azurite to use (not stopped by the mesh), e.g. a test run's; when it serves the mesh's accounts
    /// (<see cref="Azurite.AzuriteOptions.AccountKeys"/>) every domain gets its own account. Takes precedence over
    /// <see cref="ConnectionString"/>.
    /// </summary>
    public Azurite.AzuriteServer? Azurite { get; set; }

    /// <summary>Prefix of every container, queue, table and task hub (lowercase letters and digits), to share an account.</summary>
    public string Namespace { get; set; } = "";

    /// <summary>
    /// The name the durable task hub of the mesh's runs starts with (<see cref="Namespace"/> follows it); default
    /// <c>DATAMESH_TASKHUB</c>, else <c>DataMesh</c>. Two meshes sharing one storage account (<c>DATAMESH_STORAGE</c>, or one Azurite) must use
    /// different hubs: a worker takes any orchestration or activity of its hub, so one mesh's host would run (and fail)
    /// the other's runs, whose products it does not serve. Every process of one mesh (<c>up</c>, <c>run</c>,
    /// <c>drop</c>, <c>runs cancel</c>) must use the same hub.
    /// </summary>
    public string? TaskHub { get; set; } = Environment.GetEnvironmentVariable(TaskHubVariable) is { Length: > 0 } hub ? hub : null;

    /// <summary>The environment variable naming the task hub (<see cref="TaskHub"/>).</summary>
    public const string TaskHubVariable = "DATAMESH_TASKHUB";

    /// <summary>The task hub after defaults; throws naming the setting when the name is not one storage accepts.</summary>
    public string ResolveTaskHub()
    {
        var hub = (TaskHub ?? "DataMesh") + (Namespace.Length == 0 ? "" : Namespace.ToUpperInvariant()[..1] + Namespace[1..]);

        // Its tables ("<hub>Instances") take letters and digits only; its queues and lease container lower-case it.
        if (hub.Length is < 3 or > 45 || !char.IsAsciiLetter(hub[0]) || !hub.All(char.IsAsciiLetterOrDigit))
        {
            throw new InvalidOperationException(
                $"Task hub '{hub}' ({TaskHubVariable}, or the namespace) is not a valid name: 3 to 45 ASCII letters and digits, starting with a letter.");
        }

        return hub;
    }

    /// <summary>Product folders served besides those under <c>pipelines/</c> (e.g. <c>datamesh run ./elsewhere</c>).</summary>
    public IList<string> ExtraProductDirectories { get; } = [];

    /// <summary>Skip the products under <c>pipelines/</c> (serve only <see cref="ExtraProductDirectories"/>).</summary>
    public bool LoadPipelinesFolder { get; set; } = true;

    /// <summary>
    /// The mesh policies the publish gate holds runs to. Null: <c>pipelines/mesh.yaml</c> (else the built-in baseline)
    /// when <see cref="LoadPipelinesFolder"/> is set, none otherwise; <c>datamesh run</c> sets it as validate resolves it.
    /// </summary>
    public DataMesh.Governance.MeshPolicies? Policies { get; set; }

    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>
    /// When this fires (a CLI command's Ctrl+C), the mesh cancels every run it started that has not ended
    /// (<see cref="LocalMesh.CancelStartedRunsAsync"/>, within <see cref="CancelWithin"/>) and its disposal waits for that
    /// before it stops; <see cref="InterruptedBy"/> is who the runs' errors name. Default: never.
    /// </summary>
    public CancellationToken Interrupt { get; set; }

    /// <summary>Who cancels the runs when <see cref="Interrupt"/> fires, as the runs' errors say (e.g. "Ctrl+C in datamesh run").</summary>
    public string InterruptedBy { get; set; } = "an interrupt";

    /// <summary>How long the cancellation on <see cref="Interrupt"/> may take before the process moves on (what is left is finished by the next host's detector).</summary>
    public TimeSpan CancelWithin { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// Age at which an announcement still in the outbox is re-sent (at start and every 30 s while serving); default
    /// <see cref="OutboxRelay.DefaultGracePeriod"/>, past the pipeline's own announcement retries.
    /// </summary>
    public TimeSpan OutboxGracePeriod { get; set; } = OutboxRelay.DefaultGracePeriod;

    /// <summary>An OpenLineage endpoint runs post their events to as they happen; default from <c>OPENLINEAGE_URL</c> (+ <c>OPENLINEAGE_ENDPOINT</c>).</summary>
    public Uri? OpenLineageEndpoint { get; set; } = DataMesh.Lineage.OpenLineageTransport.ResolveEndpoint(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Age at which a run still running is failed as stuck (terminated, <c>PipelineRunFailed</c> announced, workspace
    /// cleaned, landing input kept); checked at start and then periodically. Default
    /// <see cref="Durable.StuckRunDetector.DefaultBound"/> (1 hour).
    /// </summary>
    public TimeSpan StuckRunAfter { get; set; } = Durable.StuckRunDetector.DefaultBound;

    /// <summary>
    /// How long an activity in flight on a host that died (killed, crashed) waits before a new host takes it over: the
    /// durable engine's work-item message visibility and partition lease. Default 20 s; at least 10 s
    /// (<see cref="Durable.LocalDurableEngine.MinimumTakeOverAfter"/>: running activities renew every 5 s, and a renewal
    /// may be a whole interval late). An orchestration episode in flight there waits up to 60 s (the control queue's visibility,
    /// <see cref="Durable.LocalDurableEngine.ControlQueueVisibility"/>, or this if longer).
    /// </summary>
    public TimeSpan TakeOverAfter { get; set; } = Durable.LocalDurableEngine.DefaultTakeOverAfter;

    /// <summary>
    /// How long an expired release's files stay after it left the listings (<c>output.retention</c>), so readers that
    /// picked it just before finish; default <see cref="DataMesh.Publishing.ReleaseRetentionOptions.DefaultGracePeriod"/> (24 h).
    /// </summary>
    public TimeSpan RetentionGracePeriod { get; set; } = DataMesh.Publishing.ReleaseRetentionOptions.DefaultGracePeriod;

    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The host's meter factory, which makes the pipeline's meter (<see cref="DataMesh.Telemetry.PipelineMetrics"/>); null: one of the mesh's own, disposed with it.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; set; }

    /// <summary>The state folder after defaults.</summary>
    public string ResolveStateDirectory() =>
        StateDirectory
        ?? Environment.GetEnvironmentVariable("DATAMESH_HOME")
        ?? Path.Combine(RootDirectory, ".datamesh");
}

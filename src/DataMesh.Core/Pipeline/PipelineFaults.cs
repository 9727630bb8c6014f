namespace DataMesh.Pipeline;

/// <summary>
/// A test seam for fault tests: the stage activities call <see cref="InjectAsync"/> right after their side effect
/// (publish also just before its manifest), so a test can make an activity fail after it did its work (and be
/// retried) or kill the host at that point. <see cref="None"/>, the default, does nothing; hosts never set another.
/// </summary>
public sealed class PipelineFaults
{
    /// <summary>After resolve planned the run's files (their versions pinned).</summary>
    public const string AfterResolve = "resolve";

    /// <summary>After ingest copied and inspected a landing file into the run folder.</summary>
    public const string AfterIngest = "ingest";

    /// <summary>After the transform staged its output.</summary>
    public const string AfterTransform = "transform";

    /// <summary>After the quality gate evaluated the staged output.</summary>
    public const string AfterQuality = "quality";

    /// <summary>After publish claimed its release and uploaded the data files, before the manifest.</summary>
    public const string BeforeManifest = "publish-before-manifest";

    /// <summary>After publish decided the run published (<see cref="RunDecision"/>), before the manifest.</summary>
    public const string AfterDecision = "publish-after-decision";

    /// <summary>After publish wrote the manifest (the release exists), before the activity returns.</summary>
    public const string AfterManifest = "publish-after-manifest";

    /// <summary>At the start of each quarantine attempt, before anything moved.</summary>
    public const string BeforeQuarantine = "quarantine";

    /// <summary>After archive copied a published run's landing inputs, before it deletes them from landing.</summary>
    public const string AfterArchiveCopy = "archive-after-copy";

    /// <summary>After the announcement was accepted by the topic, before the activity returns.</summary>
    public const string AfterAnnounce = "announce";

    /// <summary>Every point a run passes on its way to a release, in order: where the host-kill tests kill it.</summary>
    public static IReadOnlyList<string> RunStages { get; } = [AfterResolve, AfterIngest, AfterTransform, AfterQuality, BeforeManifest, AfterDecision, AfterManifest, AfterAnnounce];

    private readonly Func<string, string, Task> _inject;

    /// <summary>A seam that runs <paramref name="inject"/> with the point (one of the constants) and the run id.</summary>
    public PipelineFaults(Func<string, string, Task> inject)
    {
        ArgumentNullException.ThrowIfNull(inject);
        _inject = inject;
    }

    /// <summary>No faults: what every host runs with.</summary>
    public static PipelineFaults None { get; } = new(static (_, _) => Task.CompletedTask);

    /// <summary>Called by the activities at <paramref name="point"/> of run <paramref name="runId"/>.</summary>
    public Task InjectAsync(string point, string runId) => _inject(point, runId);
}

using System.Diagnostics.CodeAnalysis;
using DataMesh.Pipeline;

namespace DataMesh.Triggers;

/// <summary>What one delivery on <c>pipeline-triggers</c> leads to: a pipeline run to start, or why it starts none.</summary>
public sealed record TriggerRoute
{
    private TriggerRoute(PipelineRequest? request, string reason)
    {
        Request = request;
        Reason = reason;
    }

    /// <summary>The run to start; null when the delivery is dropped.</summary>
    public PipelineRequest? Request { get; }

    /// <summary>Why the delivery starts this run, or why it is dropped; for the log.</summary>
    public string Reason { get; }

    [MemberNotNullWhen(true, nameof(Request))]
    public bool StartsRun => Request is not null;

    /// <summary>A delivery that starts <paramref name="request"/>.</summary>
    public static TriggerRoute Run(PipelineRequest request, string reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new TriggerRoute(request, reason);
    }

    /// <summary>A well-formed delivery that starts nothing (another container, an uncommitted write, an unknown path...).</summary>
    public static TriggerRoute Drop(string reason) => new(null, reason);
}

using DataMesh.Specs;

namespace DataMesh.Pipeline;

/// <summary>Runs one attempt of a stage within the product's limit for it (<see cref="StageLimits"/>).</summary>
public static class StageTimeLimit
{
    /// <summary>
    /// Runs <paramref name="work"/> with a token cancelled once the stage's limit has passed; the work passes it to its
    /// storage calls and DuckDB sessions, which stop on it. Past the limit the stage fails with
    /// <see cref="StageTimeLimitException"/>, saying which limit and how to change it.
    /// </summary>
    /// <param name="spec">The run's product.</param>
    /// <param name="stage">The stage, whose limit applies.</param>
    /// <param name="work">The stage's work.</param>
    /// <param name="runCancelled">Fires when this host cancels the run (<see cref="PipelineRuntime.CancelInProcess"/>): the work stops too.</param>
    public static async Task<T> RunAsync<T>(ProductSpec spec, string stage, Func<CancellationToken, Task<T>> work, CancellationToken runCancelled = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(work);
        var limit = spec.Limits.For(stage);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(runCancelled);
        deadline.CancelAfter(limit);
        try
        {
            return await work(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !runCancelled.IsCancellationRequested && ex is OperationCanceledException or AggregateException or Azure.RequestFailedException)
        {
            throw new StageTimeLimitException(stage, Describe(spec, stage, limit), ex);
        }
    }

    /// <summary>The reason a run gives when <paramref name="stage"/> ran past its limit.</summary>
    public static string Describe(ProductSpec spec, string stage, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (StageLimits.PlatformStages.Contains(stage))
        {
            return $"{spec.Id}: the {stage} stage ran past its platform time limit of {System.Xml.XmlConvert.ToString(limit)} and was stopped "
                + "(storage or the event topic answered too slowly); the run still ends: an input not quarantined stays in landing, "
                + "an announcement not sent stays in the outbox for the relay, staged data not deleted goes with the next clean-up.";
        }

        return $"{spec.Id}: the {stage} stage ran past its time limit of {System.Xml.XmlConvert.ToString(limit)} and was stopped. "
            + $"The input is not at fault: it is quarantined only so that no restart runs it again. Make the transform cheaper "
            + $"(e.g. bound a recursive query) or raise 'limits: {{ {stage}: ... }}' in {Path.GetFileName(spec.SpecPath)}, then replay it.";
    }
}

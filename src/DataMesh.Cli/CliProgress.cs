using DataMesh.Pipeline;
using Spectre.Console;

namespace DataMesh.Cli;

/// <summary>
/// Live progress of a pipeline run: a spinner with the current stage on a terminal (cleared when done), one line per
/// stage on stderr otherwise, nothing with <c>--json</c> (stdout then holds only the JSON document).
/// </summary>
internal static class CliProgress
{
    public static Task<T> RunAsync<T>(bool quiet, string label, Func<IProgress<RunProgress>?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);

        // Quiet: no reporter at all, so the engine does not even read the run's status.
        return quiet ? work(null) : StepsAsync(quiet: false, label, step => work(new Reporter(p => step(p.ToString()))));
    }

    /// <summary>Live steps of any long operation (e.g. a query over a large release): same rules as a run's progress.</summary>
    public static async Task<T> StepsAsync<T>(bool quiet, string label, Func<Action<string>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (quiet)
        {
            return await work(_ => { }).ConfigureAwait(false);
        }

        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await work(step => Console.Error.WriteLine($"  {label}: {step}")).ConfigureAwait(false);
        }

        return await AnsiConsole.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(label), async context =>
            await work(step => context.Status($"{Markup.Escape(label)}: [bold]{Markup.Escape(step)}[/]")).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to a pool thread and could report late).</summary>
    private sealed class Reporter(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}

using System.CommandLine;
using DataMesh.Local;
using DataMesh.Pipeline;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh runs cancel RUN_ID</c>: cancels a run that <c>datamesh up</c> executes for the mesh of the current
/// directory (<see cref="RunCancellation"/>): terminated through a client on the mesh's task hub, its failure announced
/// with reason <c>cancelled</c> and recorded in the catalog, its workspace cleaned, its landing input kept.
/// </summary>
internal static class RunsCancelCommand
{
    // How long to wait for the serving worker to apply the termination and announce the failure.
    private static readonly TimeSpan AnnounceWithin = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var runId = new Argument<string>("RUN_ID") { Description = "The run to cancel (printed by `run`/`drop`, the runs' events and the catalog)." };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("cancel", "Cancel a run of the local mesh (`datamesh up` runs it): nothing published, its landing input kept, recorded as cancelled.")
        {
            runId, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(runId)!;
            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            var (outcome, announced, committed) = await LocalMesh.CancelRunAsync(
                new LocalMeshOptions { LoggerFactory = loggerFactory }, id, "datamesh runs cancel", AnnounceWithin, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                CliJson.Write(new { runId = id, outcome, announced, committedRelease = committed });
            }
            else
            {
                await Console.Out.WriteLineAsync(outcome switch
                {
                    RunCancellationOutcome.Terminated when committed is { } release => $"Run {id} terminated too late: its publish had already committed release {release}, which stands; announced (ProductVersionPublished) and recorded as Published.",
                    RunCancellationOutcome.Terminated when announced => $"Run {id} cancelled: nothing published, its landing input kept; announced (PipelineRunFailed, reason 'cancelled') and recorded as Cancelled.",
                    RunCancellationOutcome.Terminated => $"Run {id} terminated; its cancellation is announced and recorded once `datamesh up` serves this mesh again (its landing input is kept).",
                    RunCancellationOutcome.AlreadyEnded => $"Run {id} has already ended: nothing to cancel (`datamesh catalog show` has its outcome).",
                    _ => $"No run '{id}' in the local mesh of {Environment.CurrentDirectory}.",
                }).ConfigureAwait(false);
            }

            return outcome switch
            {
                // Too late is as "already ended": the cancellation did not stop the release.
                RunCancellationOutcome.Terminated when committed is not null => ExitCodes.CheckFailed,
                RunCancellationOutcome.Terminated => ExitCodes.Success,
                RunCancellationOutcome.AlreadyEnded => ExitCodes.CheckFailed,
                _ => ExitCodes.UsageOrEnvironment,
            };
        });
        return command;
    }
}

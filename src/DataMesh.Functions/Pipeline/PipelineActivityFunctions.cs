using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker;

namespace DataMesh.Functions.Pipeline;

/// <summary>
/// The pipeline's activity functions: each runs the Core activity of the same name. Activities run at least once;
/// the Core activities are idempotent.
/// </summary>
public sealed class PipelineActivityFunctions(PipelineRuntime runtime)
{
    [Function(nameof(ResolveInputsActivity))]
    public Task<IngestPlan> ResolveInputsAsync([ActivityTrigger] ResolveInputsInput input, FunctionContext context) =>
        new ResolveInputsActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(ResolveInputsActivity), context), input);

    [Function(nameof(IngestActivity))]
    public Task<IngestedFile> IngestAsync([ActivityTrigger] IngestInput input, FunctionContext context) =>
        new IngestActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(IngestActivity), context), input);

    [Function(nameof(TransformActivity))]
    public Task<TransformResult> TransformAsync([ActivityTrigger] TransformInput input, FunctionContext context) =>
        new TransformActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(TransformActivity), context), input);

    [Function(nameof(QualityCheckActivity))]
    public Task<QualitySummary> QualityCheckAsync([ActivityTrigger] QualityCheckInput input, FunctionContext context) =>
        new QualityCheckActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(QualityCheckActivity), context), input);

    [Function(nameof(PublishActivity))]
    public Task<PublishResult> PublishAsync([ActivityTrigger] PublishInput input, FunctionContext context) =>
        new PublishActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(PublishActivity), context), input);

    [Function(nameof(QuarantineActivity))]
    public Task<IReadOnlyList<string>> QuarantineAsync([ActivityTrigger] QuarantineInput input, FunctionContext context) =>
        new QuarantineActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(QuarantineActivity), context), input);

    [Function(nameof(ArchiveActivity))]
    public Task<IReadOnlyList<string>> ArchiveAsync([ActivityTrigger] ArchiveInput input, FunctionContext context) =>
        new ArchiveActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(ArchiveActivity), context), input);

    [Function(nameof(AnnounceActivity))]
    public Task<string> AnnounceAsync([ActivityTrigger] AnnounceInput input, FunctionContext context) =>
        new AnnounceActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(AnnounceActivity), context), input);

    [Function(nameof(CleanUpActivity))]
    public Task<bool> CleanUpAsync([ActivityTrigger] CleanUpInput input, FunctionContext context) =>
        new CleanUpActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(CleanUpActivity), context), input);

    [Function(nameof(SettleRunActivity))]
    public Task<SettledRun> SettleRunAsync([ActivityTrigger] SettleRunInput input, FunctionContext context) =>
        new SettleRunActivity(runtime).RunAsync(FunctionActivityContext.For(nameof(SettleRunActivity), context), input);
}

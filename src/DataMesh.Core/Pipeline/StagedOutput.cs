using Azure;

namespace DataMesh.Pipeline;

/// <summary>A run's transform output staged in the domain's <c>staging</c> container, so later stages can run anywhere.</summary>
internal static class StagedOutput
{
    public static string BlobName(string productName, string runId) => $"{productName}/{RunWorkspace.SafeName(runId)}/{TransformActivity.PartFileName}";

    /// <summary>The local copy of the staged output, downloaded when this machine does not have it.</summary>
    public static async Task<string> EnsureLocalAsync(PipelineRuntime runtime, string domain, RunWorkspace workspace, TransformResult output, CancellationToken cancellationToken)
    {
        var localPath = Path.Combine(workspace.OutputDirectory, TransformActivity.PartFileName);
        if (File.Exists(localPath))
        {
            return localPath;
        }

        Directory.CreateDirectory(workspace.OutputDirectory);
        try
        {
            await runtime.Storage.Staging(domain).GetBlobClient(output.StagedBlob).DownloadToAsync(localPath, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new PipelineStageException("publish", $"Staged output '{output.StagedBlob}' is gone; the run must be started again.", ex);
        }

        return localPath;
    }
}

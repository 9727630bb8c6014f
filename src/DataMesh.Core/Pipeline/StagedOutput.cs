using Azure;

namespace DataMesh.Pipeline;

/// <summary>A run's transform output staged in the domain's <c>staging</c> container, so later stages can run anywhere.</summary>
internal static class StagedOutput
{
    /// <summary>Blob prefix of a run's staged files: <c>&lt;product&gt;/&lt;runId&gt;/</c>.</summary>
    public static string Prefix(string productName, string runId) => $"{productName}/{RunWorkspace.SafeName(runId)}/";

    /// <summary>
    /// Blob deciding what became of a run that may be terminated (cancelled, or stuck) while its stages still run
    /// (<see cref="RunDecision"/>): <c>&lt;product&gt;/&lt;runId&gt;.decision</c>, beside its prefix (a clean-up empties the
    /// prefix, not the decision; the container's expiry takes it). A stage that a terminated orchestration had scheduled
    /// still runs, on any instance: it finds the run decided terminated and stages nothing.
    /// </summary>
    public static string DecisionBlob(string productName, string runId) => $"{productName}/{RunWorkspace.SafeName(runId)}.decision";

    /// <summary>The Parquet files under a local output folder, as '/'-separated relative paths, sorted.</summary>
    public static List<string> ListFiles(string outputDirectory) =>
        Directory.EnumerateFiles(outputDirectory, "*.parquet", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(outputDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Local paths of the staged output, downloaded when this machine does not have them (another instance ran the transform).</summary>
    public static async Task<List<string>> EnsureLocalAsync(PipelineRuntime runtime, string domain, RunWorkspace workspace, TransformResult output, CancellationToken cancellationToken)
    {
        var staging = runtime.StorageFor(domain).Staging(domain);
        var paths = new List<string>();
        foreach (var file in output.Files)
        {
            var localPath = Path.Combine(workspace.OutputDataDirectory, file.Replace('/', Path.DirectorySeparatorChar));
            paths.Add(localPath);
            if (File.Exists(localPath))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(localPath)!);
            try
            {
                await staging.GetBlobClient(output.StagedBlob + file).DownloadToAsync(localPath, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                throw new InvalidOperationException($"Staged output '{output.StagedBlob}{file}' is gone; the run must be started again.", ex);
            }
        }

        return paths;
    }
}

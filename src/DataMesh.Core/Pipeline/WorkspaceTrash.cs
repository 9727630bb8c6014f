using Microsoft.Extensions.Logging;

namespace DataMesh.Pipeline;

/// <summary>
/// Takes finished run folders out of the way at once and deletes them in the background: a run's end does not wait
/// for the file system to free its input copies (a 259 MB CSV takes 25–100 ms to delete here). A folder is renamed
/// into <c>&lt;work&gt;/.trash/</c> (same file system: atomic), then the whole trash is emptied on a pool thread, so
/// folders a stopped process left there go with the next one.
/// </summary>
public sealed class WorkspaceTrash(string workDirectory, ILogger logger)
{
    /// <summary>The trash folder; run folder names never start with a dot (<see cref="RunWorkspace.SafeName"/>).</summary>
    public string Directory { get; } = Path.Combine(workDirectory, ".trash");

    /// <summary>Moves <paramref name="workspace"/> into the trash (deleting it in place if it cannot be moved) and empties the trash in the background.</summary>
    /// <returns>The emptying of the trash, for callers that must wait for it (tests); a run does not.</returns>
    public Task Discard(RunWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (System.IO.Directory.Exists(workspace.Root))
        {
            try
            {
                System.IO.Directory.CreateDirectory(Directory);
                System.IO.Directory.Move(workspace.Root, Path.Combine(Directory, $"{Path.GetFileName(workspace.Root)}-{Guid.NewGuid():N}"));
            }
            catch (IOException)
            {
                workspace.Delete();
            }
        }

        return Task.Run(Empty);
    }

    /// <summary>Deletes everything in the trash; what another emptying deletes first is skipped, a failure is logged.</summary>
    private void Empty()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory))
        {
            try
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "Could not delete the finished run folder {Folder}; the next run's clean-up tries again.", folder);
            }
        }
    }
}

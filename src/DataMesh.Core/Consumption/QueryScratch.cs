namespace DataMesh.Consumption;

/// <summary>
/// The private scratch folder of one consumer query (<c>datamesh-query-*</c> under the temp path): DuckDB's spill and a
/// Parquet result before it is moved out. The owner deletes it when the query ends, however it ends; a process killed
/// meanwhile cannot, so each new query first sweeps the folders no live process holds. A folder is held through its
/// <c>.lock</c> file, opened exclusively for the query's lifetime (<c>flock</c> on Linux and macOS, a share mode on
/// Windows: the operating system releases it when the process dies).
/// </summary>
public static class QueryScratch
{
    private const string Prefix = "datamesh-query-";
    private const string LockName = ".lock";

    // Held for the process's lifetime per folder it created; released by Delete (or by the process dying).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, FileStream> Held = new(StringComparer.Ordinal);

    /// <summary>Creates a new scratch folder under <paramref name="parent"/>, held by this process until <see cref="Delete"/>.</summary>
    public static string Create(string parent)
    {
        var folder = Path.Combine(parent, Prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        Held[folder] = new FileStream(Path.Combine(folder, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        return folder;
    }

    /// <summary>Deletes a folder made by <see cref="Create"/> with everything in it.</summary>
    public static void Delete(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (Held.TryRemove(folder, out var lockFile))
        {
            lockFile.Dispose();
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Deletes the scratch folders under <paramref name="parent"/> that no live query holds (left by a killed one).
    /// Folders it cannot delete are left for the next sweep: a sweep never fails the query that runs it.
    /// </summary>
    /// <returns>The folders deleted.</returns>
    public static IReadOnlyList<string> SweepStale(string parent)
    {
        var swept = new List<string>();
        if (!Directory.Exists(parent))
        {
            return swept;
        }

        foreach (var folder in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            if (Held.ContainsKey(folder))
            {
                continue;
            }

            try
            {
                // Held by a live query: the exclusive open fails. A folder without a lock file yet may be one being
                // created this instant: left alone unless it is old.
                var lockPath = Path.Combine(folder, LockName);
                if (!File.Exists(lockPath))
                {
                    if (Directory.GetLastWriteTimeUtc(folder) > DateTime.UtcNow.AddMinutes(-10))
                    {
                        continue;
                    }
                }
                else
                {
                    using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                }

                Directory.Delete(folder, recursive: true);
                swept.Add(folder);
            }
            catch (IOException)
            {
                // Held by a live query, or removed by another sweep meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's folder in a shared temp path: not ours to remove.
            }
        }

        return swept;
    }
}

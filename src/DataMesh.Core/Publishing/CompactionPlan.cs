using DataMesh.Specs;

namespace DataMesh.Publishing;

/// <summary>
/// A compaction prepared by <see cref="ReleaseCompactor.PrepareAsync"/> and not yet committed: the snapshot it was built
/// from, the files it wrote locally and the files it keeps by reference. Dispose it to delete the local files.
/// </summary>
public sealed class CompactionPlan : IDisposable
{
    internal CompactionPlan(string domain, string productName, string version, OutputMode mode, int basedOn, ReleaseManifest baseManifest, string workDirectory)
    {
        (Domain, ProductName, Version, Mode, BasedOn, BaseManifest, WorkDirectory) = (domain, productName, version, mode, basedOn, baseManifest, workDirectory);
    }

    public string Domain { get; }

    public string ProductName { get; }

    public string Version { get; }

    /// <summary>The product's output mode, recorded in the new release's changes.</summary>
    public OutputMode Mode { get; }

    /// <summary>The release compacted.</summary>
    public int BasedOn { get; }

    public ReleaseManifest BaseManifest { get; }

    /// <summary>Files written by compaction: the path in the new release's folder, the local file and its rows.</summary>
    public List<(string Path, string Local, long Rows, KeyRange? Key)> Written { get; } = [];

    /// <summary>Files of the base snapshot kept as they are, as the new manifest references them.</summary>
    public List<ReleaseFile> Referenced { get; } = [];

    internal string WorkDirectory { get; }

    /// <summary>True when compaction would reduce the number of files.</summary>
    public bool ReducesFiles => Written.Count + Referenced.Count < BaseManifest.Files.Count;

    /// <summary>True when compaction rewrites a file without the rows its deletion file drops.</summary>
    public bool FoldsDeletions => Written.Count > 0 && Referenced.Count(f => f.Deletes is not null) < BaseManifest.Files.Count(f => f.Deletes is not null);

    public void Dispose()
    {
        if (Directory.Exists(WorkDirectory))
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }
}

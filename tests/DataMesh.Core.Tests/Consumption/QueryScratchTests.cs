using DataMesh.Consumption;

namespace DataMesh.Core.Tests.Consumption;

/// <summary>A query's scratch folder (its spill) is removed when the query ends, and when a killed query left it.</summary>
public sealed class QueryScratchTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("dm-scratch-").FullName;

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Fact]
    public void SweepStale_FolderOfAKilledQuery_Deleted()
    {
        // A killed query leaves its folder and an unlocked lock file (the OS released the lock with the process).
        var left = Directory.CreateDirectory(Path.Combine(_parent, "datamesh-query-0123456789ab")).FullName;
        File.WriteAllText(Path.Combine(left, ".lock"), "");
        File.WriteAllBytes(Path.Combine(left, "spill.tmp"), new byte[1024]);

        var swept = QueryScratch.SweepStale(_parent);

        Assert.Equal([left], swept);
        Assert.False(Directory.Exists(left));
    }

    [Fact]
    public void SweepStale_FolderWhoseLockIsHeld_Kept()
    {
        // Another process's query: its lock file is open exclusively.
        var live = Directory.CreateDirectory(Path.Combine(_parent, "datamesh-query-ba9876543210")).FullName;
        using (new FileStream(Path.Combine(live, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var swept = QueryScratch.SweepStale(_parent);

            Assert.Empty(swept);
            Assert.True(Directory.Exists(live));
        }
    }

    [Fact]
    public void Delete_FolderOfThisProcess_Removed()
    {
        var live = QueryScratch.Create(_parent);
        try
        {
            QueryScratch.SweepStale(_parent);

            Assert.True(Directory.Exists(live));
        }
        finally
        {
            QueryScratch.Delete(live);
        }

        Assert.False(Directory.Exists(live));
    }
}

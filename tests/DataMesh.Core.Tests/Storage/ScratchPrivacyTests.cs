using System.Diagnostics;
using DataMesh.Core.Tests.Governance;
using DataMesh.Core.Tests.Publishing;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;
using SnapshotChain = DataMesh.Core.Tests.Publishing.SnapshotChain;

namespace DataMesh.Core.Tests.Storage;

/// <summary>
/// A run's scratch and a compaction's work folder hold rows in clear (restricted ones too): another OS user can neither
/// read them nor plant an entry there. Checked as another user for real: the tests run as root and act as
/// <c>nobody</c> through <c>setpriv</c>. Unix only (on Windows these folders are under the user's own profile).
/// </summary>
[Collection("azurite")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScratchPrivacyTests(AzuriteFixture azurite) : IDisposable
{
    private const UnixFileMode Open =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);

    // Entered by anyone (a temp subdirectory is 0700): only the folders under test may keep another user out.
    private readonly string _root = Traversable(Directory.CreateTempSubdirectory("datamesh-scratch-").FullName);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Workspace_RunsFolderLeftOpen_AnotherUserCanNeitherReadARunsRowsNorPlantAnEntry()
    {
        // Arrange: the folder of all runs as an earlier version (or an administrator) left it, open to all.
        var work = Path.Combine(_root, "runs");
        Directory.CreateDirectory(work);
        File.SetUnixFileMode(work, Open);
        var storage = azurite.CreateMeshStorage();
        var runtime = new PipelineRuntime(storage, Products, new QueueProductEventPublisher(storage), new PipelineOptions { WorkDirectory = work });

        // Act: a run copies a restricted input into its scratch.
        var workspace = runtime.Workspace("run-hr-1");
        var input = workspace.InputDirectory("salaries");
        Directory.CreateDirectory(input);
        var rows = Path.Combine(input, "salaries.csv");
        await File.WriteAllTextAsync(rows, "id,salary\n1,6304.65\n");

        // Assert: another user reads nothing and plants nothing, neither in the run's folder nor beside it (though
        // they enter the folder around it).
        Assert.Equal(0, AsAnotherUser($"ls '{_root}'"));
        Assert.NotEqual(0, AsAnotherUser($"cat '{rows}'"));
        Assert.NotEqual(0, AsAnotherUser($"ls '{work}'"));
        Assert.NotEqual(0, AsAnotherUser($"mkdir '{Path.Combine(work, "run-hr-2")}'"));
        Assert.NotEqual(0, AsAnotherUser($"touch '{Path.Combine(input, "planted.csv")}'"));
        Assert.Equal(["salaries.csv"], Directory.EnumerateFiles(input).Select(Path.GetFileName));
        Assert.Equal(["run-hr-1"], Directory.EnumerateDirectories(work).Select(Path.GetFileName));
    }

    [Fact]
    public void Workspace_RunsFolderIsTheSharedTempPath_RefusedNotClosed()
    {
        // Arrange: a sticky folder open to all, as the temp path itself is.
        var shared = Path.Combine(_root, "shared-tmp");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, Open | UnixFileMode.StickyBit);
        var storage = azurite.CreateMeshStorage();
        var runtime = new PipelineRuntime(storage, Products, new QueueProductEventPublisher(storage), new PipelineOptions { WorkDirectory = shared });

        // Act
        var refused = Assert.Throws<UnauthorizedAccessException>(() => runtime.Workspace("run-1"));

        // Assert: other users' folder left as it was, the error says what to do.
        Assert.Equal(Open | UnixFileMode.StickyBit, File.GetUnixFileMode(shared));
        Assert.Contains("folder of its own", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_CompactionUnderTheTempPath_AnotherUserCanNeitherReadTheRewrittenRowsNorPlantAFile()
    {
        // Arrange: a snapshot of small files, compacted in an open folder (the temp path is the default).
        var work = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(work);
        File.SetUnixFileMode(work, Open | UnixFileMode.StickyBit);
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "hr", "staff");
        await chain.WriteAsync(1, T0, [.. Enumerable.Range(0, 4).Select(i => ($"part-{i}.parquet", i * 10, i * 10 + 10))]);
        var compactor = new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 2, WorkDirectory = work }, new ManualClock(T0.AddDays(1)));

        // Act: prepared, not committed: its rewritten files wait in the work folder.
        using var plan = await compactor.PrepareAsync("hr", "staff", "1.0.0", OutputMode.Append);

        // Assert
        Assert.NotNull(plan);
        var written = Assert.Single(plan.Written).Local;
        Assert.StartsWith(plan.WorkDirectory, written, StringComparison.Ordinal);
        Assert.NotEqual(0, AsAnotherUser($"cat '{written}'"));
        Assert.NotEqual(0, AsAnotherUser($"ls '{plan.WorkDirectory}'"));
        Assert.NotEqual(0, AsAnotherUser($"touch '{Path.Combine(plan.WorkDirectory, "out", "planted.parquet")}'"));
        Assert.Equal(0, AsAnotherUser($"ls '{work}'"));
    }

    private static string Traversable(string path)
    {
        File.SetUnixFileMode(path, Open & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        return path;
    }

    /// <summary>Runs a shell command as <c>nobody</c> (uid 65534) and returns its exit code.</summary>
    private static int AsAnotherUser(string command)
    {
        var start = new ProcessStartInfo("setpriv") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", command })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        // setpriv itself failing (not root) would make every check pass: only a denied command counts.
        Assert.DoesNotContain("setpriv:", error, StringComparison.Ordinal);
        return process.ExitCode;
    }
}

using System.Diagnostics;
using System.Text.Json;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>datamesh impact</c>, <c>diff</c> and <c>validate --against</c> on a two-domain mesh (finance.ledger read by
/// sales.summary through ^1): a removed column read downstream is refused naming the consumer and its SQL line; an
/// unread column's removal says no consumer reads it.
/// </summary>
public sealed class ConsumerImpactCliTests : IDisposable
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    private readonly ConsumerMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Impact_ContractRemovingAColumnAConsumerReads_ExitsOneNamingConsumerRangeAndSqlLine()
    {
        // Arrange
        var proposed = WriteProposed("amount", "1.1.0");

        // Act
        var result = await CliRunner.RunAsync(_mesh.Root, NoEnvironment, "impact", "finance.ledger", "--contract", proposed);

        // Assert
        Assert.True(result.ExitCode == 1, result.StdOut + result.StdErr);
        var summarySql = Path.Combine("pipelines", "sales", "summary", "transform.sql");
        Assert.Contains($"BREAKS sales.summary (input gl, versions ^1) at {summarySql}:2:8", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Impact_ContractRemovingAnUnreadColumn_ExitsZeroSayingNoConsumerReadsIt()
    {
        // Arrange
        var proposed = WriteProposed("note", "1.1.0");

        // Act
        var result = await CliRunner.RunAsync(_mesh.Root, NoEnvironment, "impact", "finance.ledger", "--contract", proposed, "--json");

        // Assert
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        using var report = JsonDocument.Parse(result.StdOut);
        var change = Assert.Single(report.RootElement.GetProperty("changes").EnumerateArray());
        Assert.Equal("note", change.GetProperty("property").GetString());
        Assert.True(change.GetProperty("readByNone").GetBoolean());
        Assert.Equal(0, report.RootElement.GetProperty("broken").GetInt32());
    }

    [Fact]
    public async Task Impact_WithoutContract_ListsEachColumnsReaders()
    {
        // Act
        var result = await CliRunner.RunAsync(_mesh.Root, NoEnvironment, "impact", "finance.ledger");

        // Assert
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("  amount: read by sales.summary (input gl, versions ^1) at " + Path.Combine("pipelines", "sales", "summary", "transform.sql") + ":2:8", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("  note: no consumer reads it", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_ProductFolderAgainstMajorBumpRemovingAReadColumn_ListsTheConsumerAsPinned()
    {
        // Arrange: a major bump, so the version is enough; sales.summary (^1) stays on 1.x and is listed as pinned.
        var proposed = WriteProposed("amount", "2.0.0");

        // Act
        var result = await CliRunner.RunAsync(_mesh.Root, NoEnvironment, "diff", _mesh.Ledger, proposed);

        // Assert
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("read (stays on the old version) by sales.summary (input gl, versions ^1)", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("pinned: sales.summary (input gl, versions ^1) stays on 1.x, behind 2.0.0", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AgainstGitRefRemovingAColumnAConsumerReads_ExitsOneWithDm1080NamingTheConsumer()
    {
        // Arrange
        Commit();
        _mesh.RemoveLedgerColumn("amount", "1.1.0");

        // Act
        var result = await CliRunner.RunAsync(_mesh.Root, NoEnvironment, "validate", "--against", "HEAD");

        // Assert: the version bump is too small (DM2040), and sales.summary reads the column (DM1080).
        Assert.True(result.ExitCode == 1, result.StdErr);
        var line = Assert.Single(result.StdErr.Split('\n'), l => l.Contains("DM1080", StringComparison.Ordinal));
        Assert.StartsWith(Path.Combine("pipelines", "finance", "ledger", "contract.odcs.yaml") + ":", line, StringComparison.Ordinal);
        Assert.Contains("ledger.amount removed, but sales.summary reads 'amount' through input 'gl' (versions ^1, which accepts 1.1.0) at "
            + Path.Combine("pipelines", "sales", "summary", "transform.sql") + ":2:8", line, StringComparison.Ordinal);
        Assert.Contains("DM2040", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AgainstGitRefMajorBumpRemovingAReadColumn_WarnsTheConsumerIsPinnedWithoutDm1080()
    {
        // Arrange
        Commit();
        _mesh.RemoveLedgerColumn("amount", "2.0.0");

        // Act
        var result = await CliRunner.RunAsync(_mesh.Root, NoEnvironment, "validate", "--against", "HEAD");

        // Assert: not broken, pinned (the upstream-resolvable policy, DM2107, refuses a workspace whose only ledger is 2.0.0 for ^1 on its own).
        Assert.DoesNotContain("DM1080", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("warning DM1081: version: 2.0.0 leaves sales.summary (input gl, versions ^1) on 1.x, behind its upstream", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AgainstGitRefMajorBumpRemovingAnUnreadColumn_ExitsZero()
    {
        // Arrange: sales.summary reads >=1.0.0, so it accepts 2.0.0; it does not read note.
        using var mesh = new ConsumerMesh(summaryRange: ">=1.0.0");
        Commit(mesh.Root);
        mesh.RemoveLedgerColumn("note", "2.0.0");

        // Act
        var result = await CliRunner.RunAsync(mesh.Root, NoEnvironment, "validate", "--against", "HEAD");

        // Assert
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.DoesNotContain("DM108", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AgainstGitRefMajorBumpRemovingAColumnAConsumerInRangeReads_ExitsOneWithDm1080()
    {
        // Arrange: sales.summary reads >=1.0.0, so 2.0.0 without amount reaches it.
        using var mesh = new ConsumerMesh(summaryRange: ">=1.0.0");
        Commit(mesh.Root);
        mesh.RemoveLedgerColumn("amount", "2.0.0");

        // Act
        var result = await CliRunner.RunAsync(mesh.Root, NoEnvironment, "validate", "--against", "HEAD");

        // Assert
        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Contains("error DM1080: ledger.amount removed, but sales.summary reads 'amount' through input 'gl' (versions >=1.0.0, which accepts 2.0.0)", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("DM2040", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>The ledger's contract without <paramref name="column"/> at <paramref name="version"/>, outside the mesh.</summary>
    private string WriteProposed(string column, string version)
    {
        var path = Path.Combine(_mesh.Root, "proposed.odcs.yaml");
        File.WriteAllText(path, ConsumerMesh.ContractWithout(ConsumerMesh.LedgerContract, column).Replace("version: 1.0.0", $"version: {version}", StringComparison.Ordinal));
        return path;
    }

    private void Commit(string? root = null)
    {
        root ??= _mesh.Root;
        Git(root, "init", "-q");
        Git(root, "add", "-A");
        Git(root, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "mesh");
    }

    private static void Git(string root, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
    }
}

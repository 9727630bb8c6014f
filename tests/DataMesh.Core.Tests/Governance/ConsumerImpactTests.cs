using DataMesh.Contracts;
using DataMesh.Governance;
using DataMesh.Specs;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Governance;

/// <summary>Which consumers a new contract breaks, decided by binding each consumer over it (<see cref="ConsumerImpact"/>).</summary>
public sealed class ConsumerImpactTests
{
    [Fact]
    public void Analyze_RemovedColumnReadWithinRange_NamesTheConsumerAtItsSqlLocation()
    {
        // Arrange: amount removed at 1.1.0, which sales.summary's ^1 accepts.
        using var mesh = new ConsumerMesh();
        var (ledger, products) = Load(mesh);
        var after = Edit(ledger.Contract, ConsumerMesh.ContractWithout(ConsumerMesh.LedgerContract, "amount"), "1.1.0");

        // Act
        var report = ConsumerImpact.Analyze(ledger, ledger.Contract, after, products);

        // Assert
        var (change, read) = Assert.Single(report.Breaks);
        Assert.Equal(ContractChangeKind.ColumnRemoved, change!.Kind);
        Assert.Equal("sales.summary", read.Consumer.Consumer);
        Assert.Equal("^1", read.Consumer.Range);
        Assert.EndsWith(Path.Combine("summary", "transform.sql"), read.File, StringComparison.Ordinal);
        Assert.Equal((2, 8), (read.Line, read.Column));
        Assert.Contains("\"amount\"", read.Detail, StringComparison.Ordinal);
        Assert.Empty(report.Pinned);
    }

    [Fact]
    public void Analyze_UnreadColumnRemoved_SaysNoConsumerReadsIt()
    {
        // Arrange
        using var mesh = new ConsumerMesh();
        var (ledger, products) = Load(mesh);
        var after = Edit(ledger.Contract, ConsumerMesh.ContractWithout(ConsumerMesh.LedgerContract, "note"), "1.1.0");

        // Act
        var report = ConsumerImpact.Analyze(ledger, ledger.Contract, after, products);

        // Assert
        var impact = Assert.Single(report.Changes, c => c.Change.Kind == ContractChangeKind.ColumnRemoved);
        Assert.True(impact.ReadByNone);
        Assert.Empty(report.Breaks);
        Assert.Contains(report.ToLines(), l => l.Trim() == "no consumer reads it");
        Assert.Empty(ConsumerImpact.ToDiagnostics(report, ledger));
    }

    [Fact]
    public void Analyze_ReadColumnNarrowed_BreaksTheConsumer()
    {
        // Arrange: decimal(18,2) -> decimal(10,2), read by sales.summary.
        using var mesh = new ConsumerMesh();
        var (ledger, products) = Load(mesh);
        var after = Edit(ledger.Contract, ConsumerMesh.LedgerContract.Replace("decimal(18,2)", "decimal(10,2)", StringComparison.Ordinal), "1.1.0");

        // Act
        var report = ConsumerImpact.Analyze(ledger, ledger.Contract, after, products);

        // Assert
        var (change, read) = Assert.Single(report.Breaks);
        Assert.Equal(ContractChangeKind.TypeNarrowed, change!.Kind);
        Assert.Equal("sales.summary", read.Consumer.Consumer);
        var diagnostic = Assert.Single(ConsumerImpact.ToDiagnostics(report, ledger));
        Assert.Equal(ImpactDiagnosticCodes.ConsumerBroken, diagnostic.Code);
        Assert.Contains("sales.summary reads 'amount'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_MajorBump_ListsTheConsumersItLeavesPinned()
    {
        // Arrange: amount removed at 2.0.0; sales.summary reads ^1, sales.everything >=1.0.0.
        using var mesh = new ConsumerMesh(selectStar: true);
        var (ledger, products) = Load(mesh);
        var after = Edit(ledger.Contract, ConsumerMesh.ContractWithout(ConsumerMesh.LedgerContract, "amount"), "2.0.0");

        // Act
        var report = ConsumerImpact.Analyze(ledger, ledger.Contract, after, products);

        // Assert: summary stays on 1.x (read, not broken); everything accepts 2.0.0 and breaks.
        Assert.Equal("sales.summary", Assert.Single(report.Pinned).Consumer);
        var readers = Assert.Single(report.Changes, c => c.Change.Kind == ContractChangeKind.ColumnRemoved).Readers;
        Assert.False(Assert.Single(readers, r => r.Consumer.Consumer == "sales.summary").Breaks);
        Assert.Equal("sales.everything", Assert.Single(report.Breaks).Read.Consumer.Consumer);
        Assert.Contains(ConsumerImpact.ToDiagnostics(report, ledger), d => d.Code == ImpactDiagnosticCodes.ConsumerPinned && d.Message.Contains("sales.summary", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_SelectStarConsumerWhoseContractThenMismatches_BreaksAtItsStarNamingItsContract()
    {
        // Arrange: note removed at 2.0.0; sales.everything's SELECT * still binds, but its contract lists note.
        using var mesh = new ConsumerMesh(selectStar: true);
        var (ledger, products) = Load(mesh);
        var after = Edit(ledger.Contract, ConsumerMesh.ContractWithout(ConsumerMesh.LedgerContract, "note"), "2.0.0");

        // Act
        var report = ConsumerImpact.Analyze(ledger, ledger.Contract, after, products);

        // Assert: the SQL reads note through its '*' ("SELECT * FROM gl": line 1, column 8); the contract that then fails is in the detail.
        var (_, read) = Assert.Single(report.Breaks);
        Assert.Equal("sales.everything", read.Consumer.Consumer);
        Assert.Equal(Path.Combine(mesh.Everything, "transform.sql"), read.File);
        Assert.Equal((1, 8), (read.Line, read.Column));
        Assert.Contains("produces no column 'note'", read.Detail, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("everything", "contract.odcs.yaml") + ":", read.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_WidenedColumnUnderSelectStar_BreaksThroughTheOutputContract()
    {
        // Arrange: a widening is additive, but a SELECT * passes it through to an output contract that says decimal(18,2).
        using var mesh = new ConsumerMesh(selectStar: true);
        var (ledger, products) = Load(mesh);
        var after = Edit(ledger.Contract, ConsumerMesh.LedgerContract.Replace("decimal(18,2)", "decimal(20,2)", StringComparison.Ordinal), "1.1.0");

        // Act
        var report = ConsumerImpact.Analyze(ledger, ledger.Contract, after, products);

        // Assert: the summary's own contract still says decimal(18,2) too, so both break, each where its SQL reads amount
        // (the everything's '*', the summary's 'amount' on line 2), its contract in the detail.
        Assert.Equal(VersionBump.Minor, report.Diff.Required);
        Assert.Equal(["sales.everything", "sales.summary"], report.Breaks.Select(b => b.Read.Consumer.Consumer).Order(StringComparer.Ordinal));
        Assert.All(report.Breaks, b => Assert.Contains("the contract says decimal(18,2)", b.Read.Detail, StringComparison.Ordinal));
        Assert.Equal(
            [$"{Path.Combine(mesh.Everything, "transform.sql")}:1:8", $"{Path.Combine(mesh.Summary, "transform.sql")}:2:8"],
            report.Breaks.Select(b => b.Read.Location).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Analyze_ColumnReadOnlyInAJoinUsing_PointsAtTheUsing()
    {
        // Arrange: DuckDB gives no position for a USING column it cannot find; the report points at the USING.
        using var mesh = new ConsumerMesh();
        File.WriteAllText(Path.Combine(mesh.Summary, "transform.sql"), "SELECT g.entry_id, g.amount\nFROM gl g\nJOIN gl h USING (memo)\n");
        var (ledger, products) = Load(mesh);
        var after = Edit(ledger.Contract, ConsumerMesh.ContractWithout(ConsumerMesh.LedgerContract, "memo"), "1.1.0");

        // Act
        var report = ConsumerImpact.Analyze(ledger, ledger.Contract, after, products);

        // Assert
        var (_, read) = Assert.Single(report.Breaks);
        Assert.Equal((3, 18), (read.Line, read.Column));
    }

    private static (ProductSpec Ledger, List<ProductSpec> Products) Load(ConsumerMesh mesh)
    {
        var products = ProductSpecLoader.FindProductDirectories(mesh.Pipelines).Select(ProductSpecLoader.Load).ToList();
        var clean = TransformBindCheck.Check(products, products).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(clean.Count == 0, string.Join("\n", clean));
        return (products.Single(p => p.Id == "finance.ledger"), products);
    }

    /// <summary>The contract in <paramref name="text"/> at <paramref name="version"/>, located where the ledger's is.</summary>
    private static DataContract Edit(DataContract current, string text, string version) =>
        ContractLoader.Parse(text.Replace("version: 1.0.0", $"version: {version}", StringComparison.Ordinal), current.Path).Contract
            ?? throw new InvalidOperationException("the edited contract does not load");
}

using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Security probes through the whole pipeline (issue 8): a product whose transform SQL tries to escape the DuckDB
/// sandbox is refused at the transform with a clear reason, and nothing changes: no release, no file written outside
/// the run, another run's files untouched, nothing in the catalog. The sandbox itself is probed statement by statement
/// in <c>DataMesh.Core.Tests.Engine.SqlSandboxProbeTests</c>; forged events in <c>CatalogEventConsumerTests</c>
/// (wrong source, unknown type → poison), <c>LocalEventGridTopicTests</c> (wrong or missing key → 401),
/// <see cref="EventForgeryProbeTests"/>, <c>LocalDomainTopicTests</c> and <c>CatalogProjectionDomainTests</c> (one
/// domain's key announcing another's product → 403; a foreign storage location or data endpoint → poison); blob
/// names in <see cref="BadInputTests"/>; catalog query strings and filter injection in <c>CatalogHttpApiTests</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class SecurityProbeTests(AzuriteFixture azurite)
{
    // Written by no product; a probe that manages to write or read it shows here.
    private static readonly string Outside = Path.Combine(Path.GetTempPath(), "dm-probe-outside-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Probe name, transform SQL (<c>{outside}</c> and <c>{other}</c> expanded), and what the refusal says.</summary>
    private static readonly (string Name, string Sql, string Reason)[] Probes =
    [
        ("read-etc-passwd", "SELECT * FROM read_csv('/etc/passwd')", "Permission Error"),
        ("read-text-etc-passwd", "SELECT content AS order_id FROM read_text('/etc/passwd')", "Permission Error"),
        ("read-other-run", "SELECT * FROM read_csv('{other}')", "Permission Error"),
        ("glob-root", "SELECT file AS order_id FROM glob('/**')", "Permission Error"),
        ("copy-to-outside", "COPY (SELECT * FROM orders) TO '{outside}.csv'", "exactly one SELECT"),
        ("attach", "ATTACH '{outside}.db' AS other", "exactly one SELECT"),
        ("install-httpfs", "INSTALL httpfs", "exactly one SELECT"),
        ("load-httpfs", "LOAD httpfs", "exactly one SELECT"),
        ("close-the-copy", "SELECT * FROM orders) TO '{outside}.csv' (FORMAT csv); COPY (SELECT 1", "exactly one SELECT"),
        ("megabyte-query", "SELECT " + new string('(', 512 * 1024) + "1" + new string(')', 512 * 1024) + " AS order_id", "must be exactly one SELECT statement"),
    ];

    private static readonly SharedMesh Mesh = new(domain =>
    {
        var first = new TestProduct(domain, "probe-control");
        return [first, .. Probes.Select(p => new TestProduct(domain, "probe-" + p.Name, sql: Expand(p.Sql, first)))];
    });

    public static TheoryData<string> ProbeNames() => [.. Probes.Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(ProbeNames))]
    public async Task Run_TransformSqlEscapingTheSandbox_RefusedAndNothingChanged(string name)
    {
        // Arrange: another run's input planted in the mesh's run folders, where a probe would look for it.
        var mesh = await Mesh.GetAsync(azurite);
        var probe = Probes.Single(p => p.Name == name);
        var product = Mesh.Products.Single(p => p.Name == "probe-" + name);
        var other = OtherRunFile(Mesh.Products[0]);
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        await File.WriteAllTextAsync(other, "secret\nanother run's data\n");

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 5)]);

        // Assert: refused with the reason...
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("transform", result.Stage);
        Assert.True(result.Error?.Contains(probe.Reason, StringComparison.OrdinalIgnoreCase), $"{name}: {result.Error?[..Math.Min(result.Error.Length, 400)]}");
        // ...and nothing changed.
        Assert.Null(result.Release);
        Assert.Empty(await new ReleaseStore(mesh.Storage.Products(product.Domain)).ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Empty(await mesh.Catalog.GetReleasesAsync(product.Id));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Outside)!, Path.GetFileName(Outside) + "*"));
        Assert.Equal("secret\nanother run's data\n", await File.ReadAllTextAsync(other));
    }

    [Fact]
    public async Task Run_ControlProductWithPlainSelect_Publishes()
    {
        // Arrange: the same mesh and input, with SQL that stays inside the sandbox.
        var mesh = await Mesh.GetAsync(azurite);
        var product = Mesh.Products[0];

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 5)]);

        // Assert
        Assert.Equal(PipelineStatus.Published, result.Status);
    }

    private static string OtherRunFile(TestProduct first) => Path.Combine(first.Root, ".datamesh", "runs", "other-run", "inputs", "orders", "0000-secret.csv");

    private static string Expand(string sql, TestProduct first) => sql
        .Replace("{outside}", Outside, StringComparison.Ordinal)
        .Replace("{other}", OtherRunFile(first), StringComparison.Ordinal);
}

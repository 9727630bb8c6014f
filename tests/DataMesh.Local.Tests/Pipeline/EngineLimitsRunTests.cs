using DataMesh.Engine;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.Local.Tests.Pipeline;

/// <summary>
/// A run's DuckDB sessions get the limits derived from the instance (issue 20 item 3), not a fixed figure: the
/// transform reads its own session's settings back.
/// </summary>
[Collection("azurite")]
public sealed class EngineLimitsRunTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-engine-limits-run-").FullName;
    private readonly PipelineOptions _pipeline = new() { InstanceMemoryMB = 4096 };
    private LocalMesh _mesh = null!;

    public async Task InitializeAsync()
    {
        var product = Path.Combine(_root, "settings");
        Directory.CreateDirectory(product);
        await File.WriteAllTextAsync(Path.Combine(product, "product.yaml"), """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: probe
            name: settings
            version: 1.0.0
            description: Reads its DuckDB session's settings back.
            owner: { team: Probe, email: probe@example.com }
            inputs:
              - name: rows
                landing: { path: rows/, format: csv }
                columns:
                  - { name: id, type: integer, required: true }
            transform: { sql: transform.sql }
            output: { contract: contract.odcs.yaml }
            """);
        // A run returns its error, not its data: the settings come back through error(), which fails the transform.
        await File.WriteAllTextAsync(Path.Combine(product, "transform.sql"),
            "SELECT error('memory_limit=' || current_setting('memory_limit') || ';threads=' || current_setting('threads') || ';') AS id FROM rows");
        await File.WriteAllTextAsync(Path.Combine(product, "contract.odcs.yaml"), """
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:probe:settings
            version: 1.0.0
            schema:
              - name: settings
                properties:
                  - { name: id, physicalType: integer, required: true }
            """);
        await File.WriteAllTextAsync(Path.Combine(_root, "rows.csv"), "id\n1\n");
        var gate = await WriteGateProbeAsync();
        var options = new LocalMeshOptions
        {
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(_root, ".datamesh"),
            Pipeline = _pipeline,
        };
        options.ExtraProductDirectories.Add(product);
        options.ExtraProductDirectories.Add(gate);
        _mesh = await LocalMesh.StartAsync(options);
    }

    /// <summary>
    /// A product whose contract has a sql rule passing only in a session with the quality gate's memory limit: the gate's
    /// measures run in their own session, not in the transform's with the instance's limit.
    /// </summary>
    private async Task<string> WriteGateProbeAsync()
    {
        var limits = _pipeline.EngineLimits();
        using var reference = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [_root], TempDirectory = Path.Combine(_root, "tmp"), Limits = limits.Quality });
        var expected = (string?)reference.Scalar("SELECT current_setting('memory_limit')");
        var product = Path.Combine(_root, "gate");
        Directory.CreateDirectory(product);
        await File.WriteAllTextAsync(Path.Combine(product, "product.yaml"), """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: probe
            name: gate
            version: 1.0.0
            description: Its quality rule reads the gate session's settings.
            owner: { team: Probe, email: probe@example.com }
            inputs:
              - name: rows
                landing: { path: gate/, format: csv }
                columns:
                  - { name: id, type: integer, required: true }
            transform: { sql: transform.sql }
            output: { contract: contract.odcs.yaml }
            """);
        await File.WriteAllTextAsync(Path.Combine(product, "transform.sql"), "SELECT id FROM rows");
        await File.WriteAllTextAsync(Path.Combine(product, "contract.odcs.yaml"), $$"""
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:probe:gate
            version: 1.0.0
            schema:
              - name: gate
                properties:
                  - { name: id, physicalType: integer, required: true, unique: true }
                quality:
                  - type: sql
                    name: gate_memory_limit
                    query: SELECT CASE WHEN current_setting('memory_limit') = '{{expected}}' THEN 0 ELSE 1 END
                    mustBe: 0
            """);
        return product;
    }

    public async Task DisposeAsync()
    {
        await _mesh.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task RunAsync_InstanceOf4096MB_TransformSessionHasTheDerivedLimit()
    {
        // Arrange: what DuckDB shows for the limit derived for a 4096 MB instance ((4096 - 700) x 0.75, less two sessions
        // outside runs of 128 MiB; not the old 1GB).
        var limits = _pipeline.EngineLimits();
        using var reference = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [_root], TempDirectory = Path.Combine(_root, "tmp"), Limits = limits.Run });
        var expected = (string?)reference.Scalar("SELECT current_setting('memory_limit')");

        // Act
        var result = await _mesh.RunAsync("probe.settings", [Path.Combine(_root, "rows.csv")], TimeSpan.FromMinutes(5));

        // Assert
        Assert.Equal("2291MiB", limits.MemoryLimit);
        Assert.Contains($"memory_limit={expected};", result.Error, StringComparison.Ordinal);
        Assert.Contains($"threads={limits.Threads};", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InstanceOf4096MB_QualityGateMeasuresInItsOwnSessionWithItsBudget()
    {
        // Arrange: the gate's budget (threads x 128 MiB) is below the transform's 2291 MiB.
        var limits = _pipeline.EngineLimits();

        // Act
        var result = await _mesh.RunAsync("probe.gate", [Path.Combine(_root, "rows.csv")], TimeSpan.FromMinutes(5));

        // Assert
        Assert.NotEqual(limits.MemoryLimit, limits.QualityMemoryLimit);
        var rule = Assert.Single(result.Quality, r => r.Name == "gate_memory_limit");
        Assert.True(rule.Passed, $"the gate measured in a session whose memory_limit is not {limits.QualityMemoryLimit}: {result.Error}");
        Assert.Equal(PipelineStatus.Published, result.Status);
    }
}

using DataMesh.Core.Tests.Governance;
using DataMesh.Engine;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using DuckDB.NET.Data;
using Microsoft.DurableTask;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// The quality stage over a staged output on Azurite: it judges the measures the transform took (reading no data
/// unless a failed rule wants samples), and measures the output itself when the transform took none or took them
/// with another query (a contract deployed between the two stages).
/// </summary>
[Collection("azurite")]
public sealed class QualityCheckActivityTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);
    private const string ProductId = "sales.opportunities";

    private readonly string _work = Directory.CreateTempSubdirectory("dm-quality-").FullName;
    private readonly string _runId = "quality-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Run_NoMeasurement_MeasuresTheStagedOutput()
    {
        // Arrange: opportunity O-2 twice (unique fails) and one negative amount (error rule fails).
        var (runtime, output) = await StageAsync();

        // Act
        var summary = await RunAsync(runtime, output);

        // Assert
        Assert.False(summary.Passed);
        Assert.Equal(3, summary.Rows);
        Assert.Equal(["opportunity_id.unique", "amount_not_negative"], summary.BlockingFailures.Select(r => r.Name));
        var duplicates = summary.Rules.Single(r => r.Name == "opportunity_id.unique").Samples;
        Assert.Equal(["O-2", "O-2"], duplicates.Select(row => row["opportunity_id"]));
        Assert.All(duplicates, row => Assert.Equal("***", row["contact_email"]));
    }

    [Fact]
    public async Task Run_MeasurementFromTheTransform_IsJudgedWithoutReadingTheOutput()
    {
        // Arrange: the measures of a clean output for this very query; the output's files then deleted, locally and
        // in staging, so any read of the data would fail the stage.
        var (runtime, output) = await StageAsync();
        var measured = Measure(runtime, output);
        var clean = measured with { Values = measured.Values.Select(_ => 0m).ToList() };
        Directory.Delete(runtime.Workspace(_runId).OutputDirectory, recursive: true);
        await runtime.Storage.Staging("sales").DeleteBlobAsync(output.StagedBlob + TransformActivity.PartFileName);

        // Act
        var summary = await RunAsync(runtime, output with { Quality = clean with { Rows = 3 } });

        // Assert: what the measurement says, not what the data held (duplicates, a negative amount).
        var failed = Assert.Single(summary.Rules, r => !r.Passed);
        Assert.Equal(("opportunities.rowCount", 0m), (failed.Name, failed.Measured));
        Assert.Equal(3, summary.Rows);
    }

    [Fact]
    public async Task Run_MeasurementOfAnotherQuery_IsIgnoredAndTheOutputMeasured()
    {
        // Arrange
        var (runtime, output) = await StageAsync();
        var measured = Measure(runtime, output);
        var stale = measured with { QueryHash = new string('0', 64), Values = measured.Values.Select(_ => 0m).ToList() };

        // Act
        var fromStale = await RunAsync(runtime, output with { Quality = stale });
        var fromData = await RunAsync(runtime, output with { Quality = null });

        // Assert
        Assert.Equal(fromData.Rules, fromStale.Rules);
        Assert.False(fromStale.Passed);
    }

    /// <summary>Writes a three-row output of the product into its run's workspace and staging, as the transform leaves it.</summary>
    private async Task<(PipelineRuntime Runtime, TransformResult Output)> StageAsync()
    {
        // The transform left the output in sales' own account; the activity reaches it with sales' pipeline view, as the mesh runs it.
        var mesh = azurite.CreateMesh();
        var storage = mesh.Storage;
        var runtime = new PipelineRuntime(storage, Products, new QueueProductEventPublisher(storage), new PipelineOptions { WorkDirectory = _work })
        {
            DomainStorage = domain => mesh.Pipeline(domain),
        };
        var workspace = runtime.Workspace(_runId);
        Directory.CreateDirectory(workspace.OutputDataDirectory);
        var file = Path.Combine(workspace.OutputDataDirectory, TransformActivity.PartFileName);
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                COPY (SELECT opportunity_id, account, contact_email, campaign_id, stage, closed, CAST(amount AS DECIMAL(14,2)) AS amount, currency, CAST(created_on AS DATE) AS created_on
                      FROM (VALUES ('O-1', 'Acme', 'a@acme.test', 'C-1', 'won', true, 100.00, 'EUR', '2026-01-02'),
                                   ('O-2', 'Beta', 'b@beta.test', NULL, 'qualified', false, -5.00, 'EUR', '2026-01-03'),
                                   ('O-2', 'Gamma', 'c@gamma.test', 'C-2', 'lost', true, 70.00, 'USD', '2026-01-04'))
                      AS t(opportunity_id, account, contact_email, campaign_id, stage, closed, amount, currency, created_on))
                TO {Sql.Literal(file)} (FORMAT parquet)
                """;
            command.ExecuteNonQuery();
            command.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({Sql.Literal(file)}))";
            var schema = new List<OutputColumn>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    schema.Add(new OutputColumn(reader.GetString(0), reader.GetString(1)));
                }
            }

            var staging = storage.Staging("sales");
            await staging.CreateIfNotExistsAsync();
            var prefix = StagedOutput.Prefix("opportunities", _runId);
            await staging.GetBlobClient(prefix + TransformActivity.PartFileName).UploadAsync(file, overwrite: true);
            return (runtime, new TransformResult(prefix, 3, schema, TransformActivity.SchemaHash(schema)) { Files = [TransformActivity.PartFileName] });
        }
    }

    private QualityMeasurement Measure(PipelineRuntime runtime, TransformResult output)
    {
        var workspace = runtime.Workspace(_runId);
        using var session = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [workspace.OutputDirectory], TempDirectory = workspace.TempDirectory, Limits = DataMesh.Pipeline.EngineLimits.Process.Side });
        session.Execute($"CREATE VIEW {QualityGate.OutputView} AS SELECT * FROM read_parquet({Sql.Literal(Path.Combine(workspace.OutputDataDirectory, TransformActivity.PartFileName))})");
        return QualityGate.Measure(session, Products.Get(ProductId).Contract, output.Schema);
    }

    private Task<QualitySummary> RunAsync(PipelineRuntime runtime, TransformResult output) =>
        new QualityCheckActivity(runtime).RunAsync(new Context(_runId), new QualityCheckInput(_runId, ProductId, output));

    private sealed class Context(string instanceId) : TaskActivityContext
    {
        public override TaskName Name => nameof(QualityCheckActivity);

        public override string InstanceId => instanceId;
    }
}

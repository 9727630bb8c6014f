using System.Net;
using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Catalog;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Quarantine;
using DataMesh.Storage;
using DataMesh.Testing;
using static DataMesh.Functions.Tests.TestHttp;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>
/// The hub's quarantine route: the hub reads no domain's storage, so it lists a product's quarantined files from what
/// the failure announcements told its catalog (the file, run, stage, the domain's redacted reason, the failed rules by
/// name), under the same access rule as the product's runs.
/// </summary>
[Collection("azurite")]
public sealed class HubQuarantineTests(AzuriteFixture azurite)
{
    // workforce.payroll is restricted to workforce and its reader finance (pipelines/workforce/payroll/product.yaml).
    private const string Route = "products/workforce.payroll/quarantine";
    private const string File = "payroll/runs/2026-11.csv";

    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));

    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();

    [Fact]
    public async Task ListQuarantine_HubAfterAQualityFailureAnnouncement_ListsTheFileWithItsReasonAndRulesFromTheCatalog()
    {
        // Arrange: the hub's projection receives the workforce app's announcement of a run stopped at the quality gate.
        var projection = await RegisteredProjectionAsync();
        await projection.ApplyAsync(ProductEventFactory.CreateQualityCheckFailed(new QualityCheckFailedData
        {
            ProductId = "workforce.payroll",
            Domain = "workforce",
            Name = "payroll",
            Version = "1.0.0",
            RunId = "run-q1",
            Stage = "quality",
            Error = Reason,
            Quarantined = [File],
            FailedAt = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero),
            Quality = new QualitySummary(false, 10,
            [
                new QualityRuleResult("gross_not_negative", "gross", "sql", "error", 1, "rows", "0 rows", Passed: false, FailedRows: 1)
                {
                    Samples = [new Dictionary<string, string?> { ["employee_id"] = "***", ["gross"] = "-9999.99" }],
                },
            ]),
        }));

        // Act
        var response = await HubApi().ListQuarantineAsync(Request(Route, Principal("DataMesh.Domain.finance")), "workforce.payroll", CancellationToken.None);

        // Assert: listed from the catalog, with the announced reason and the rule by name; no sample row.
        var body = Body(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        Assert.Equal("catalog", document.RootElement.GetProperty("source").GetString());
        var item = Assert.Single(document.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal(File, item.GetProperty("file").GetString());
        Assert.Equal(File, item.GetProperty("landingName").GetString());
        Assert.Equal("run-q1", item.GetProperty("runId").GetString());
        Assert.Equal("quality", item.GetProperty("stage").GetString());
        Assert.Equal(Reason, item.GetProperty("reason").GetString());
        Assert.Equal(["gross_not_negative"], item.GetProperty("failedRules").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(JsonValueKind.Null, item.GetProperty("replayable").ValueKind);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("notReplayable").ValueKind);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("keptInLanding").ValueKind);
        Assert.DoesNotContain("-9999.99", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListQuarantine_HubAnnouncementSaysWhetherEachFileCanBeReplayed_AnswersReplayableAndWhyNot()
    {
        // Arrange: one run quarantined a file of a processable name and one whose landing name was refused (a control
        // character); the domain's announcement says what it can replay, the refused name by its safe one (as
        // AnnounceActivity fills it).
        const string refused = "payroll/runs/bell\u0007.csv";
        var projection = await RegisteredProjectionAsync();
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failure("run-1", "ingest") with
        {
            Quarantined = [File, LandingBlobNames.QuarantineName(refused)],
            QuarantinedFiles = [QuarantinedInput.Moved(File), QuarantinedInput.Moved(refused)],
        }));

        // Act
        var response = await HubApi().ListQuarantineAsync(Request(Route, Principal("DataMesh.Domain.workforce")), "workforce.payroll", CancellationToken.None);

        // Assert: the good file can be replayed; the refused one cannot, with why, under its safe quarantine name and
        // without its landing name.
        var body = Body(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        var items = document.RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("file").GetString()!);
        Assert.Equal([File, LandingBlobNames.QuarantineName(refused)], items.Keys.OrderDescending(StringComparer.Ordinal));
        Assert.True(items[File].GetProperty("replayable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, items[File].GetProperty("notReplayable").ValueKind);
        var notReplayable = items[LandingBlobNames.QuarantineName(refused)];
        Assert.False(notReplayable.GetProperty("replayable").GetBoolean());
        Assert.Equal(QuarantineClient.NotReplayableReason(refused, fileHere: true), notReplayable.GetProperty("notReplayable").GetString());
        Assert.Contains("control characters", notReplayable.GetProperty("notReplayable").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, notReplayable.GetProperty("landingName").ValueKind);
        Assert.False(notReplayable.GetProperty("keptInLanding").GetBoolean());
    }

    [Fact]
    public async Task ListQuarantine_HubAnnouncementOfAFileKeptInLanding_ListsItUnderItsSafeNameAsNotReplayable()
    {
        // Arrange: a run failed over a moved file and one whose name has '..' segments, which the quarantine recorded
        // but left in landing; the announcement says so under the safe name only (as AnnounceActivity fills it).
        const string kept = "payroll/../runs/2026-11-salaries.csv";
        var projection = await RegisteredProjectionAsync();
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failure("run-1", "ingest") with
        {
            Quarantined = [File],
            QuarantinedFiles = QuarantinedInput.Of(new PipelineResult
            {
                Status = PipelineStatus.Failed, Product = "workforce.payroll", Version = "1.0.0", RunId = "run-1", Quarantined = [File], KeptInLanding = [kept],
            }),
        }));

        // Act
        var response = await HubApi().ListQuarantineAsync(Request(Route, Principal("DataMesh.Domain.workforce")), "workforce.payroll", CancellationToken.None);

        // Assert: both listed; the kept one under its safe name, without a landing name, not replayable and why, said to
        // be kept in landing (the moved one not).
        var body = Body(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        var items = document.RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("file").GetString()!);
        var safe = LandingBlobNames.QuarantineName(kept);
        Assert.Equal([File, safe], items.Keys.OrderDescending(StringComparer.Ordinal));
        Assert.False(items[safe].GetProperty("replayable").GetBoolean());
        Assert.Equal(QuarantineClient.NotReplayableReason(kept, fileHere: false), items[safe].GetProperty("notReplayable").GetString());
        Assert.Equal(JsonValueKind.Null, items[safe].GetProperty("landingName").ValueKind);
        Assert.True(items[safe].GetProperty("keptInLanding").GetBoolean());
        Assert.False(items[File].GetProperty("keptInLanding").GetBoolean());
        Assert.Equal("run-1", items[safe].GetProperty("runId").GetString());
        Assert.DoesNotContain(kept, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListQuarantine_HubSameFileQuarantinedByTwoRuns_ListsItOnceAsTheLaterRunLeftIt()
    {
        // Arrange: the file failed, was replayed, and failed again (a duplicate delivery of the first announcement too).
        var projection = await RegisteredProjectionAsync();
        var first = ProductEventFactory.CreatePipelineRunFailed(Failure("run-1", "ingest"));
        await projection.ApplyAsync(first);
        await projection.ApplyAsync(first);
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failure("run-2", "transform") with
        {
            FailedAt = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero),
        }));

        // Act
        var response = await HubApi().ListQuarantineAsync(Request(Route, Principal("DataMesh.Domain.workforce")), "workforce.payroll", CancellationToken.None);

        // Assert
        using var document = JsonDocument.Parse(Body(response));
        var item = Assert.Single(document.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("run-2", item.GetProperty("runId").GetString());
        Assert.Equal("transform", item.GetProperty("stage").GetString());
    }

    [Fact]
    public async Task ListQuarantine_HubAfterAReleaseReadTheReplayedFile_NoLongerListsIt()
    {
        // Arrange: the file failed, then (replayed) published in a later release whose landing lineage names it.
        var projection = await RegisteredProjectionAsync();
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failure("run-1", "ingest")));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = "workforce.payroll",
            Domain = "workforce",
            Name = "payroll",
            Version = "1.0.0",
            Release = 1,
            RunId = "run-2",
            Location = "https://stworkforce.blob.core.windows.net/products/payroll/1.0.0/1/",
            Rows = 10,
            SchemaHash = "ab12",
            Quality = new QualitySummary(true, 10, []),
            Landing = [new LandingBlob("landing", File, "0x1", 100, "ab")],
            PublishedAt = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero),
        }));

        // Act
        var response = await HubApi().ListQuarantineAsync(Request(Route, Principal("DataMesh.Domain.workforce")), "workforce.payroll", CancellationToken.None);

        // Assert
        using var document = JsonDocument.Parse(Body(response));
        Assert.Empty(document.RootElement.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("DataMesh.Domain.sales", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task ListQuarantine_HubRestrictedProductCallerItsAccessRefuses_RefusedWithoutTheReasons(string? role, HttpStatusCode expected)
    {
        // Arrange
        var projection = await RegisteredProjectionAsync();
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failure("run-1", "ingest")));

        // Act: a signed-in caller of another domain; then nobody signed in.
        var response = await HubApi().ListQuarantineAsync(Request(Route, role is null ? null : Principal(role)), "workforce.payroll", CancellationToken.None);

        // Assert
        var body = Body(response);
        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain(File, body, StringComparison.Ordinal);
        Assert.DoesNotContain("column 'net'", body, StringComparison.Ordinal);
    }

    // As the domain redacted it before announcing (no value of a classified column).
    private const string Reason = "Column 'net' of payroll/runs/2026-11.csv: could not convert '***' to DECIMAL(12,2)";

    /// <summary>The hub's catalog with the mesh's products registered (their access recorded), as the domains register them.</summary>
    private async Task<CatalogProjection> RegisteredProjectionAsync()
    {
        var projection = new CatalogProjection(_storage);
        await projection.RegisterProductsAsync(ProductRegistration.FromSpecs(Products.All, Products.All));
        return projection;
    }

    private static PipelineRunFailedData Failure(string runId, string stage) => new()
    {
        ProductId = "workforce.payroll",
        Domain = "workforce",
        Name = "payroll",
        Version = "1.0.0",
        RunId = runId,
        Stage = stage,
        Error = Reason,
        Quarantined = [File],
        FailedAt = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero),
    };

    private ReleaseDataApi HubApi() =>
        new(_storage, Products, new AppServiceAuthentication(enabled: true), new DataMeshAppMode(IsHub: true));

    private static TestHttpRequest Request(string route, string? principal) =>
        new TestHttpRequest($"https://func-hub.azurewebsites.net/api/{route}").WithPrincipal(principal);
}
